"""Incidents as a service (art. 6, 9), on fakes: what is stored and audited at each step,
what a failed notification leaves, and a received notification taken once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import IncidentFout, PartijOnbereikbaar
from kbi_exchange.services import incidenten
from tests.actors import VAN_VSB, VIC
from tests.fakes import FakeIncidentWerk
from tests.fakes import FakeMessenger as Messenger

NU = datetime(2026, 12, 2, 10, tzinfo=UTC)


def _registreer(werk: FakeIncidentWerk, **anders: Any) -> Any:
    velden: dict[str, Any] = {
        "vastgesteld_op": NU - timedelta(hours=2),
        "omschrijving": "Een export werd naar een verkeerde map geschreven.",
        "betrokkenen": 3,
        "categorieen": ["insz"],
        "datalek": True,
        **anders,
    }
    return incidenten.registreer(uow=werk, node=Node.VSB, door=VIC, nu=NU, **velden)


def test_a_notification_that_fails_leaves_it_to_do_and_a_retry_sends_it() -> None:
    werk, messenger = FakeIncidentWerk(), Messenger()
    incident = _registreer(werk)
    assert [r.gebeurtenis for r in werk.audit.posten_] == ["vsb:incident:add"]
    messenger.down = True
    with pytest.raises(PartijOnbereikbaar):
        incidenten.meld_partij(uow=werk, node=Node.VSB, incident_id=incident.id,
                               messenger=messenger, door=VIC, nu=NU)  # fmt: skip
    assert werk.bewaard.get(incident.id).partij_gemeld_op is None  # type: ignore[union-attr]
    assert any("notify the other party" in w for w in incidenten.waarschuwingen(uow=werk, nu=NU))
    messenger.down = False
    gemeld = incidenten.meld_partij(uow=werk, node=Node.VSB, incident_id=incident.id,
                                    messenger=messenger, door=VIC, nu=NU)  # fmt: skip
    assert gemeld.partij_gemeld_op == NU
    assert [m["id"] for m in messenger.ontvangen] == [incident.id]
    assert "door" not in messenger.ontvangen[0]  # who registered it stays with the party
    assert werk.audit.posten_[-1].gebeurtenis == "vsb:incident:notify"


def test_a_received_notification_is_kept_once_and_another_party_cannot_reuse_its_id() -> None:
    bij_aii = FakeIncidentWerk()
    melding = _registreer(FakeIncidentWerk()).melding()
    eerste, nieuw = incidenten.ontvang(door=VAN_VSB, uow=bij_aii, node=Node.AII,
                                       van=Node.VSB, inhoud=melding, nu=NU)  # fmt: skip
    assert nieuw
    assert not eerste.eigen
    again, nieuw = incidenten.ontvang(door=VAN_VSB, uow=bij_aii, node=Node.AII,
                                      van=Node.VSB, inhoud=melding, nu=NU)  # fmt: skip
    assert (again, nieuw) == (eerste, False)
    assert len(bij_aii.bewaard.rijen) == 1
    assert [r.gebeurtenis for r in bij_aii.audit.posten_] == ["kbi:incident:receive"]
    with pytest.raises(IncidentFout, match="sender"):
        incidenten.ontvang(door=VAN_VSB, uow=bij_aii, node=Node.AII, van=Node.AII,
                           inhoud=melding, nu=NU)  # fmt: skip


def test_nothing_is_stored_for_a_bad_incident() -> None:
    werk = FakeIncidentWerk()
    with pytest.raises(IncidentFout, match="betrokkenen"):
        _registreer(werk, betrokkenen=-2)
    assert (werk.bewaard.rijen, werk.audit.posten_) == ({}, [])
