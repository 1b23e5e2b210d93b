# The README's commands. `make demo` runs the main job on the bundled example; `make test` runs
# the whole suite (slow tests included) after installing what it needs.
# the interpreter the venv is made with: see scripts/pick-python.sh (`make PYTHON=python3.12` for another)
PYTHON ?= $(shell sh scripts/pick-python.sh)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format browser checkers bytecode native bench bench-publish clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# policywatch starts as a new process for every command (the tests start hundreds); where
# PYTHONDONTWRITEBYTECODE is set, each would compile our modules from source again (about 40 ms),
# so their bytecode is written here (only what changed since the last time)
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q policywatch crawler feeds archive diffs

# the diff engine compiled with mypyc (scripts/build_native.py): about a fifth faster; only
# when its sources changed since the last build, and used only while it matches them
native: $(STAMP)
	$(BIN)/python scripts/build_native.py

demo: $(STAMP) bytecode native
	$(BIN)/policywatch demo

browser: $(STAMP)
	PY=$(BIN)/python bash scripts/ensure-browser.sh

checkers:
	bash scripts/ensure-checkers.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) bytecode native browser checkers lint
	$(BIN)/python -m pytest

bench-publish: $(STAMP)
	$(BIN)/python bench/publish_bench.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) _site .demo .pytest_cache .ruff_cache .mypy_cache .tools test-artifacts build/mypyc
	rm -f diffs/*.so diffs/native.digest
