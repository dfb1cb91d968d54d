"""The yearly list (flow F2, SPEC §8): who is on it, its states, and its payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise

from kbi_exchange.domain.decision import Status
from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.domain.rules.engine import evaluate


class LijstStatus(StrEnum):
    GEMAAKT = "gemaakt"
    GOEDGEKEURD = "goedgekeurd"
    GELEVERD = "geleverd"
    ONTVANGEN = "ontvangen"
    VERVANGEN = "vervangen"


class LijstFout(Exception):
    """A list step refused, with the reason in one line."""


def referentiedatum(jaar: int) -> date:
    return date(jaar, 1, 1)


def controleer_jaar(jaar: int, *, vandaag: date, parameters: ParameterSet) -> None:
    """Refuse a year before the first list year, or a year whose 1 January has not come."""
    eerste = parameters.geheel_getal("lijst_eerste_jaar", vandaag)
    if jaar < eerste:
        raise LijstFout(f"year {jaar}: the first yearly list is for {eerste}")
    if vandaag < referentiedatum(jaar):
        raise LijstFout(f"year {jaar}: a list is made on or after {jaar}-01-01, not before")


def op_lijst(dossier: Dossier, jaar: int, *, gekend_op: datetime, parameters: ParameterSet) -> bool:
    """Obliged and not complying on 1 January, as known at ``gekend_op`` — the rules of F1.

    Only a current dossier is listed: a replaced INSZ is answered for its successor (rule 1),
    whose own dossier is evaluated in its place.
    """
    if dossier.vervangen_door_op(gekend_op) is not None:
        return False
    beslissing = evaluate(
        dossier, referentiedatum(jaar), gekend_op=gekend_op, parameters=parameters
    )
    return beslissing.status is Status.VERPLICHT_VOLDOET_NIET


@dataclass(frozen=True, slots=True)
class LijstKop:
    """The header of SPEC §8.3."""

    lijst_id: str
    jaar: int
    gemaakt_op: datetime
    producent: str
    ontvanger: str
    vervangt: str | None
    aantal: int

    def tekst(self) -> str:
        return (
            "KBI-LIJST 1\n"
            f"lijst-id: {self.lijst_id}\n"
            f"jaar: {self.jaar}\n"
            f"referentiedatum: {referentiedatum(self.jaar).isoformat()}\n"
            f"gemaakt-op: {self.gemaakt_op.isoformat(timespec='seconds')}\n"
            f"producent: {self.producent}\n"
            f"ontvanger: {self.ontvanger}\n"
            f"vervangt: {self.vervangt or '-'}\n"
            f"aantal: {self.aantal}\n"
        )


def payload(kop: LijstKop, inszen: list[str]) -> bytes:
    """Header, an empty line, one INSZ per line, sorted; UTF-8, LF, final newline."""
    if len(inszen) != kop.aantal:
        raise ValueError(f"the header says {kop.aantal} INSZ, the list holds {len(inszen)}")
    gesorteerd = sorted(inszen)
    if any(a == b for a, b in pairwise(gesorteerd)):
        raise ValueError("an INSZ occurs twice on the list")
    romp = "".join(f"{insz}\n" for insz in gesorteerd)
    return (kop.tekst() + "\n" + romp).encode("utf-8")
