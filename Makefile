# The README's commands. Everything a fresh machine needs is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install security

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
	$(BIN)/python bench/bench_load.py

# ruff, then mypy on app/ (its settings are in pyproject.toml: [tool.mypy]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The security scans CI runs before the tests. bandit: the code, medium severity and above.
# pip-audit: the installed packages against PyPI's advisories, failing on any known
# vulnerability; it needs PyPI, so without the network it says so and is skipped. Packages
# PyPI does not know at their installed version (a private wheelhouse) are listed as skipped.
security: $(STAMP)
	$(BIN)/bandit -r app -ll -q
	@if $(BIN)/python -c "import urllib.request as u; u.urlopen('https://pypi.org/simple/', timeout=10)" >/dev/null 2>&1; then \
		$(BIN)/pip-audit --skip-editable --progress-spinner off; \
	else \
		echo "pip-audit skipped: PyPI (https://pypi.org) cannot be reached from this machine."; \
	fi
