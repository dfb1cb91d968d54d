"""Data quality (SPEC §12, protocol art. 7): VSB reports an error in a person's data, AII
investigates and acts within 2 weeks, and every earlier answer or list entry its correction
changes reaches VSB as a rectification.

A correction never overwrites: it withdraws and registers facts (SPEC §5). What changed is
found by answering each earlier question again on what is known now, with the validity checks
of the day it was first answered; an answer that comes out the same is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from kbi_exchange.domain.fouten import KbiFout, Ongeldig
from kbi_exchange.domain.protocol import Stroom

TERMIJN = timedelta(days=14)  # art. 7: investigate and act within 2 weeks, and inform VSB
MAX_OMSCHRIJVING = 2_000


class KwaliteitFout(Ongeldig):
    """A report or a step on it that cannot be taken as asked; the reason says why."""


class MeldingGeweigerd(KbiFout):
    """AII refused a data-quality call of VSB; the message is AII's reason."""


class MeldingStatus(StrEnum):
    OPEN = "open"  # received, under investigation
    GECORRIGEERD = "gecorrigeerd"  # corrected; its rectifications are available to VSB
    GESLOTEN = "gesloten"  # closed with a finding: VSB is informed


@dataclass(frozen=True, slots=True)
class Melding:
    """A data-quality report of VSB about one person's data, as AII keeps it."""

    id: str
    insz: str
    omschrijving: str
    gemeld_door: str  # the VSB client that sent it
    gemeld_op: datetime
    referte: str | None = None  # the question (F1) it is about, when VSB names one
    status: MeldingStatus = MeldingStatus.OPEN
    import_id: str | None = None  # the correction's import
    gecorrigeerd_op: datetime | None = None
    gecorrigeerd_door: str | None = None
    bevinding: str | None = None  # what AII found and did, told to VSB at closing
    gesloten_op: datetime | None = None
    gesloten_door: str | None = None

    @property
    def vervalt_op(self) -> datetime:
        return self.gemeld_op + TERMIJN

    def achterstallig(self, nu: datetime) -> bool:
        """Not closed within the 2 weeks of art. 7."""
        return self.status is not MeldingStatus.GESLOTEN and nu > self.vervalt_op

    def corrigeer(self, import_id: str, door: str, nu: datetime) -> Melding:
        if self.status is MeldingStatus.GESLOTEN:
            raise KwaliteitFout(f"report {self.id} is closed: make a new one")
        return replace(
            self,
            status=MeldingStatus.GECORRIGEERD,
            import_id=import_id,
            gecorrigeerd_op=nu,
            gecorrigeerd_door=door,
        )

    def sluit(self, bevinding: str, door: str, nu: datetime) -> Melding:
        if self.status is MeldingStatus.GESLOTEN:
            raise KwaliteitFout(f"report {self.id} is closed already")
        return replace(
            self,
            status=MeldingStatus.GESLOTEN,
            bevinding=controleer_tekst(bevinding, "bevinding"),
            gesloten_op=nu,
            gesloten_door=door,
        )

    def json(self, nu: datetime, *, met_insz: bool = True) -> dict[str, Any]:
        uit: dict[str, Any] = {
            "id": self.id,
            "status": self.status.value,
            "omschrijving": self.omschrijving,
            "referte": self.referte,
            "gemeld_door": self.gemeld_door,
            "gemeld_op": self.gemeld_op.isoformat(),
            "vervalt_op": self.vervalt_op.isoformat(),
            "achterstallig": self.achterstallig(nu),
            "import": self.import_id,
            "gecorrigeerd_op": self.gecorrigeerd_op.isoformat() if self.gecorrigeerd_op else None,
            "bevinding": self.bevinding,
            "gesloten_op": self.gesloten_op.isoformat() if self.gesloten_op else None,
        }
        if met_insz:
            uit["insz"] = self.insz
        return uit


def controleer_tekst(tekst: str, veld: str) -> str:
    schoon = tekst.strip()
    if not schoon or len(schoon) > MAX_OMSCHRIJVING:
        raise KwaliteitFout(f"{veld}: 1 to {MAX_OMSCHRIJVING} characters")
    return schoon


