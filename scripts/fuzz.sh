#!/usr/bin/env bash
# `make fuzz`: schemathesis over the whole OpenAPI spec, >= 1,000 calls (issue 7, item 6), against the
# real PostgreSQL and Redis. MULING_FUZZ_EXAMPLES sets the examples per operation (default 100).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/muling}}"
export REDIS_URL="${REDIS_URL:-${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}}"
export MULING_VAR_DIR="${MULING_VAR_DIR:-$PWD/var/test}"
export MULING_FUZZ=1
exec .venv/bin/pytest -q -p no:logging -s tests/crash/test_fuzz_full.py "$@"
