# cse-desktop: two commands on a fresh machine.
#   make run     set up and start the app         (make run DEMO=1 for the demo store,
#                                                  make run DEMO=1 ROLE=team_lead as a team lead)
#   make test    set up and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=
# Tests run in parallel (pytest-xdist); most of their time is spent waiting on servers and links.
# One test at a time per worker, so that the long tests (started first) spread over the workers
# instead of queueing on one.
TEST_WORKERS ?= 3
XDIST := -n $(TEST_WORKERS) --maxschedchunk 1

ifeq ($(DEMO),1)
RUN_ARGS := --demo $(if $(ROLE),--demo-role $(ROLE)) $(ARGS)
else
RUN_ARGS := $(ARGS)
endif

.PHONY: setup run demo test test-fast test-dates bench lint screenshots package clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cse-desktop needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[desktop,server,dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/cse-desktop $(RUN_ARGS)

# A local central service with demo users, and a desktop app enrolled against it.
demo: setup
	$(BIN)/python scripts/demo_stack.py $(ARGS)

test: setup
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# The suite as if today were a summer date a year ahead and a winter date three years ahead.
test-dates: setup
	bash scripts/test_on_dates.sh $(XDIST) $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m tests.bench $(ARGS)

# Style (ruff), types (mypy, configured in pyproject.toml) and the layers of the package
# (tests/test_architecture.py; docs/architecture.md).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_architecture.py

screenshots: setup
	@command -v xvfb-run >/dev/null || { echo "Needs xvfb: sudo apt-get install xvfb"; exit 1; }
	xvfb-run -a -s "-screen 0 1366x768x24" $(BIN)/python scripts/screenshots.py

package: setup
	$(BIN)/python -m pip install --quiet -e '.[desktop,package]'
	$(BIN)/pyinstaller --noconfirm --clean packaging/cse-desktop.spec

clean:
	rm -rf build dist screenshots bench-results .pytest_cache .ruff_cache
