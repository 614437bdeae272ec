# The README's commands. Everything a fresh machine needs is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/assure db upgrade
	$(BIN)/assure demo load --if-empty
	$(BIN)/assure serve

# Tests run in one process per core (pytest-xdist); a module's tests stay together, as the
# browser tests share a server per module.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/bench_autosave.py

lint: $(STAMP)
	$(BIN)/ruff check .
