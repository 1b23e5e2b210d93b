# The README's commands. `make demo` runs the main job on the bundled example; `make test` runs
# the whole suite (slow tests included) after installing what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format browser checkers bench bench-publish clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/policywatch demo

browser: $(STAMP)
	PY=$(BIN)/python bash scripts/ensure-browser.sh

checkers:
	bash scripts/ensure-checkers.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) browser checkers lint
	$(BIN)/python -m pytest

bench-publish: $(STAMP)
	$(BIN)/python bench/publish_bench.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) _site .demo .pytest_cache .ruff_cache .tools test-artifacts
