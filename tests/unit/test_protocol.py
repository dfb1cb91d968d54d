"""The protocol's life as data (SPEC §12): its state at any moment from its recorded steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.protocol import (
    ProtocolFout,
    ProtocolGebeurtenis,
    Soort,
    Stroom,
    Toestand,
    controleer_stap,
    staat_nu,
    staat_op,
)
from kbi_exchange.domain.protocol_stap import ontvangen_stap, te_melden
from kbi_exchange.parameters import protocol_definitie

DEF = protocol_definitie()
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _g(soort: Soort, op: datetime, **extra: object) -> ProtocolGebeurtenis:
    return ProtocolGebeurtenis(f"g-{op.isoformat()}", soort, op, "dora", "reden", **extra)  # type: ignore[arg-type]


def test_the_shipped_protocol_is_in_force_from_1_october_2021_with_bases_without_end() -> None:
    assert DEF.in_werking == date(2021, 10, 1)
    assert [s.stroom for s in DEF.stromen] == [Stroom.F1, Stroom.F2]
    assert all(g.geldig_tot is None for s in DEF.stromen for g in s.rechtsgronden)
    assert staat_op(DEF, [], datetime(2021, 9, 30, 12, tzinfo=UTC)).toestand is Toestand.NOG_NIET
    staat = staat_op(DEF, [], T0)
    assert staat.toestand is Toestand.IN_WERKING
    assert staat.weigering(Stroom.F1) is None


def test_suspended_until_resumed_and_reproducible_for_any_past_moment() -> None:
    stappen = [_g(Soort.GESCHORST, T0), _g(Soort.HERVAT, T0 + timedelta(days=2))]
    assert staat_op(DEF, stappen, T0 - timedelta(seconds=1)).toestand is Toestand.IN_WERKING
    geschorst = staat_op(DEF, stappen, T0 + timedelta(days=1))
    assert geschorst.toestand is Toestand.GESCHORST
    assert geschorst.weigering(Stroom.F2) == "De gegevensstromen van het protocol zijn geschorst."
    assert staat_op(DEF, stappen, T0 + timedelta(days=3)).weigering(Stroom.F1) is None


def test_notice_ends_the_protocol_twelve_months_after_its_receipt_to_the_day() -> None:
    stappen = [_g(Soort.OPGEZEGD, T0, partij="aii", ontvangen_op=T0)]
    staat = staat_op(DEF, stappen, T0)
    assert (staat.toestand, staat.eindigt_op) == (Toestand.OPGEZEGD, date(2027, 3, 1))
    assert staat.weigering(Stroom.F1) is None  # it still runs during the notice
    laatste_dag = datetime(2027, 2, 28, 22, 59, tzinfo=UTC)  # 23:59 in Brussels
    assert staat_op(DEF, stappen, laatste_dag).toestand is Toestand.OPGEZEGD
    einde = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)  # midnight in Brussels
    assert staat_op(DEF, stappen, einde).toestand is Toestand.BEEINDIGD


def test_a_notice_not_yet_received_has_not_started_to_run() -> None:
    gegeven = _g(Soort.OPGEZEGD, T0, partij="vsb")
    staat = staat_op(DEF, [gegeven], T0 + timedelta(days=40))
    assert (staat.toestand, staat.eindigt_op) == (Toestand.IN_WERKING, None)
    assert staat.opzegging_onderweg == gegeven
    with pytest.raises(ProtocolFout, match="notice was given already"):
        controleer_stap(staat, Soort.OPGEZEGD)
    # received 40 days later: the 12 months run from then, not from the day it was written
    ontvangen = replace(gegeven, ontvangen_op=T0 + timedelta(days=40))
    assert staat_op(DEF, [ontvangen], T0 + timedelta(days=41)).eindigt_op == date(2027, 4, 10)
    # and as known on a day before the receipt, it was still on its way
    assert staat_op(DEF, [ontvangen], T0 + timedelta(days=39)).eindigt_op is None


def _stap(soort: str, op: datetime, **extra: object) -> dict[str, object]:
    return {"id": "s-1", "soort": soort, "op": op.isoformat(), "reden": "r", **extra}


@pytest.mark.parametrize(
    ("inhoud", "fout"),
    [
        (_stap("opgezegd", datetime(2000, 1, 1, tzinfo=UTC), partij="vsb"), "dated in the past"),
        (_stap("opgezegd", T0 - timedelta(minutes=6), partij="vsb"), "dated in the past"),
        (_stap("opgezegd", T0 + timedelta(minutes=6), partij="vsb"), "ahead of this node"),
        (_stap("opgezegd", T0, partij="aii"), "partij: the sender is vsb"),
        (_stap("geschorst", T0), "vsb cannot take the step 'geschorst'"),
        (_stap("beeindigd", T0), "vsb cannot take the step"),
        (
            {**_stap("opgezegd", T0, partij="vsb"), "op": "0001-01-01T00:00:00+14:00"},
            "op: the year",
        ),
        (
            {**_stap("opgezegd", T0, partij="vsb"), "op": "9999-12-31T23:59:59-14:00"},
            "op: the year",
        ),
        ({**_stap("opgezegd", T0, partij="vsb"), "op": "2026-03-01T09:00:00"}, "op: expected"),
        ({**_stap("opgezegd", T0, partij="vsb"), "op": 20260301}, "op: expected"),
        (_stap("grond_vervalt", T0, stroom="F3", datum="2023-07-20"), "stroom: F1 or F2"),
        (_stap("grond_vervalt", T0, stroom="F1", datum="20230720"), "datum: expected"),
        (_stap("grond_vervalt", T0, stroom="F1", datum="2021-09-30"), "datum: before the protocol"),
        ({**_stap("grond_vervalt", T0, stroom="F1", datum="2023-07-20"), "x": 1}, "unknown fields"),
        (_stap("opgezegd", T0, partij="vsb", reden=""), "reden: 1 to 500"),
    ],
)
def test_a_step_from_the_other_party_is_checked_field_by_field(
    inhoud: dict[str, object], fout: str
) -> None:
    with pytest.raises(ProtocolFout, match=fout):
        ontvangen_stap(inhoud, van=Node.VSB, nu=T0, definitie=DEF)


def test_a_received_step_takes_effect_when_it_is_received_not_when_its_sender_says() -> None:
    gisteren = T0 - timedelta(days=1)
    g = ontvangen_stap(_stap("geschorst", gisteren), van=Node.AII, nu=T0, definitie=DEF)
    assert (g.op, g.ontvangen_op, g.door, g.ontvangen) == (T0, T0, "partij:aii", True)
    assert staat_op(DEF, [g], T0 - timedelta(hours=1)).toestand is Toestand.IN_WERKING
    opzegging = ontvangen_stap(
        _stap("opgezegd", T0 + timedelta(minutes=4), partij="aii"),
        van=Node.AII,
        nu=T0,
        definitie=DEF,
    )
    assert staat_op(DEF, [opzegging], T0).eindigt_op == date(2027, 3, 1)


def test_only_own_steps_that_bind_the_other_party_are_still_to_tell() -> None:
    eigen = _g(Soort.GROND_VERVALT, T0, stroom=Stroom.F1, datum=date(2023, 7, 20))
    gemeld = replace(_g(Soort.GESCHORST, T0), id="g-gemeld", ontvangen_op=T0)
    ontvangen = replace(_g(Soort.GESCHORST, T0), id="g-ontvangen", door="partij:aii")
    assert te_melden(Node.VSB, [eigen, gemeld, ontvangen]) == [eigen]
    assert te_melden(Node.AII, [_g(Soort.HERVAT, T0), gemeld]) == [_g(Soort.HERVAT, T0)]


def test_a_lapsed_basis_stops_its_flow_from_that_day_only() -> None:
    vervallen = [_g(Soort.GROND_VERVALT, T0, stroom=Stroom.F1, datum=date(2023, 7, 20))]
    staat = staat_op(DEF, vervallen, T0)
    assert staat.weigering(Stroom.F2) is None
    assert "geldt niet meer sinds 2023-07-20" in (staat.weigering(Stroom.F1) or "")
    # a disclosure made before the day it lapsed was allowed (the moment of disclosure counts)
    voor = staat_op(DEF, vervallen, datetime(2023, 7, 19, 12, tzinfo=UTC))
    assert voor.gebeurtenissen == ()  # the lapse was recorded later: the past stays as it was


@pytest.mark.parametrize(
    ("eerder", "soort", "fout"),
    [
        ([Soort.GESCHORST], Soort.GESCHORST, "suspended already"),
        ([], Soort.HERVAT, "not suspended"),
        ([Soort.OPGEZEGD], Soort.OPGEZEGD, "notice was given already"),
        ([Soort.BEEINDIGD], Soort.OPGEZEGD, "nothing more is accepted"),
        ([Soort.BEEINDIGD], Soort.HERVAT, "has ended"),
        ([Soort.BEEINDIGD], Soort.GESCHORST, "has ended"),
    ],
)
def test_steps_that_make_no_sense_are_refused(eerder: list[Soort], soort: Soort, fout: str) -> None:
    stappen = [_g(s, T0 - timedelta(hours=len(eerder) - i)) for i, s in enumerate(eerder)]
    with pytest.raises(ProtocolFout, match=fout):
        controleer_stap(staat_op(DEF, stappen, T0), soort)


def test_it_ends_by_law_when_no_flow_has_a_basis_and_a_lapse_is_still_recorded_after() -> None:
    beide = [
        _g(Soort.GROND_VERVALT, T0, stroom=Stroom.F1, datum=date(2023, 7, 20)),
        _g(
            Soort.GROND_VERVALT,
            T0 + timedelta(minutes=1),
            stroom=Stroom.F2,
            datum=date(2023, 7, 20),
        ),
    ]
    assert staat_op(DEF, beide[:1], T0 + timedelta(hours=1)).toestand is Toestand.IN_WERKING
    assert staat_op(DEF, beide, T0 + timedelta(hours=1)).toestand is Toestand.BEEINDIGD
    beeindigd = staat_op(DEF, [_g(Soort.BEEINDIGD, T0)], T0 + timedelta(hours=1))
    controleer_stap(beeindigd, Soort.GROND_VERVALT)  # an annulment reaches back: allowed


def test_a_disclosure_counts_a_step_stamped_a_moment_after_it_started() -> None:
    later = [_g(Soort.GESCHORST, T0 + timedelta(milliseconds=5))]
    assert staat_op(DEF, later, T0).toestand is Toestand.IN_WERKING  # the past as it was
    assert staat_nu(DEF, later, T0).toestand is Toestand.GESCHORST  # a disclosure now: no
