# Muling — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2
# Tests use PostgreSQL; CI and developers have it on 127.0.0.1:5432 with trust auth.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/muling
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export DJANGO_SETTINGS_MODULE := muling.settings

.PHONY: run test install install-dev system-deps static messages demo serve lint fmt clean fuzz bench

$(PYTHON):
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check uv

# System packages: gettext for translations, chromium + a CJK font for browser tests (Debian, as root).
system-deps:
	@bash scripts/system-deps.sh $(SYSTEM_DEPS)

install: $(PYTHON)
	@$(MAKE) --no-print-directory system-deps SYSTEM_DEPS=runtime
	$(BIN)/uv pip install -q --python $(PYTHON) -r requirements.lock
	@$(MAKE) --no-print-directory static messages

install-dev: $(PYTHON)
	@$(MAKE) --no-print-directory system-deps SYSTEM_DEPS=dev
	$(BIN)/uv pip install -q --python $(PYTHON) -r requirements-dev.lock
	@$(MAKE) --no-print-directory static messages

static:
	npm ci --silent --no-audit --no-fund
	$(PYTHON) manage.py collectstatic --noinput -v0

messages:
	$(PYTHON) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

demo:
	$(PYTHON) manage.py migrate --noinput -v0
	$(PYTHON) manage.py load_demo

serve:
	@bash scripts/serve.sh $(HOST) $(PORT) $(WEB_WORKERS)

run: install demo serve

test: install-dev
	@bash scripts/test.sh

# Schemathesis over the whole OpenAPI spec, >= 1,000 calls (the suite runs a bounded version).
fuzz:
	@bash scripts/fuzz.sh

# Side-by-side benchmark (bench/README.md): generate BENCH_SIZE data once (kept while its manifest
# var/bench/<db>.json exists), then measure Muling, django-helpdesk and pgbench in one run.
# `make bench` is the short small run; `make bench BENCH_SIZE=full` uses the harness's full durations.
BENCH_SIZE ?= small
BENCH_DB ?= muling_bench_$(BENCH_SIZE)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
BENCH_ARGS ?= $(if $(filter tiny small,$(BENCH_SIZE)),--duration 5 --list-duration 5 --warmup 1,)
bench: install-dev
	@$(MAKE) --no-print-directory system-deps SYSTEM_DEPS=bench
	@test -f var/bench/$(BENCH_DB).json || \
		$(PYTHON) -m bench.generate --size $(BENCH_SIZE) --database-url $(BENCH_DATABASE_URL) --drop
	$(PYTHON) -m bench.harness --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles var
