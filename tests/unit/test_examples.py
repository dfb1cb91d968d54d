"""Every example of the spec (project copy in tests/data/examples) through `evaluate`."""

from __future__ import annotations

from typing import Any

import pytest

from kbi_exchange.domain.advies import Vraag
from kbi_exchange.domain.dates import moment_uit_tekst
from kbi_exchange.services.decide import antwoord_json, decide
from tests.conftest import NU, assert_matches_expected, example_cases
from tests.fakes import InMemoryKbi


@pytest.mark.parametrize(
    "geval", example_cases(), ids=lambda g: f"{g['vraag']['insz']}@{g['vraag']['datum']}"
)
def test_example_gives_the_expected_answer(example_kbi: InMemoryKbi, geval: dict[str, Any]) -> None:
    vraag = geval["vraag"]
    gekend_op = moment_uit_tekst(vraag["gekend_op"]) if "gekend_op" in vraag else None
    antwoord = decide(
        Vraag(vraag["insz"], vraag["datum"]), zoek=example_kbi.zoek, nu=NU, gekend_op=gekend_op
    )
    assert_matches_expected(antwoord_json(antwoord), geval["verwacht"])


def test_the_examples_are_all_there() -> None:
    assert len(example_cases()) == 12
