"""Incidents (SPEC §12, protocol art. 6 and 9) on either node: registered, notified to the
other party over its API (due 24 hours after it was established), for a personal-data breach
notified to the Vlaamse Toezichtcommissie (due 72 hours after), closed; and the other party's
notifications received. Every step is stored and audited in one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud import IncidentInhoud
from kbi_exchange.domain.fouten import NotFound
from kbi_exchange.domain.incident import Incident, IncidentFout, nieuw
from kbi_exchange.domain.incident import ontvangen as ontvangen_incident
from kbi_exchange.services.ports import IncidentWerk, Messenger

_GEBEURTENIS = {
    Node.AII: {
        "add": AuditGebeurtenis.INCIDENT_GEREGISTREERD,
        "notify": AuditGebeurtenis.INCIDENT_GEMELD,
        "receive": AuditGebeurtenis.INCIDENT_ONTVANGEN,
        "close": AuditGebeurtenis.INCIDENT_GESLOTEN,
    },
    Node.VSB: {
        "add": AuditGebeurtenis.VSB_INCIDENT_GEREGISTREERD,
        "notify": AuditGebeurtenis.VSB_INCIDENT_GEMELD,
        "receive": AuditGebeurtenis.VSB_INCIDENT_ONTVANGEN,
        "close": AuditGebeurtenis.VSB_INCIDENT_GESLOTEN,
    },
}


class OnbekendIncident(NotFound):
    """No such incident on this node."""


def _bewaar(
    werk: IncidentWerk,
    node: Node,
    stap: str,
    incident: Incident,
    door: str,
    nu: datetime,
    *,
    betrokkenen: int | None = None,
    aan: str | None = None,
) -> None:
    werk.incidenten.bewaar(incident)
    inhoud: IncidentInhoud = {"incident": incident.id, "datalek": incident.datalek}
    if stap == "add":
        inhoud["betrokkenen"] = betrokkenen
    if aan is not None:
        inhoud["aan"] = aan
    werk.audit.record(gebeurtenis=_GEBEURTENIS[node][stap], actor=door, tijdstip=nu, inhoud=inhoud)
    werk.commit()


@vereist(Permissie.INCIDENT_MELD)
def registreer(
    *,
    uow: IncidentWerk,
    node: Node,
    vastgesteld_op: datetime,
    omschrijving: str,
    betrokkenen: int,
    categorieen: list[str],
    datalek: bool,
    door: Actor,
    nu: datetime,
) -> Incident:
    """Register an incident of this node's party; its deadlines run from ``vastgesteld_op``."""
    incident = nieuw(
        id_=str(uuid.uuid4()),
        partij=node,
        vastgesteld_op=vastgesteld_op,
        omschrijving=omschrijving,
        betrokkenen=betrokkenen,
        categorieen=categorieen,
        datalek=datalek,
        door=door.naam,
        nu=nu,
    )
    with uow as werk:
        _bewaar(werk, node, "add", incident, door.naam, nu, betrokkenen=betrokkenen)
    return incident


def _eigen(werk: IncidentWerk, incident_id: str) -> Incident:
    incident = werk.incidenten.get(incident_id)
    if incident is None:
        raise OnbekendIncident(f"no incident {incident_id}")
    return incident


@vereist(Permissie.INCIDENT_MELD)
def meld_partij(
    *,
    uow: IncidentWerk,
    node: Node,
    incident_id: str,
    messenger: Messenger,
    door: Actor,
    nu: datetime,
) -> Incident:
    """Send the other party the notification over its API; recorded once it took it (a
    repeat is harmless: the other node keeps one record per incident id)."""
    with uow as werk:
        incident = _eigen(werk, incident_id)
    if not incident.eigen:
        raise IncidentFout(f"incident {incident_id} is the other party's: nothing to notify")
    messenger.stuur(incident.melding())
    gemeld = incident.partij_gemeld(nu) if incident.partij_gemeld_op is None else incident
    with uow as werk:
        _bewaar(werk, node, "notify", gemeld, door.naam, nu, aan="partij")
    return gemeld


@vereist(Permissie.INCIDENT_BEHEER)
def meld_vtc(
    *,
    uow: IncidentWerk,
    node: Node,
    incident_id: str,
    referentie: str,
    door: Actor,
    nu: datetime,
) -> Incident:
    """Record that the breach was notified to the Vlaamse Toezichtcommissie (through its own
    channel; this system does not send it) and under which reference."""
    with uow as werk:
        gemeld = _eigen(werk, incident_id).vtc_gemeld(referentie, nu)
        _bewaar(werk, node, "notify", gemeld, door.naam, nu, aan="vtc")
    return gemeld


@vereist(Permissie.INCIDENT_BEHEER)
def sluit(
    *, uow: IncidentWerk, node: Node, incident_id: str, door: Actor, nu: datetime
) -> Incident:
    with uow as werk:
        gesloten = _eigen(werk, incident_id).sluit(nu)
        _bewaar(werk, node, "close", gesloten, door.naam, nu)
    return gesloten


@vereist(Permissie.PARTIJ_MELDING)
def ontvang(
    *,
    door: Actor,
    uow: IncidentWerk,
    node: Node,
    van: Node,
    inhoud: object,
    nu: datetime,
) -> tuple[Incident, bool]:
    """Keep the other party's notification (verified by the caller); a repeat of the same id
    is recognised and changes nothing. Returns it and whether it is new."""
    incident = ontvangen_incident(inhoud, van, nu)
    with uow as werk:
        eerder = werk.incidenten.get(incident.id)
        if eerder is not None:
            if eerder.partij is not van:
                raise IncidentFout("id: already used for another incident")
            return eerder, False
        _bewaar(werk, node, "receive", incident, f"partij:{van.value}", nu)
    return incident, True


@vereist(Permissie.INCIDENT_MELD)
def alle(*, door: Actor, uow: IncidentWerk, open_: bool = False) -> list[Incident]:
    with uow as werk:
        return werk.incidenten.alle(open_=open_)


@vereist(Permissie.INCIDENT_MELD)
def toon(*, door: Actor, uow: IncidentWerk, incident_id: str) -> Incident:
    with uow as werk:
        return _eigen(werk, incident_id)


def aantal_achterstallig(*, uow: IncidentWerk, nu: datetime) -> int:
    """How many of the node's own open incidents are past a deadline (a count, no content)."""
    with uow as werk:
        return sum(1 for i in werk.incidenten.alle(open_=True) if i.achterstallig(nu))


def waarschuwingen(*, uow: IncidentWerk, nu: datetime) -> list[str]:
    """What is due or overdue for the node's own open incidents: their ids and deadlines,
    nothing about anyone (shown by `kbi protocol status` and the health check)."""
    with uow as werk:
        return [w for i in werk.incidenten.alle(open_=True) for w in i.waarschuwingen(nu)]
