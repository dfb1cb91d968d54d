# The two commands of the README. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench bench-quick bench-scale reliability clean chromium screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: set everything up and run the main job (`kbi demo`).
run: $(STAMP)
	$(BIN)/kbi demo

## make test: lint, type-check and run the whole test suite (the browser tests in Chromium),
## in TEST_WORKERS processes (pytest-xdist; a module's tests stay in one process, so its
## module-wide set-up is made once). TEST_WORKERS=0: one process, as before.
TEST_WORKERS ?= 2
test: $(STAMP) lint chromium
	$(BIN)/pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadscope)

## Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
## Installed when missing and we are root; otherwise the browser tests say how (CI=true: fail).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	       && { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium \
	            || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	                 apt-get install -y -q --no-install-recommends chromium; }; } >/dev/null; } \
	  || echo "note: no Chromium (apt-get install chromium): the browser tests will not run"

## make screenshots: photograph the main pages into docs/screenshots/ (the browser tests).
screenshots: $(STAMP) chromium
	KBI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/browser

## make test-fast: the domain, rule and service tests (fakes, no databases): seconds.
test-fast: $(STAMP)
	$(BIN)/pytest -q tests/unit tests/rules tests/services

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

## make bench: every benchmark under benchmarks/, on SQLite and PostgreSQL, then one table of
## figures, baselines, verdicts, wall time and peak memory (a million dossiers: most of an hour).
## make bench-quick: the same at a tenth of the sizes (a smoke run); make bench-scale: the list
## and the distribution at 100 000, 1 000 000 and 3 000 000 dossiers.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

bench-scale: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --scale

## make reliability: kill -9 at every named step then rerun, fuzzing of every input format, and
## a 10-minute open-loop soak of F1 on SQLite and PostgreSQL; one table of what was lost.
## (The kill and fuzz tests also run in `make test`: the short form.)
reliability: $(STAMP)
	$(BIN)/python benchmarks/reliability.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