@dataclass(frozen=True, slots=True)
class Uitkomst:
    """What an answer said: the advice and its reason's code (None: refused)."""

    advies: str | None
    reden: str | None
    omschrijving: str | None = None

    @classmethod
    def uit_antwoord(cls, antwoord: dict[str, Any]) -> Uitkomst:
        reden = antwoord.get("reden") or {}
        return cls(antwoord.get("advies"), reden.get("code"), reden.get("omschrijving"))

    def zelfde(self, ander: Uitkomst) -> bool:
        return (self.advies, self.reden) == (ander.advies, ander.reden)

    def json(self) -> dict[str, Any]:
        return {"advies": self.advies, "reden": self.reden, "omschrijving": self.omschrijving}


@dataclass(frozen=True, slots=True)
class Rectificatie:
    """A result that a correction changed: an answer of F1, sent to the client that asked
    (by the referte it was asked under; no INSZ, VSB knows whom it asked about), or an entry
    of a list of F2, which reaches VSB as a rectified list (four eyes, SPEC §8) and is not
    sent on its own."""

    id: str
    melding_id: str
    stroom: Stroom
    client: str  # F1: the client that asked, who may fetch it; F2: the list's recipient
    gemaakt_op: datetime
    insz: str  # the person: kept at AII, never in what an F1 rectification says
    oud: Uitkomst | None = None  # F1
    nieuw: Uitkomst | None = None  # F1
    referte: str | None = None  # F1
    beslissing_id: str | None = None  # F1: the record it corrects
    datum: date | None = None  # F1: the date asked about
    gekend_op: datetime | None = None  # F1: the knowledge the new answer rests on
    feit_ids: tuple[str, ...] = ()  # F1: the facts it rests on (for replay)
    jaar: int | None = None  # F2
    lijst_id: str | None = None  # F2
    op_lijst: bool | None = None  # F2: whether the person belongs on the list now

    def json(self) -> dict[str, Any]:
        """What VSB receives."""
        if self.stroom is Stroom.F1:
            return {
                "id": self.id,
                "melding": self.melding_id,
                "stroom": self.stroom.value,
                "referte": self.referte,
                "datum": self.datum.isoformat() if self.datum else None,
                "oud": self.oud.json() if self.oud else None,
                "nieuw": self.nieuw.json() if self.nieuw else None,
                "gemaakt_op": self.gemaakt_op.isoformat(),
            }
        return {
            "id": self.id,
            "melding": self.melding_id,
            "stroom": self.stroom.value,
            "jaar": self.jaar,
            "lijst": self.lijst_id,
            "insz": self.insz,
            "op_lijst": self.op_lijst,
            "gemaakt_op": self.gemaakt_op.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class VsbMelding:
    """A report as VSB keeps it: what it sent, under AII's id, and what AII answered."""

    id: str
    insz: str
    omschrijving: str
    gemeld_op: datetime
    gemeld_door: str
    status: MeldingStatus
    vervalt_op: datetime
    aanvraag_id: str | None = None
    referte: str | None = None
    bevinding: str | None = None
    gesloten_op: datetime | None = None
    verstuurd_op: datetime | None = None  # None: recorded, AII has not taken it yet

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verstuurd_op": self.verstuurd_op.isoformat() if self.verstuurd_op else None,
            "insz": self.insz,
            "omschrijving": self.omschrijving,
            "aanvraag": self.aanvraag_id,
            "referte": self.referte,
            "gemeld_op": self.gemeld_op.isoformat(),
            "gemeld_door": self.gemeld_door,
            "status": self.status.value,
            "vervalt_op": self.vervalt_op.isoformat(),
            "bevinding": self.bevinding,
            "gesloten_op": self.gesloten_op.isoformat() if self.gesloten_op else None,
        }


class Uitvoering(StrEnum):
    """What VSB did with a rectification."""

    TOEGEPAST = "toegepast"  # the application's decision follows the new answer
    GEEN_AANVRAAG = "geen_aanvraag"  # no application holds the referte (a check, or purged)
    NIET_TOEPASBAAR = "niet_toepasbaar"  # no OK or NOK to decide on: for a person to look at


@dataclass(frozen=True, slots=True)
class ZorgkasBericht:
    """A message to one zorgkas about one of its members' applications or list entries."""

    id: str
    zorgkas: str
    soort: str
    gemaakt_op: datetime
    inhoud: dict[str, Any]
    aanvraag_id: str | None = None

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "zorgkas": self.zorgkas,
            "soort": self.soort,
            "aanvraag": self.aanvraag_id,
            "gemaakt_op": self.gemaakt_op.isoformat(),
            **self.inhoud,
        }
