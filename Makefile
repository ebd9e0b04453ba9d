# asphub: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-test data messages compilemessages system-packages postgres benchmark clean

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> Installing asphub and its dependencies"
	$(BIN)/pip install --quiet --progress-bar off -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@echo "==> Installing the test tools"
	$(BIN)/pip install --quiet --progress-bar off -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: install, migrate the SQLite database, load Latvia's network and serve on :8000
run: install compilemessages data
	@echo "==> Serving on http://127.0.0.1:8000/ (stop with Ctrl+C)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

data: install
	@mkdir -p var
	@echo "==> Migrating the database (var/asphub.sqlite3)"
	$(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the Latvian network"
	$(BIN)/python manage.py load_network
	$(BIN)/python manage.py create_demo_users

# The compiled catalogue is committed, so a machine without GNU gettext still runs in Latvian.
compilemessages: install
	@if command -v msgfmt >/dev/null; then \
		echo "==> Compiling translations"; \
		$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=static -v 0; \
	else echo "==> msgfmt (GNU gettext) not found: using the committed translations"; fi

messages: install
	$(BIN)/python manage.py makemessages -l lv --ignore=.venv --ignore=static --ignore=var --ignore=build --no-obsolete

## make test: everything CI runs
test: install-test system-packages postgres
	@bash scripts/test.sh

system-packages:
	@bash scripts/system-packages.sh

postgres:
	@bash scripts/postgres.sh

benchmark: install-test
	$(BIN)/python -m benchmarks.directory $(ARGS)

clean:
	rm -rf $(VENV) var build
