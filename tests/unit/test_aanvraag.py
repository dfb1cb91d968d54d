"""A care-budget application (SPEC §9, §10): decided only on an answer that says so, the
condition not asked where it does not apply, and the retention clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbi_exchange.domain.aanvraag import (
    Aanvraag,
    AanvraagFout,
    AanvraagStatus,
    BronAntwoord,
    NietGevraagd,
    brief,
    geboortedatum_uit_insz,
    leeftijd_op,
    niet_te_vragen,
)
from kbi_exchange.domain.decision import OMSCHRIJVING, RedenCode
from kbi_exchange.domain.insz import Insz

NU = datetime(2026, 3, 10, 9, tzinfo=UTC)
EERSTE = date(2022, 1, 1)


def _aanvraag(**velden: object) -> Aanvraag:
    basis: dict[str, object] = {
        "id": "a-1",
        "insz": "85073001546",
        "opening": date(2024, 2, 1),
        "zorgkas": "CM",
        "status": AanvraagStatus.WACHT_OP_BRON,
        "aangemaakt_op": NU,
        "aangemaakt_door": "zoe",
        "referte": "r-1",
    }
    return Aanvraag(**{**basis, **velden})  # type: ignore[arg-type]


def test_ok_grants_nok_refuses_and_a_refused_question_decides_nothing() -> None:
    ok = _aanvraag().met_antwoord(BronAntwoord("r-1", "OK", None, None), NU)
    assert (ok.status, ok.beslist_op, ok.pogingen) == (AanvraagStatus.TOEGEKEND, NU, 1)
    nok = _aanvraag().met_antwoord(
        BronAntwoord("r-1", "NOK", "INBREUK_VASTGESTELD", "Er werd een inbreuk ..."), NU
    )
    assert nok.status is AanvraagStatus.GEWEIGERD
    assert nok.reden_code == "INBREUK_VASTGESTELD"
    geweigerd = _aanvraag().met_antwoord(
        BronAntwoord("r-1", None, None, None, ({"identificatie": "40001"},)), NU
    )
    assert geweigerd.status is AanvraagStatus.VRAAG_GEWEIGERD
    assert geweigerd.beslist_op is None
    assert not geweigerd.status.beslist


def test_an_answer_to_another_question_is_not_taken() -> None:
    with pytest.raises(AanvraagFout, match="another question"):
        _aanvraag().met_antwoord(BronAntwoord("r-2", "OK", None, None), NU)


def test_waiting_counts_the_attempt_and_decides_nothing() -> None:
    wachtend = _aanvraag().wacht(NU).wacht(NU)
    assert (wachtend.status, wachtend.pogingen, wachtend.beslist_op) == (
        AanvraagStatus.WACHT_OP_BRON,
        2,
        None,
    )


def test_the_retention_clock_starts_at_the_refusal_or_at_the_end() -> None:
    assert _aanvraag(status=AanvraagStatus.TOEGEKEND).bewaren_tot is None
    geweigerd = _aanvraag(status=AanvraagStatus.GEWEIGERD, beslist_op=NU)
    assert geweigerd.bewaren_tot == date(2031, 3, 10)
    beeindigd = _aanvraag(status=AanvraagStatus.TOEGEKEND).beeindig(date(2028, 2, 29), "death")
    assert beeindigd.bewaren_tot == date(2033, 2, 28)  # no 29 February in 2033
    assert beeindigd.einde_reden == "death"


def test_an_end_before_the_opening_or_a_second_end_is_refused() -> None:
    with pytest.raises(AanvraagFout, match="before the opening"):
        _aanvraag().beeindig(date(2024, 1, 31), None)
    beeindigd = _aanvraag().beeindig(date(2024, 2, 1), None)  # the opening day itself: fine
    with pytest.raises(AanvraagFout, match="already ended on 2024-02-01"):
        beeindigd.beeindig(date(2025, 1, 1), None)


@pytest.mark.parametrize(
    ("geboren", "opening", "verwacht"),
    [
        (date(2006, 2, 1), date(2024, 2, 1), None),  # 18 on the opening day: asked
        (date(2006, 2, 2), date(2024, 2, 1), NietGevraagd.ONDER_18),  # a day short
        (date(2008, 2, 29), date(2026, 2, 28), NietGevraagd.ONDER_18),
        (date(2008, 2, 29), date(2026, 3, 1), None),
        (None, date(2024, 2, 1), None),  # an unknown birth date is asked about
        (date(1985, 7, 30), date(2021, 12, 31), NietGevraagd.VOOR_EERSTE_DATUM),
        (date(1985, 7, 30), EERSTE, None),
    ],
)
def test_aii_is_not_asked_where_the_condition_does_not_apply(
    geboren: date | None, opening: date, verwacht: NietGevraagd | None
) -> None:
    assert niet_te_vragen(geboren=geboren, opening=opening, eerste_datum=EERSTE) == verwacht


def test_age_and_birth_date_from_the_number() -> None:
    assert leeftijd_op(date(2000, 6, 15), date(2018, 6, 14)) == 17
    assert leeftijd_op(date(2000, 6, 15), date(2018, 6, 15)) == 18
    assert geboortedatum_uit_insz(Insz.parse("85073001546")) == date(1985, 7, 30)
    # a BIS number whose birth date is unknown (month 20 + 0, day 0) says nothing
    basis = "002000123"
    onbekend = basis + f"{97 - int(basis) % 97:02d}"
    assert geboortedatum_uit_insz(Insz.parse(onbekend)) is None


def test_the_letter_of_a_refusal_says_why_what_to_do_and_whom_to_contact() -> None:
    nok = _aanvraag(
        status=AanvraagStatus.GEWEIGERD,
        beslist_op=NU,
        reden_code=RedenCode.B1_NIET_AANGETOOND.value,
        reden_omschrijving=OMSCHRIJVING[RedenCode.B1_NIET_AANGETOOND],
    )
    tekst = brief(nok, "CM-Zorgkas")
    assert tekst is not None
    assert "01-02-2024" in tekst
    assert OMSCHRIJVING[RedenCode.B1_NIET_AANGETOOND] in tekst
    assert "niveau B1" in tekst  # what it means for them
    assert "CM-Zorgkas" in tekst
    assert "integratie-inburgering.be" in tekst
    assert "85073001546" not in tekst
    assert brief(_aanvraag(status=AanvraagStatus.TOEGEKEND), "CM-Zorgkas") is None
    assert nok.json("CM-Zorgkas")["brief"] == tekst
