"""Incidents' deadlines (art. 9, GDPR art. 33) on both sides of each, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import Incident, IncidentFout, nieuw, ontvangen

VASTGESTELD = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _incident(datalek: bool = True, **anders: object) -> Incident:
    velden: dict[str, object] = {
        "id_": "i-1",
        "partij": Node.AII,
        "vastgesteld_op": VASTGESTELD,
        "omschrijving": "Een lijstbestand werd naar een verkeerde map gestuurd.",
        "betrokkenen": 12,
        "categorieen": ["insz", "lijst"],
        "datalek": datalek,
        "door": "dora",
        "nu": VASTGESTELD + timedelta(hours=1),
        **anders,
    }
    return nieuw(**velden)  # type: ignore[arg-type]


def test_the_other_party_is_due_24_hours_and_the_vtc_72_hours_after_establishment() -> None:
    incident = _incident()
    assert incident.partij_uiterlijk == VASTGESTELD + timedelta(hours=24)
    op_tijd = incident.waarschuwingen(VASTGESTELD + timedelta(hours=24))
    assert not any("OVERDUE" in w for w in op_tijd)
    assert len(op_tijd) == 2  # both still to do
    te_laat = incident.waarschuwingen(VASTGESTELD + timedelta(hours=24, seconds=1))
    assert [w for w in te_laat if "OVERDUE" in w] == [
        f"incident i-1: the notification to the other party is OVERDUE since "
        f"{VASTGESTELD + timedelta(hours=24):%Y-%m-%d %H:%M} UTC"
    ]
    gemeld = incident.partij_gemeld(VASTGESTELD + timedelta(hours=2))
    assert not gemeld.achterstallig(VASTGESTELD + timedelta(hours=72))
    assert gemeld.achterstallig(VASTGESTELD + timedelta(hours=72, seconds=1))
    klaar = gemeld.vtc_gemeld("VTC-1", VASTGESTELD + timedelta(hours=3))
    assert klaar.waarschuwingen(VASTGESTELD + timedelta(days=30)) == []
    assert klaar.sluit(VASTGESTELD + timedelta(days=1)).status == "gesloten"


def test_no_vtc_deadline_without_a_breach_and_closing_needs_the_notifications() -> None:
    incident = _incident(datalek=False)
    assert incident.vtc_uiterlijk is None
    with pytest.raises(IncidentFout, match="no personal-data breach"):
        incident.vtc_gemeld("x", VASTGESTELD)
    with pytest.raises(IncidentFout, match="notify the other party"):
        incident.sluit(VASTGESTELD)
    met_lek = _incident().partij_gemeld(VASTGESTELD)
    with pytest.raises(IncidentFout, match="VTC"):
        met_lek.sluit(VASTGESTELD)


@pytest.mark.parametrize(
    ("veld", "waarde", "melding"),
    [
        ("vastgesteld_op", VASTGESTELD + timedelta(hours=2), "future"),
        ("vastgesteld_op", datetime(2026, 11, 30, 9), "offset"),  # noqa: DTZ001 - the point
        ("omschrijving", " ", "omschrijving"),
        ("omschrijving", "x" * 2001, "omschrijving"),
        ("betrokkenen", -1, "betrokkenen"),
        ("categorieen", [], "categorieen"),
        ("categorieen", ["insz", "paspoort"], "paspoort"),
    ],
)
def test_a_bad_field_is_named(veld: str, waarde: object, melding: str) -> None:
    with pytest.raises(IncidentFout, match=melding):
        _incident(True, **{veld: waarde})


def test_a_received_notification_is_checked_whole_and_has_no_deadlines() -> None:
    goed = _incident().melding()
    nu = VASTGESTELD + timedelta(hours=5)
    ontvangen_ = ontvangen(goed, Node.AII, nu)
    assert (ontvangen_.eigen, ontvangen_.waarschuwingen(nu + timedelta(days=9))) == (False, [])
    for fout, melding in (
        ({**goed, "partij": "vsb"}, "sender"),
        ({**goed, "extra": 1}, "unknown"),
        ({**goed, "datalek": "ja"}, "datalek"),
        ({**goed, "vastgesteld_op": "gisteren"}, "vastgesteld_op"),
        ({**goed, "id": ""}, "id"),
        ([goed], "object"),
    ):
        with pytest.raises(IncidentFout, match=melding):
            ontvangen(fout, Node.AII, nu)
