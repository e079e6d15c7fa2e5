# ServicePact — `make run` serves the product, `make test` passes the suite.
# Both set everything up first: .venv, pinned packages, Debian libraries, migrations.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# This machine's pip config names local indexes that may be absent; hide only that noise.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help run test worker beat lint fmt bench schema messages demo setup setup-dev migrate check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip $(QUIET_PIP)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt $(QUIET_PIP)
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt $(QUIET_PIP)
	touch $@

setup: $(VENV)/.runtime ## Virtual environment, packages and Debian libraries for running
	@bash scripts/system-deps.sh run

setup-dev: $(VENV)/.dev ## The same plus test tools and Debian's chromium
	@bash scripts/system-deps.sh test

migrate: setup
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) compilemessages -v 0 --ignore=.venv

run: migrate ## Set up, migrate, load catalogue and demo data, serve at http://127.0.0.1:$(PORT)
	$(MANAGE) demo
	$(MANAGE) collectstatic --noinput -v 0
	@echo "ServicePact: http://127.0.0.1:$(PORT)/  (jobs $$( [ -n "$$REDIS_URL" ] && echo 'on Redis: start `make worker`' || echo 'run in-process'))"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup-dev ## Set up and run the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	@bash scripts/system-deps.sh run
	$(MANAGE) compilemessages -v 0 --ignore=.venv
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

worker: setup ## A Celery worker (needs REDIS_URL)
	$(BIN)/celery -A config worker -l info --concurrency=2 -Q $${CELERY_QUEUE:-servicepact}

beat: setup ## Celery beat, the periodic scheduler (needs REDIS_URL)
	$(BIN)/celery -A config beat -l info

lint: setup-dev ## ruff, formatting check, the import layers and mypy on the typed core
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: setup-dev ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup-dev ## Benchmarks under bench/ (ratios against a baseline in the same run)
	$(BIN)/python bench/run.py

schema: setup-dev ## Regenerate docs/api/openapi.yaml
	$(MANAGE) spectacular --file docs/api/openapi.yaml --validate

messages: setup-dev ## Extract and compile translations (zh_Hans, en)
	$(MANAGE) makemessages -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --ignore=test-results
	$(MANAGE) compilemessages --ignore=.venv

demo: migrate ## Reload the demo data and reset the demo passwords
	$(MANAGE) demo --reset-passwords

check: setup-dev ## Django checks and migrations in sync
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
