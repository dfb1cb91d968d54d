"""Incidents on a node's database (SPEC §12, art. 6 and 9)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import Incident, IncidentStatus

_VELDEN = (
    "vastgesteld_op",
    "omschrijving",
    "betrokkenen",
    "datalek",
    "geregistreerd_op",
    "geregistreerd_door",
    "partij_gemeld_op",
    "vtc_gemeld_op",
    "vtc_referentie",
    "gesloten_op",
    "ontvangen_op",
)


class SqlIncidenten:
    """Within one transaction; never commits. ``rij`` is the node's table."""

    def __init__(self, session: Session, rij: type[Any]) -> None:
        self.session = session
        self.rij = rij

    def _als_incident(self, rij: Any) -> Incident:
        return Incident(
            id=rij.id,
            partij=Node(rij.partij),
            categorieen=tuple(c for c in rij.categorieen.split(",") if c),
            status=IncidentStatus(rij.status),
            **{veld: getattr(rij, veld) for veld in _VELDEN},
        )

    def bewaar(self, incident: Incident) -> None:
        rij = self.session.get(self.rij, incident.id) or self.rij(id=incident.id)
        for veld in _VELDEN:
            setattr(rij, veld, getattr(incident, veld))
        rij.partij = incident.partij.value
        rij.categorieen = ",".join(incident.categorieen)
        rij.status = incident.status.value
        self.session.add(rij)
        schrijf_door(self.session)

    def get(self, incident_id: str) -> Incident | None:
        rij = self.session.get(self.rij, incident_id)
        return self._als_incident(rij) if rij is not None else None

    def alle(self, *, open_: bool = False) -> list[Incident]:
        stmt = select(self.rij).order_by(self.rij.vastgesteld_op, self.rij.id)
        if open_:
            stmt = stmt.where(self.rij.status == IncidentStatus.OPEN.value)
        return [self._als_incident(rij) for rij in self.session.scalars(stmt)]
