"""Incidents (SPEC §12, protocol art. 6 and 9): what a party registers, and the deadlines
that run from the moment the incident was established — the other party within 24 hours,
and for a personal-data breach the supervisory authority (for Flemish bodies the Vlaamse
Toezichtcommissie, GDPR art. 33) within 72 hours."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.fouten import Ongeldig, Unavailable
from kbi_exchange.domain.gemeld import afzender_id, gemeld_moment, gemeld_object

PARTIJ_TERMIJN = timedelta(hours=24)  # art. 9: the other party
VTC_TERMIJN = timedelta(hours=72)  # GDPR art. 33: the supervisory authority
MAX_TEKST = 2_000
# the data an incident can touch, as the protocol names them (art. 3) and the nodes keep them
CATEGORIEEN = (
    "insz",
    "advies",
    "lijst",
    "aanvraag",
    "lid",
    "premie",
    "audit",
    "sleutels",
    "andere",
)


_VELDEN = {
    "id",
    "partij",
    "vastgesteld_op",
    "omschrijving",
    "betrokkenen",
    "categorieen",
    "datalek",
}


class IncidentFout(Ongeldig):
    """An incident or a step on it that cannot be taken as asked; the reason says why."""


class PartijOnbereikbaar(Unavailable):
    """The other party's node did not take the notification; it is still to be sent."""


class PartijWeigert(PartijOnbereikbaar):
    """The other party's node read the notification and refused it for good (a 4xx that a
    retry cannot change): sending it again would only be refused again."""


class IncidentStatus(StrEnum):
    OPEN = "open"
    GESLOTEN = "gesloten"


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident of ``partij`` (the party it happened to), as one node keeps it: its own
    (registered here, with deadlines), or the other party's (received, ``ontvangen_op``)."""

    id: str
    partij: Node
    vastgesteld_op: datetime
    omschrijving: str
    betrokkenen: int
    categorieen: tuple[str, ...]
    datalek: bool
    geregistreerd_op: datetime
    geregistreerd_door: str
    status: IncidentStatus = IncidentStatus.OPEN
    partij_gemeld_op: datetime | None = None
    vtc_gemeld_op: datetime | None = None
    vtc_referentie: str | None = None
    gesloten_op: datetime | None = None
    ontvangen_op: datetime | None = None

    @property
    def eigen(self) -> bool:
        return self.ontvangen_op is None

    @property
    def partij_uiterlijk(self) -> datetime:
        return self.vastgesteld_op + PARTIJ_TERMIJN

    @property
    def vtc_uiterlijk(self) -> datetime | None:
        return self.vastgesteld_op + VTC_TERMIJN if self.datalek else None

    def waarschuwingen(self, nu: datetime) -> list[str]:
        """What is still to be done for an own incident, overdue or not yet."""
        if not self.eigen:
            return []
        uit = []
        te_doen = [("the other party", self.partij_gemeld_op, self.partij_uiterlijk)]
        if self.vtc_uiterlijk is not None:
            te_doen.append(
                ("the Vlaamse Toezichtcommissie", self.vtc_gemeld_op, self.vtc_uiterlijk)
            )
        for wie, gedaan, uiterlijk in te_doen:
            if gedaan is not None:
                continue
            if nu > uiterlijk:
                uit.append(
                    f"incident {self.id}: the notification to {wie} is OVERDUE since "
                    f"{uiterlijk:%Y-%m-%d %H:%M} UTC"
                )
            else:
                uit.append(f"incident {self.id}: notify {wie} by {uiterlijk:%Y-%m-%d %H:%M} UTC")
        return uit

    def achterstallig(self, nu: datetime) -> bool:
        return any("OVERDUE" in w for w in self.waarschuwingen(nu))

    def partij_gemeld(self, nu: datetime) -> Incident:
        return replace(self, partij_gemeld_op=nu)

    def vtc_gemeld(self, referentie: str, nu: datetime) -> Incident:
        if not self.datalek:
            raise IncidentFout(f"incident {self.id} is no personal-data breach: no VTC notice")
        if self.vtc_gemeld_op is not None:
            raise IncidentFout(f"incident {self.id}: the VTC was notified already")
        return replace(self, vtc_gemeld_op=nu, vtc_referentie=_tekst(referentie, "referentie", 200))

    def sluit(self, nu: datetime) -> Incident:
        if self.status is IncidentStatus.GESLOTEN:
            raise IncidentFout(f"incident {self.id} is closed already")
        if self.eigen and self.partij_gemeld_op is None:
            raise IncidentFout(f"incident {self.id}: notify the other party before closing it")
        if self.datalek and self.eigen and self.vtc_gemeld_op is None:
            raise IncidentFout(f"incident {self.id}: record the VTC notification before closing")
        return replace(self, status=IncidentStatus.GESLOTEN, gesloten_op=nu)

    def melding(self) -> dict[str, Any]:
        """What the other party receives: the incident, not who registered it."""
        return {
            "id": self.id,
            "partij": self.partij.value,
            "vastgesteld_op": self.vastgesteld_op.isoformat(),
            "omschrijving": self.omschrijving,
            "betrokkenen": self.betrokkenen,
            "categorieen": list(self.categorieen),
            "datalek": self.datalek,
        }

    def json(self, nu: datetime) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            **self.melding(),
            "status": self.status.value,
            "eigen": self.eigen,
            "geregistreerd_op": self.geregistreerd_op.isoformat(),
            "geregistreerd_door": self.geregistreerd_door,
            "partij_uiterlijk": self.partij_uiterlijk.isoformat() if self.eigen else None,
            "partij_gemeld_op": iso(self.partij_gemeld_op),
            "vtc_uiterlijk": iso(self.vtc_uiterlijk) if self.eigen else None,
            "vtc_gemeld_op": iso(self.vtc_gemeld_op),
            "vtc_referentie": self.vtc_referentie,
            "gesloten_op": iso(self.gesloten_op),
            "ontvangen_op": iso(self.ontvangen_op),
            "waarschuwingen": self.waarschuwingen(nu),
        }


