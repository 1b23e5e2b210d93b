# The README's commands. `make demo` runs the main job on the bundled example; `make test` runs
# the whole suite (slow tests included) after installing what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV := $(VENV)/.installed-dev
# pip prints each package as it goes (a first install takes a minute or two): no silent minute
PIP := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off
# the demo and the tests start policywatch as a new process hundreds of times: let Python keep
# the bytecode it compiles (some machines set PYTHONDONTWRITEBYTECODE, costing ~40 ms a process)
RUN := env -u PYTHONDONTWRITEBYTECODE

.PHONY: demo test lint format browser checkers bench-publish clean

# policywatch and what it needs to run (what `make demo` waits for)
$(STAMP): pyproject.toml
	@echo "setup: making $(VENV) with $(PYTHON) and installing policywatch's dependencies"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) -e .
	@touch $(STAMP)
	@echo "setup: policywatch installed in $(VENV)"

# and what the tests and linters need
$(DEV): $(STAMP)
	@echo "setup: installing the test and lint tools"
	@$(PIP) -e '.[dev]'
	@touch $(DEV)

demo: $(STAMP)
	$(RUN) $(BIN)/policywatch demo

browser: $(STAMP)
	@PY=$(BIN)/python bash scripts/ensure-browser.sh

checkers:
	@bash scripts/ensure-checkers.sh

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(DEV) browser checkers lint
	$(RUN) $(BIN)/python -m pytest

bench-publish: $(DEV)
	$(BIN)/python bench/publish_bench.py

format: $(DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) _site .demo .pytest_cache .ruff_cache .mypy_cache .tools test-artifacts build dist
