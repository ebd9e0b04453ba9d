# asphub: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Exact versions with hashes, made from pyproject.toml's ranges by `make lock`.
RUN_LOCK := requirements/run.lock.txt
TEST_LOCK := requirements/test.lock.txt
PIP_INSTALL := $(BIN)/pip install --quiet --progress-bar off

.PHONY: run test install install-test lock data messages compilemessages system-packages postgres redis benchmark clean

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)

# First the lock (setuptools included, so the project builds without fetching anything), then
# the project itself from this folder only: --no-index makes pip fail, instead of fetching an
# unpinned release, when pyproject.toml asks for something the lock does not have.
LOCK_HINT := { echo "==> If pip found no matching version, the lock is stale: run make lock"; exit 1; }

$(VENV)/.installed: $(RUN_LOCK) pyproject.toml | $(BIN)/python
	@echo "==> Installing asphub and its dependencies ($(RUN_LOCK))"
	$(PIP_INSTALL) --require-hashes -r $(RUN_LOCK)
	$(PIP_INSTALL) --no-index --no-build-isolation -e . || $(LOCK_HINT)
	touch $@

$(VENV)/.installed-test: $(TEST_LOCK) $(VENV)/.installed
	@echo "==> Installing the test tools ($(TEST_LOCK))"
	$(PIP_INSTALL) --require-hashes -r $(TEST_LOCK)
	$(PIP_INSTALL) --no-index --no-build-isolation -e ".[test]" || $(LOCK_HINT)
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# pip-tools lives in its own venv, so that the project's venv holds exactly the lock.
LOCK_TOOLS := $(VENV)/pip-tools
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --allow-unsafe --all-build-deps --no-emit-index-url --no-emit-find-links

$(LOCK_TOOLS)/bin/pip-compile:
	@echo "==> Installing pip-tools in $(LOCK_TOOLS)"
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install --quiet --progress-bar off pip-tools==7.6.2

## make lock: pin exact versions with hashes from pyproject.toml (keeps pins that still fit;
## ARGS=--upgrade takes the newest allowed releases, ARGS="-P django" only Django's)
lock: $(LOCK_TOOLS)/bin/pip-compile
	@mkdir -p requirements
	@echo "==> Pinning asphub with its test tools ($(TEST_LOCK))"
	$(PIP_COMPILE) --extra test $(ARGS) -o $(TEST_LOCK) pyproject.toml
	@echo "==> Pinning asphub alone to the same versions ($(RUN_LOCK))"
	$(PIP_COMPILE) --upgrade -c $(TEST_LOCK) -o $(RUN_LOCK) pyproject.toml
	@echo "==> Done. Next: git diff requirements/, make test (it installs the new lock), commit"

## make run: install, migrate the SQLite database, load Latvia's network, serve on :8000 and
## run the task worker beside it (it sends the e-mails); Ctrl+C stops both
run: install compilemessages data
	@bash scripts/serve.sh

data: install
	@mkdir -p var
	@echo "==> Migrating the database (var/asphub.sqlite3)"
	$(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the Latvian network"
	$(BIN)/python manage.py load_network
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py create_demo_events

# The compiled catalogue is committed, so a machine without GNU gettext still runs in Latvian.
compilemessages: install
	@if command -v msgfmt >/dev/null; then \
		echo "==> Compiling translations"; \
		$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=static -v 0; \
	else echo "==> msgfmt (GNU gettext) not found: using the committed translations"; fi

messages: install
	$(BIN)/python manage.py makemessages -l lv --ignore=.venv --ignore=static --ignore=var --ignore=build --no-obsolete

## make test: everything CI runs
test: install-test system-packages postgres redis
	@bash scripts/test.sh

system-packages:
	@bash scripts/system-packages.sh

postgres:
	@bash scripts/postgres.sh

redis:
	@bash scripts/redis.sh

benchmark: install-test
	$(BIN)/python -m benchmarks.directory $(ARGS)

clean:
	rm -rf $(VENV) var build
