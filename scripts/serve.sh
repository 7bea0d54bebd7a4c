#!/usr/bin/env bash
# Serve Muling with a real server (gunicorn + whitenoise) and run its background work beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${1:-127.0.0.1}"; PORT="${2:-8000}"; WORKERS="${3:-2}"
BIN=.venv/bin
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
# Background work (escalation sweeps, notifications). Without REDIS_URL it runs embedded: one
# process that runs the periodic tasks in-process, so the demo needs no broker.
if $BIN/python manage.py help run_background >/dev/null 2>&1; then
  $BIN/python manage.py run_background &
  pids+=($!)
fi
$BIN/python manage.py demo_logins || true
echo
echo "Muling is running at http://$HOST:$PORT/  (Ctrl-C to stop)"
$BIN/gunicorn muling.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
  --access-logfile - --log-level warning &
pids+=($!)
wait -n "${pids[@]}"
