"""The protocol's life as data (SPEC §12): its state at any moment from its recorded steps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

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


def test_notice_ends_the_protocol_twelve_months_later_to_the_day() -> None:
    stappen = [_g(Soort.OPGEZEGD, T0, partij="aii")]
    staat = staat_op(DEF, stappen, T0)
    assert (staat.toestand, staat.eindigt_op) == (Toestand.OPGEZEGD, date(2027, 3, 1))
    assert staat.weigering(Stroom.F1) is None  # it still runs during the notice
    laatste_dag = datetime(2027, 2, 28, 22, 59, tzinfo=UTC)  # 23:59 in Brussels
    assert staat_op(DEF, stappen, laatste_dag).toestand is Toestand.OPGEZEGD
    einde = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)  # midnight in Brussels
    assert staat_op(DEF, stappen, einde).toestand is Toestand.BEEINDIGD


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
