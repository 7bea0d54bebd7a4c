#!/usr/bin/env bash
# Run the whole suite against real PostgreSQL and Redis (never SQLite, never mocks).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/muling}}"
export REDIS_URL="${REDIS_URL:-${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}}"
export MULING_VAR_DIR="${MULING_VAR_DIR:-$PWD/var/test}"
case "$DATABASE_URL" in
  postgres*) ;;
  *) echo "make test needs PostgreSQL: DATABASE_URL=$DATABASE_URL is not a postgres:// URL" >&2; exit 1 ;;
esac
if ! .venv/bin/python - <<'PY'
import os, sys, psycopg, redis
try:
    psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
except Exception as exc:
    sys.exit(f"PostgreSQL is not reachable ({exc}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
except Exception as exc:
    sys.exit(f"Redis is not reachable ({exc}); start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no")
PY
then exit 1; fi
.venv/bin/ruff check .
exec .venv/bin/pytest "$@"
