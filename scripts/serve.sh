#!/usr/bin/env bash
# `make run`: the web server and, beside it, the task worker that sends the e-mails (and later
# anything else slow). One Ctrl+C, or the end of either process, stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# PORT=8100 make run serves on another port (config/settings/dev.py points the e-mails' links
# at it too).
PORT="${PORT:-8000}"

children=()
stop() {
    trap - INT TERM EXIT
    # A script's background processes ignore the terminal's Ctrl+C (the web server does; the
    # worker sets its own handler and hears it too), so each is told to stop.
    for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    wait
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

echo "==> Starting the task worker (it sends the e-mails, printed here)"
# Without --reload, whose restarts would kill a message half sent: after changing a task's
# code, start `make run` again.
$BIN/python manage.py requeue_interrupted_mail
$BIN/python manage.py db_worker --no-reload &
children+=($!)
echo "==> Serving on http://127.0.0.1:$PORT/ (stop both with Ctrl+C)"
$BIN/python manage.py runserver "127.0.0.1:$PORT" &
children+=($!)

wait -n
