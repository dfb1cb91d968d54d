"""Retention's rules (SPEC §10): which kinds go on a day, on both sides of every date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.bewaring import (
    Bewaartermijnen,
    Gegevens,
    einde_van_stroom,
    plan,
)
from kbi_exchange.domain.protocol import (
    ProtocolGebeurtenis,
    ProtocolStaat,
    Soort,
    Stroom,
    staat_op,
)
from kbi_exchange.parameters import protocol_definitie

TERMIJNEN = Bewaartermijnen(
    respijt_dagen=30,
    beslissingen_jaren=10,
    audit_jaren=7,
    onbeslist_dagen=100,
    zorgkas_bestand_dagen=10,
)
NU = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _staat(*gebeurtenissen: ProtocolGebeurtenis) -> ProtocolStaat:
    return staat_op(protocol_definitie(), list(gebeurtenissen), NU)


def _vervalt(stroom: Stroom, datum: date, op: datetime) -> ProtocolGebeurtenis:
    return ProtocolGebeurtenis(
        "g", Soort.GROND_VERVALT, op, "dora", "GwH 112/2023", stroom=stroom, datum=datum
    )


def _soorten(node: Node, staat: ProtocolStaat, op: date) -> dict[Gegevens, date]:
    return {o.gegevens: o.grens for o in plan(node, TERMIJNEN, staat, op)}


def test_without_an_end_only_the_periods_apply() -> None:
    staat = _staat()
    assert einde_van_stroom(staat, Stroom.F1) is None
    assert _soorten(Node.AII, staat, date(2026, 12, 2)) == {
        Gegevens.BESLISSING: date(2016, 12, 2),
        Gegevens.MELDING: date(2016, 12, 2),
        Gegevens.LIJST_INHOUD: date(2026, 12, 3),
        Gegevens.AUDIT: date(2019, 12, 2),
    }
    assert _soorten(Node.VSB, staat, date(2026, 12, 2)) == {
        Gegevens.AANVRAAG: date(2026, 12, 2),
        Gegevens.OVERLEDEN: date(2026, 12, 2),
        Gegevens.LIJST_OVERTOLLIG: date(2026, 12, 3),
        Gegevens.AANVRAAG_ONBESLIST: date(2026, 8, 24),  # 100 days
        Gegevens.ZORGKAS_BESTAND: date(2026, 11, 22),  # 10 days
        Gegevens.POSTVAK: date(2026, 11, 22),
        Gegevens.MELDING: date(2021, 12, 2),
        Gegevens.BERICHT: date(2021, 12, 2),
        Gegevens.AUDIT: date(2019, 12, 2),
    }


def test_a_lapse_recorded_at_once_purges_after_the_grace_period_not_a_day_before() -> None:
    staat = _staat(_vervalt(Stroom.F1, date(2023, 7, 20), datetime(2023, 7, 20, 9, tzinfo=UTC)))
    einde = einde_van_stroom(staat, Stroom.F1)
    assert einde is not None
    assert (einde.einde, einde.respijt_vanaf) == (date(2023, 7, 20),) * 2
    assert "GwH 112/2023" in einde.waarom
    assert einde_van_stroom(staat, Stroom.F2) is None
    dag_ervoor, dag = date(2023, 8, 18), date(2023, 8, 19)  # 30 days after 2023-07-20
    assert Gegevens.AANVRAAG_F1 not in _soorten(Node.VSB, staat, dag_ervoor)
    assert Gegevens.BESLISSING_F1 not in _soorten(Node.AII, staat, dag_ervoor)
    vsb = _soorten(Node.VSB, staat, dag)
    # all of it, also what arrived after the ground went: up to the day of the run
    assert vsb[Gegevens.AANVRAAG_F1] == date(2023, 8, 20)
    assert Gegevens.ONTVANGEN_LIJST_F2 not in vsb
    assert Gegevens.BESLISSING_F1 in _soorten(Node.AII, staat, dag)


def test_an_annulment_recorded_years_later_still_leaves_the_grace_period() -> None:
    staat = _staat(_vervalt(Stroom.F1, date(2023, 7, 20), NU))
    einde = einde_van_stroom(staat, Stroom.F1)
    assert einde is not None
    assert (einde.einde, einde.respijt_vanaf) == (
        date(2023, 7, 20),
        date(2026, 12, 2),
    )
    assert Gegevens.AANVRAAG_F1 in _soorten(Node.VSB, staat, date(2027, 1, 1))
    assert Gegevens.AANVRAAG_F1 not in _soorten(Node.VSB, staat, date(2026, 12, 31))


def test_the_end_of_the_protocol_ends_both_flows() -> None:
    einde = ProtocolGebeurtenis("e", Soort.BEEINDIGD, datetime(2025, 3, 1, 9, tzinfo=UTC), "d", "x")
    staat = _staat(einde)
    for stroom in Stroom:
        e = einde_van_stroom(staat, stroom)
        assert e is not None
        assert e.einde == date(2025, 3, 1)
        assert "protocol ended" in e.waarom
    assert {Gegevens.LIJST_F2, Gegevens.BESLISSING_F1} <= set(
        _soorten(Node.AII, staat, date(2025, 3, 31))
    )


def test_periods_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="grace_days"):
        Bewaartermijnen(respijt_dagen=-1, beslissingen_jaren=1, audit_jaren=1)
    with pytest.raises(ValueError, match="zorgkas_file_days"):
        Bewaartermijnen(
            respijt_dagen=1, beslissingen_jaren=1, audit_jaren=1, zorgkas_bestand_dagen=-1
        )


def test_every_kind_says_why_in_the_dry_run() -> None:
    for node in Node:
        for opdracht in plan(node, TERMIJNEN, _staat(), date(2026, 12, 2)):
            assert len(opdracht.reden) > 30, opdracht.gegevens