def _tekst(tekst: object, veld: str, maximum: int = MAX_TEKST) -> str:
    if not isinstance(tekst, str) or not tekst.strip() or len(tekst) > maximum:
        raise IncidentFout(f"{veld}: 1 to {maximum} characters")
    return tekst.strip()


def _categorieen(waarden: object, veld: str) -> tuple[str, ...]:
    if not isinstance(waarden, list | tuple) or not waarden:
        raise IncidentFout(f"{veld}: at least one of {', '.join(CATEGORIEEN)}")
    onbekend = [w for w in waarden if w not in CATEGORIEEN]
    if onbekend:
        raise IncidentFout(f"{veld}: unknown {onbekend[0]!r}; categories: {', '.join(CATEGORIEEN)}")
    return tuple(dict.fromkeys(str(w) for w in waarden))


def _aantal(waarde: object, veld: str) -> int:
    if isinstance(waarde, bool) or not isinstance(waarde, int) or not 0 <= waarde <= 100_000_000:
        raise IncidentFout(f"{veld}: a whole number of people, 0 or more")
    return waarde


def _vastgesteld(
    moment: datetime, nu: datetime, veld: str, speling: timedelta = timedelta(0)
) -> datetime:
    if moment.tzinfo is None:
        raise IncidentFout(f"{veld}: give the moment with its offset")
    if moment > nu + speling:
        raise IncidentFout(f"{veld}: lies in the future")
    return moment


def nieuw(
    *,
    id_: str,
    partij: Node,
    vastgesteld_op: datetime,
    omschrijving: str,
    betrokkenen: int,
    categorieen: list[str],
    datalek: bool,
    door: str,
    nu: datetime,
) -> Incident:
    """An incident as this party registers it, checked field by field."""
    return Incident(
        id=id_,
        partij=partij,
        vastgesteld_op=_vastgesteld(vastgesteld_op, nu, "vastgesteld_op"),
        omschrijving=_tekst(omschrijving, "omschrijving"),
        betrokkenen=_aantal(betrokkenen, "betrokkenen"),
        categorieen=_categorieen(categorieen, "categorieen"),
        datalek=datalek,
        geregistreerd_op=nu,
        geregistreerd_door=door,
    )


def ontvangen(inhoud: object, van: Node, nu: datetime) -> Incident:
    """The other party's notification, as received; anything malformed is refused whole."""
    inhoud = gemeld_object(inhoud, _VELDEN, IncidentFout)
    if inhoud.get("partij") != van.value:
        raise IncidentFout(f"partij: the sender is {van.value}")
    id_ = afzender_id(inhoud, IncidentFout)
    moment = gemeld_moment(inhoud, "vastgesteld_op", IncidentFout, nu)
    datalek = inhoud.get("datalek")
    if not isinstance(datalek, bool):
        raise IncidentFout("datalek: true or false")
    return Incident(
        id=id_,
        partij=van,
        vastgesteld_op=moment,
        omschrijving=_tekst(inhoud.get("omschrijving"), "omschrijving"),
        betrokkenen=_aantal(inhoud.get("betrokkenen"), "betrokkenen"),
        categorieen=_categorieen(inhoud.get("categorieen"), "categorieen"),
        datalek=datalek,
        geregistreerd_op=nu,
        geregistreerd_door=f"partij:{van.value}",
        partij_gemeld_op=nu,
        ontvangen_op=nu,
    )
