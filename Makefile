# The two commands a newcomer needs:
#   make start   set up, seed demo content and start the apps on this machine
#   make test    set up and run every test (logic, notebooks, real browser), in two processes side by side
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PORT ?= 8866
# Personal links printed by `make start` point at the server it starts, unless told otherwise.
export WORKBOOK_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: start test setup setup-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,postgres]'
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-axe.sh
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-hub.sh

# A fresh evaluator key per start unless one is set, so the demo's evaluator link works.
start: setup
	@export WORKBOOK_EVALUATOR_KEY="$${WORKBOOK_EVALUATOR_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(24))')}"; \
	$(BIN)/workbook demo && exec $(BIN)/workbook serve --port $(PORT)

lint: setup-test
	$(BIN)/ruff check .

test: setup-test lint
	bash scripts/run-tests.sh $(BIN)/python

bench: setup-test
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
