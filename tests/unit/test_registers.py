"""The registers' checks (SPEC §12, art. 4): a recipient other than a zorgkas is never named
like one, however the name is written."""

from __future__ import annotations

import pytest

from kbi_exchange.domain.registers import lijkt_op_zorgkas
from kbi_exchange.schemas import zorgkas_namen


@pytest.mark.parametrize(
    "naam",
    [
        "CM",
        "Zorgkas CM",
        "LM-Zorgkas",
        "zorgkas-oz",
        "Z o r g k a s",
        "ＣＭＺｏｒｇｋａｓ",  # full-width
        "Zоrgkas CM",  # a Cyrillic о
        "Solidaris",
        "Neutrale Zorgkas",
        "CM Zorg",
        "Onafhankelijke Ziekenfondsen",
        "Zörgkas",
    ],
)
def test_a_name_that_could_pass_for_a_zorgkas_is_refused(naam: str) -> None:
    assert lijkt_op_zorgkas(naam, zorgkas_namen())


@pytest.mark.parametrize("naam", ["Statbel", "Vlaamse Overheid", "Onderzoek KU Leuven", "Smals"])
def test_other_names_are_taken(naam: str) -> None:
    assert not lijkt_op_zorgkas(naam, zorgkas_namen())
