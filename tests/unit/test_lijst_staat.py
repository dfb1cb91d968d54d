"""The yearly list's states (SPEC §8.1): every step, its refusals, and reruns."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from kbi_exchange.domain.lijst import LijstFout, LijstStatus
from kbi_exchange.domain.lijst_staat import Lijst, controleer_kalenderjaar, controleer_opvolging

T = datetime(2026, 1, 15, 10, tzinfo=UTC)


def _gemaakt(vervangt: str | None = None) -> Lijst:
    return Lijst("l-1", 2026, LijstStatus.GEMAAKT, 3, "ab" * 32, vervangt, T, "maker")


def _geleverd() -> Lijst:
    return _gemaakt().keur_goed("anna", T).met_bestand("f.p7m", "cd" * 32).lever("maker", T)


def test_a_list_goes_through_every_state_with_who_and_when() -> None:
    lijst = _geleverd().ontvang("vsb", T)
    assert lijst.status is LijstStatus.ONTVANGEN
    assert [s for s, _, _ in lijst.stappen()] == ["gemaakt", "goedgekeurd", "geleverd", "ontvangen"]


def test_no_one_approves_their_own_list() -> None:
    with pytest.raises(LijstFout, match="made list l-1 and so may not approve it"):
        _gemaakt().keur_goed("maker", T)


def test_every_step_rerun_changes_nothing() -> None:
    goedgekeurd = _gemaakt().keur_goed("anna", T)
    assert goedgekeurd.keur_goed("bert", T) is goedgekeurd
    geleverd = _geleverd()
    assert geleverd.lever("iemand", T) is geleverd
    ontvangen = geleverd.ontvang("vsb", T)
    assert ontvangen.ontvang("vsb", T) is ontvangen


@pytest.mark.parametrize(
    ("stap", "reden"),
    [
        (lambda lijst: lijst.lever("maker", T), "only an approved list can leave"),
        (lambda lijst: lijst.met_bestand("f", "x"), "only an approved list can leave"),
        (lambda lijst: lijst.ontvang("vsb", T), "not delivered"),
    ],
)
def test_a_step_out_of_order_is_refused(stap: object, reden: str) -> None:
    with pytest.raises(LijstFout, match=reden):
        stap(_gemaakt())  # type: ignore[operator]


def test_a_replaced_list_cannot_be_approved_but_its_late_receipt_still_counts() -> None:
    with pytest.raises(LijstFout, match="not waiting for approval"):
        _gemaakt().vervang(T).keur_goed("anna", T)
    laat = _geleverd().vervang(T).ontvang("vsb", T)
    assert (laat.status, laat.ontvangen_door) == (LijstStatus.VERVANGEN, "vsb")


def test_the_year_belongs_to_one_list_and_moves_to_an_approved_rectification() -> None:
    oud = _geleverd()
    nieuw = _gemaakt(vervangt="l-1")
    assert (oud.telt_voor_jaar, nieuw.telt_voor_jaar) == (True, False)
    assert nieuw.keur_goed("anna", T).telt_voor_jaar
    assert not oud.vervang(T).telt_voor_jaar


def test_a_new_list_for_a_year_must_rectify_the_current_one() -> None:
    controleer_opvolging(2026, None, None)
    controleer_opvolging(2026, "l-1", _gemaakt())
    with pytest.raises(LijstFout, match="already has list l-1"):
        controleer_opvolging(2026, None, _gemaakt())
    with pytest.raises(LijstFout, match="not the current list of 2026 \\(that is l-1\\)"):
        controleer_opvolging(2026, "l-9", _gemaakt())
    with pytest.raises(LijstFout, match="there is none"):
        controleer_opvolging(2026, "l-9", None)


def _lijst(
    lijst_id: str, jaar: int, geleverd_op: datetime | None, vervangt: str | None = None
) -> Lijst:
    gemaakt = Lijst(lijst_id, jaar, LijstStatus.GEMAAKT, 1, "ab" * 32, vervangt, T, "maker")
    klaar = gemaakt.keur_goed("anna", T).met_bestand(f"{lijst_id}.p7m", "cd" * 32)
    return klaar.lever("maker", geleverd_op) if geleverd_op else klaar


def test_one_list_leaves_per_calendar_year_and_a_correction_may_always_follow() -> None:
    dit_jaar = date(2026, 12, 3)
    nieuw = _gemaakt().keur_goed("anna", T)
    # nothing left this year yet; a list delivered last year does not count
    vorig = _lijst("l-2025", 2025, datetime(2025, 12, 31, 22, 59, tzinfo=UTC))  # 23:59 Brussels
    controleer_kalenderjaar(nieuw, [vorig], dit_jaar)
    # one went out on 1 January in Brussels (23:00 UTC the day before): a second is refused,
    # whatever its year
    eerste = _lijst("l-2025", 2025, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    with pytest.raises(LijstFout, match="at most one list leaves per calendar year"):
        controleer_kalenderjaar(nieuw, [eerste], dit_jaar)
    # also when the other one's file is made and still on its way
    with pytest.raises(LijstFout, match="its file is made"):
        controleer_kalenderjaar(nieuw, [_lijst("l-x", 2026, None)], dit_jaar)
    # a correction of the list delivered this year may follow, again and again
    geleverd = _lijst("l-1", 2026, datetime(2026, 2, 1, tzinfo=UTC))
    rechtzetting = replace(nieuw, id="l-r1", vervangt="l-1")
    controleer_kalenderjaar(rechtzetting, [geleverd], dit_jaar)
    tweede = _lijst("l-r1", 2026, datetime(2026, 3, 1, tzinfo=UTC), vervangt="l-1")
    controleer_kalenderjaar(
        replace(nieuw, id="l-r2", vervangt="l-r1"), [geleverd, tweede], dit_jaar
    )
    # so may a correction of last year's list, and it does not use up this calendar year:
    # corrected in January, this year's list still leaves in March
    correctie = _lijst("l-c", 2025, datetime(2026, 1, 8, tzinfo=UTC), vervangt="l-2025")
    controleer_kalenderjaar(
        replace(nieuw, id="l-c2", jaar=2025, vervangt="l-c"), [vorig, correctie, geleverd], dit_jaar
    )
    controleer_kalenderjaar(nieuw, [vorig, correctie], dit_jaar)
    # a "rectification" of a list that never left is its year's first delivery: it counts
    nooit = replace(_gemaakt().keur_goed("anna", T), id="l-n", jaar=2025)
    with pytest.raises(LijstFout, match="at most one list"):
        controleer_kalenderjaar(
            replace(nieuw, id="l-n2", jaar=2025, vervangt="l-n"), [nooit, geleverd], dit_jaar
        )
    # the list itself, sent again after a crash, is not a second delivery
    controleer_kalenderjaar(geleverd, [geleverd], dit_jaar)
