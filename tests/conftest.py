"""Shared test helpers: the examples of the spec (project copy) and an in-memory KBI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kbi_exchange.adapters.memory import InMemoryKbi

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "examples"
# The moment the examples are loaded and asked "as known now"; passed in, never read from a clock.
NU = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def example_cases() -> list[dict[str, Any]]:
    with (EXAMPLES / "expected.jsonl").open(encoding="utf-8") as regels:
        return [json.loads(regel) for regel in regels if regel.strip()]


@pytest.fixture
def example_kbi() -> InMemoryKbi:
    kbi = InMemoryKbi()
    with (EXAMPLES / "dossiers.jsonl").open(encoding="utf-8") as regels:
        kbi.laad_jsonl(regels, opgenomen_op=NU)
    return kbi


def assert_matches_expected(antwoord: dict[str, Any], verwacht: dict[str, Any]) -> None:
    """Compare as examples/README.md says: redenen as a set, uitzonderingen must be present."""
    for veld, waarde in verwacht.items():
        if veld == "redenen":
            assert set(antwoord["redenen"]) == set(waarde), veld
        elif veld == "uitzonderingen":
            if waarde == []:
                assert antwoord["uitzonderingen"] == [], veld
            assert set(waarde) <= set(antwoord["uitzonderingen"]), veld
        else:
            assert antwoord[veld] == waarde, veld
