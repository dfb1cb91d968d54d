"""The reduced zorgpremie (SPEC §9): VT on 1 January of P−1 and not on the list of P−1; the
amounts per year with their source; a year or an amount without one is an error."""

from __future__ import annotations

from datetime import date

import pytest

from kbi_exchange.domain.lid import Aansluiting, Lid
from kbi_exchange.domain.periods import Periode
from kbi_exchange.domain.premie import PremieFout, bepaal_premie
from kbi_exchange.parameters import OngeldigeParameters, parse_premie_bedragen, premie_bedragen

INSZ = "85073001546"
BEDRAGEN = premie_bedragen()


def _lid(*vt: Periode) -> Lid:
    return Lid(INSZ, (Aansluiting("CM", Periode(date(2010, 1, 1))),), vt=vt)


MET_VT = _lid(Periode(date(2022, 6, 1), date(2023, 1, 1)))


def test_the_shipped_amounts_are_those_of_the_sources() -> None:
    assert (BEDRAGEN[2021].volledig, BEDRAGEN[2021].verlaagd) == (54, 27)
    assert (BEDRAGEN[2024].volledig, BEDRAGEN[2024].verlaagd) == (62, 31)
    assert 2022 not in BEDRAGEN  # not found in a source
    assert BEDRAGEN[2025].verlaagd is None
    assert all(b.bron for b in BEDRAGEN.values())


def test_vt_on_1_january_of_the_year_before_and_not_listed_pays_the_reduced_premium() -> None:
    premie = bepaal_premie(insz=INSZ, jaar=2024, lid=MET_VT, op_lijst=False, bedragen=BEDRAGEN)
    assert (premie.verlaagd, premie.bedrag) == (True, 31)
    assert "2023-01-01" in premie.reden
    assert "niet op de lijst van 2023" in premie.reden
    assert premie.json() == {
        "insz": INSZ,
        "jaar": 2024,
        "verlaagd": True,
        "bedrag": 31,
        "reden": premie.reden,
    }


def test_listed_or_without_vt_pays_the_full_premium() -> None:
    listed = bepaal_premie(insz=INSZ, jaar=2024, lid=MET_VT, op_lijst=True, bedragen=BEDRAGEN)
    assert (listed.verlaagd, listed.bedrag) == (False, 62)
    assert "op de lijst van 2023" in listed.reden
    # VT that ended the day before the peildag does not count; the list is not needed then
    zonder = _lid(Periode(date(2020, 1, 1), date(2022, 12, 31)))
    premie = bepaal_premie(insz=INSZ, jaar=2024, lid=zonder, op_lijst=None, bedragen=BEDRAGEN)
    assert (premie.verlaagd, premie.bedrag) == (False, 62)
    assert "geen verhoogde tegemoetkoming op 2023-01-01" in premie.reden


@pytest.mark.parametrize(
    ("jaar", "lid", "op_lijst", "fout"),
    [
        (2022, MET_VT, False, "applies from 2023"),
        (2021, MET_VT, False, "applies from 2023"),
        (2024, None, False, "not in the member registry"),
        (2024, MET_VT, None, "no yearly list of 2023 was received"),
        (2026, MET_VT, False, "no sourced full premium amount for 2026"),
    ],
)
def test_what_cannot_be_decided_is_an_error_never_a_guess(
    jaar: int, lid: Lid | None, op_lijst: bool | None, fout: str
) -> None:
    with pytest.raises(PremieFout, match=fout):
        bepaal_premie(insz=INSZ, jaar=jaar, lid=lid, op_lijst=op_lijst, bedragen=BEDRAGEN)


def test_a_year_with_only_a_full_amount_answers_the_full_premium_and_refuses_the_reduced() -> None:
    vt_2024 = _lid(Periode(date(2024, 1, 1)))
    with pytest.raises(PremieFout, match="no sourced reduced premium amount for 2025"):
        bepaal_premie(insz=INSZ, jaar=2025, lid=vt_2024, op_lijst=False, bedragen=BEDRAGEN)
    vol = bepaal_premie(insz=INSZ, jaar=2025, lid=vt_2024, op_lijst=True, bedragen=BEDRAGEN)
    assert (vol.verlaagd, vol.bedrag) == (False, 64)


@pytest.mark.parametrize(
    ("tekst", "fout"),
    [
        ("2024: {volledig: 62}", "'bron'"),
        ("'2024': {volledig: 62, bron: x}", "a year with amounts"),
        ("2024: {volledig: 62.5, bron: x}", "whole euros"),
        ("2024: {verlaagd: -1, bron: x}", "whole euros"),
    ],
)
def test_a_bad_amounts_file_is_refused(tekst: str, fout: str) -> None:
    with pytest.raises(OngeldigeParameters, match=fout):
        parse_premie_bedragen(tekst)
