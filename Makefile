# The README's commands. Everything a fresh machine needs is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install security lock

# requirements.lock pins every package the app and its tests use (pyproject.toml's
# dependencies and the `test` extra, and the pip and setuptools that install it), each with
# its hashes: pip refuses anything else. The project itself is then installed, editable and
# unhashed, built by the lock's setuptools (whose warning that a flat layout's folders may
# shadow the package is silenced). Only plain pip is needed for this.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/assure db upgrade
	$(BIN)/assure demo load --if-empty
	$(BIN)/assure serve

# Tests run in one process per core (pytest-xdist); a module's tests stay together, as the
# browser tests share a server per module. The 25 slowest are listed at the end, so that a
# run that grows slower says where.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile --durations=25

bench: $(STAMP)
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/bench_autosave.py
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_live.py

# ruff, then mypy on app/ (its settings are in pyproject.toml: [tool.mypy]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The security scans CI runs before the tests. bandit: the code, medium severity and above.
# pip-audit: every package pinned in requirements.lock against PyPI's advisories, failing on
# any known vulnerability; it needs PyPI, so without the network it says so and is skipped.
security: $(STAMP)
	$(BIN)/bandit -r app -ll -q
	@if $(BIN)/python -c "import urllib.request as u; u.urlopen('https://pypi.org/simple/', timeout=10)" >/dev/null 2>&1; then \
		$(BIN)/pip-audit -r requirements.lock --require-hashes --disable-pip --progress-spinner off; \
	else \
		echo "pip-audit skipped: PyPI (https://pypi.org) cannot be reached from this machine."; \
	fi

# Regenerates requirements.lock from pyproject.toml; run it after changing the dependencies
# and commit the lock (tests/test_lock.py fails while a dependency is missing from it). Pins
# already in the lock are kept while they fit; `make lock LOCK_ARGS=--upgrade` takes the newest
# releases, `LOCK_ARGS='--upgrade-package NAME'` one package's. uv resolves for every
# platform on Python 3.11 and up, against plain PyPI whatever pip's configuration says; it is
# installed into .venv for this alone, needs nothing else, and is not in the lock. pip and
# setuptools are added to pin the installer and the project's build backend (see
# [build-system] requires).
UV_VERSION := 0.13.8
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	printf 'pip\nsetuptools>=68\n' | $(BIN)/uv pip compile --quiet --no-config \
		--default-index https://pypi.org/simple --universal --python-version 3.11 \
		--generate-hashes --extra test --custom-compile-command 'make lock' \
		$(LOCK_ARGS) -o requirements.lock pyproject.toml -
