"""The yearly list (flow F2, SPEC §8): who is on it, its states, and its payload."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise

from kbi_exchange.domain.decision import Status
from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.insz import is_geldig
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.domain.rules.engine import evaluate


class LijstStatus(StrEnum):
    GEMAAKT = "gemaakt"
    GOEDGEKEURD = "goedgekeurd"
    GELEVERD = "geleverd"
    ONTVANGEN = "ontvangen"
    VERVANGEN = "vervangen"


class LijstFout(KbiFout):
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


_KOP_SLEUTELS = (
    "lijst-id",
    "jaar",
    "referentiedatum",
    "gemaakt-op",
    "producent",
    "ontvanger",
    "vervangt",
    "aantal",
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _sleutelwaarden(regels: list[str], keys: tuple[str, ...], soort: str) -> dict[str, str]:
    """``key: value`` lines, exactly the keys expected, in their order."""
    gevonden = [regel.partition(": ") for regel in regels]
    namen = tuple(naam for naam, _, _ in gevonden)
    if namen != keys:
        raise LijstFout(f"{soort}: header keys {list(namen)}, expected {list(keys)}")
    return {naam: waarde for naam, _, waarde in gevonden}


def _geheel(waarde: str, naam: str) -> int:
    if not waarde.isdigit():
        raise LijstFout(f"header {naam}: {waarde!r} is not a whole number")
    return int(waarde)


def lees_payload(inhoud: bytes) -> tuple[LijstKop, list[str]]:
    """A payload read back and checked line by line: the header, then the INSZ as stated."""
    try:
        tekst = inhoud.decode("utf-8")
    except UnicodeDecodeError as fout:
        raise LijstFout(f"the list is not UTF-8 (byte {fout.start})") from None
    if "\r" in tekst or not tekst.endswith("\n"):
        raise LijstFout("the list must use LF line ends and end with one")
    kop_tekst, scheiding, romp = tekst.partition("\n\n")
    regels = kop_tekst.split("\n")
    if not scheiding or regels[0] != "KBI-LIJST 1":
        raise LijstFout("not a KBI-LIJST 1 payload (first line, then an empty line)")
    velden = _sleutelwaarden(regels[1:], _KOP_SLEUTELS, "KBI-LIJST 1")
    if not _UUID.fullmatch(velden["lijst-id"]):
        raise LijstFout(f"header lijst-id: {velden['lijst-id']!r} is not a UUID")
    jaar = _geheel(velden["jaar"], "jaar")
    if velden["referentiedatum"] != referentiedatum(jaar).isoformat():
        raise LijstFout(f"header referentiedatum {velden['referentiedatum']} is not {jaar}-01-01")
    try:
        gemaakt_op = datetime.fromisoformat(velden["gemaakt-op"])
    except ValueError:
        raise LijstFout(f"header gemaakt-op: {velden['gemaakt-op']!r} is not a time") from None
    vervangt = None if velden["vervangt"] == "-" else velden["vervangt"]
    if vervangt is not None and not _UUID.fullmatch(vervangt):
        raise LijstFout(f"header vervangt: {vervangt!r} is neither '-' nor a UUID")
    inszen = romp.split("\n")[:-1]
    kop = LijstKop(
        lijst_id=velden["lijst-id"],
        jaar=jaar,
        gemaakt_op=gemaakt_op,
        producent=velden["producent"],
        ontvanger=velden["ontvanger"],
        vervangt=vervangt,
        aantal=_geheel(velden["aantal"], "aantal"),
    )
    if len(inszen) != kop.aantal:
        raise LijstFout(f"header aantal is {kop.aantal}, the list holds {len(inszen)} lines")
    for nummer, (vorige, insz) in enumerate(pairwise(["", *inszen]), start=1):
        if not is_geldig(insz) or len(insz) != 11:
            raise LijstFout(f"line {nummer} after the header: not a valid INSZ")
        if insz <= vorige:
            raise LijstFout(f"line {nummer} after the header: not sorted or repeated")
    return kop, inszen


def tijdstempel(moment: datetime) -> str:
    """``yyyyMMddHHmmssSSS`` in Belgian time, as MAGDA's file names have it."""
    return f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}"


def lijst_bestandsnaam(jaar: int, moment: datetime) -> str:
    return f"KBI_VSB_LIJST_{jaar}_{tijdstempel(moment)}.p7m"


def ontvangst_bestandsnaam(jaar: int, moment: datetime) -> str:
    return f"KBI_VSB_ONTVANGST_{jaar}_{tijdstempel(moment)}.p7s"


def jaar_van_bestand(naam: str) -> int | None:
    """The year a list's file name states (``KBI_VSB_LIJST_<jaar>_...``), if it has one."""
    gevonden = re.fullmatch(r"KBI_VSB_LIJST_(\d{4})_\d{17}\.p7m", naam)
    return int(gevonden.group(1)) if gevonden else None


_BEWIJS_SLEUTELS = ("lijst-id", "sha256", "aantal", "ontvangen-op")


@dataclass(frozen=True, slots=True)
class Ontvangstbewijs:
    """VSB's receipt for a list (SPEC §8.6): which list, which file exactly, when."""

    lijst_id: str
    sha256: str
    aantal: int
    ontvangen_op: datetime

    def tekst(self) -> bytes:
        return (
            "KBI-ONTVANGSTBEWIJS 1\n"
            f"lijst-id: {self.lijst_id}\n"
            f"sha256: {self.sha256}\n"
            f"aantal: {self.aantal}\n"
            f"ontvangen-op: {self.ontvangen_op.isoformat(timespec='seconds')}\n"
        ).encode()

    @classmethod
    def parse(cls, inhoud: bytes) -> Ontvangstbewijs:
        regels = inhoud.decode("utf-8", errors="replace").split("\n")
        if regels[0] != "KBI-ONTVANGSTBEWIJS 1" or regels[-1] != "":
            raise LijstFout("not a KBI-ONTVANGSTBEWIJS 1 receipt")
        velden = _sleutelwaarden(regels[1:-1], _BEWIJS_SLEUTELS, "KBI-ONTVANGSTBEWIJS 1")
        if not re.fullmatch(r"[0-9a-f]{64}", velden["sha256"]):
            raise LijstFout("receipt sha256: not a SHA-256 in hex")
        try:
            ontvangen_op = datetime.fromisoformat(velden["ontvangen-op"])
        except ValueError:
            raise LijstFout("receipt ontvangen-op: not a time") from None
        return cls(
            lijst_id=velden["lijst-id"],
            sha256=velden["sha256"],
            aantal=_geheel(velden["aantal"], "aantal"),
            ontvangen_op=ontvangen_op,
        )
