# The two commands of the README. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: set everything up and run the main job (`kbi demo`).
run: $(STAMP)
	$(BIN)/kbi demo

## make test: lint, type-check and run the whole test suite.
test: $(STAMP) lint
	$(BIN)/pytest

## make test-fast: the domain, rule and service tests (fakes, no databases): seconds.
test-fast: $(STAMP)
	$(BIN)/pytest -q tests/unit tests/rules tests/services

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

## make bench: the benchmarks under benchmarks/ (import and list set up a million dossiers: minutes).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rules.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_advies.py
	$(BIN)/python benchmarks/bench_lijst.py
	$(BIN)/python benchmarks/bench_leden.py
	$(BIN)/python benchmarks/bench_verdeling.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
