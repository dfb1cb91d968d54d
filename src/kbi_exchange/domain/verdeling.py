"""Distributing a yearly list to the zorgkassen (SPEC §9): who goes to which zorgkas, and the
file each receives.

A listed INSZ goes to the zorgkas the member is affiliated with on the distribution date, only
when they had verhoogde tegemoetkoming on 1 January of the list year — the only members whose
premium the list changes (data minimisation). A listed INSZ that is no member on that date is
counted, never sent. What a zorgkas has received is not sent again; a member who moved since
is forwarded to their new zorgkas.

After the distribution VSB keeps, of a list, only the INSZ of members who had VT on 1 January
of its year (SPEC §10): a number that is no member at all, or a member without VT then, is
counted and let go — the list can change nothing for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise

from kbi_exchange.domain.audit_inhoud_vsb import ToewijzingInhoud
from kbi_exchange.domain.lid import Lid
from kbi_exchange.domain.lijst import referentiedatum, tijdstempel

SOORT = "KBI-ZORGKAS-LIJST 1"
_NAAM = re.compile(r"VSB_ZORGKAS_([A-Z]{2,8})_LIJST_(\d{4})_(\d{8})\d{9}\.p7m")


@dataclass(slots=True)
class Toewijzing:
    """Where the listed INSZ go on one distribution date, and what is not sent and why."""

    per_zorgkas: dict[str, list[str]] = field(default_factory=dict)
    doorgestuurd: dict[str, int] = field(default_factory=dict)  # per new zorgkas
    geen_lid: int = 0  # no member affiliated with a zorgkas on the date (or deceased)
    zonder_vt: int = 0  # a member without VT on 1 January: the list changes nothing for them
    al_verzonden: int = 0  # sent before to the zorgkas they still belong to
    van_de_lijst: list[str] = field(default_factory=list)  # sent before, taken off since
    # not kept after the distribution: no member at all, or no VT on 1 January of the year
    niet_bewaard: list[str] = field(default_factory=list)

    def json(self) -> ToewijzingInhoud:
        return {
            "per_zorgkas": {z: len(i) for z, i in sorted(self.per_zorgkas.items())},
            "doorgestuurd": dict(sorted(self.doorgestuurd.items())),
            "geen_lid": self.geen_lid,
            "zonder_vt": self.zonder_vt,
            "al_verzonden": self.al_verzonden,
            "van_de_lijst": len(self.van_de_lijst),
            "niet_bewaard": len(self.niet_bewaard),
        }


def wijs_toe(
    inszen: Iterable[str],
    leden: Mapping[str, Lid],
    *,
    jaar: int,
    verdeeldag: date,
    verzonden: Mapping[str, str],
    toewijzing: Toewijzing | None = None,
) -> Toewijzing:
    """Assign listed INSZ to zorgkassen. ``verzonden`` holds, per INSZ, the zorgkas that last
    received it for this year; a block at a time may be given (the same ``toewijzing``)."""
    uit = toewijzing or Toewijzing()
    peildag = referentiedatum(jaar)
    for insz in inszen:
        lid = leden.get(insz)
        if lid is None or not lid.vt_op(peildag):
            uit.niet_bewaard.append(insz)
            if lid is None:
                uit.geen_lid += 1
            else:
                uit.zonder_vt += 1
            continue
        zorgkas = lid.zorgkas_op(verdeeldag)
        if zorgkas is None:
            uit.geen_lid += 1  # a member with VT not affiliated now: kept, they may return
        elif verzonden.get(insz) == zorgkas:
            uit.al_verzonden += 1
        else:
            uit.per_zorgkas.setdefault(zorgkas, []).append(insz)
            if insz in verzonden:
                uit.doorgestuurd[zorgkas] = uit.doorgestuurd.get(zorgkas, 0) + 1
    return uit


@dataclass(frozen=True, slots=True)
class ZorgkasKop:
    """The header of a zorgkas's file: which list, for whom, from whom, when, how many."""

    zending_id: str
    lijst_id: str
    jaar: int
    zorgkas: str
    afzender: str
    verdeeld_op: datetime
    aantal: int

    def tekst(self) -> str:
        return (
            f"{SOORT}\n"
            f"zending-id: {self.zending_id}\n"
            f"lijst-id: {self.lijst_id}\n"
            f"jaar: {self.jaar}\n"
            f"referentiedatum: {referentiedatum(self.jaar).isoformat()}\n"
            f"zorgkas: {self.zorgkas}\n"
            f"afzender: {self.afzender}\n"
            f"verdeeld-op: {self.verdeeld_op.isoformat(timespec='seconds')}\n"
            f"aantal: {self.aantal}\n"
        )


def zorgkas_payload(kop: ZorgkasKop, inszen: list[str]) -> bytes:
    """Header, an empty line, the INSZ sorted one per line; UTF-8, LF, final newline."""
    gesorteerd = sorted(inszen)
    if len(gesorteerd) != kop.aantal or any(a == b for a, b in pairwise(gesorteerd)):
        raise ValueError("a zorgkas file holds each of its INSZ once, as many as it says")
    return (kop.tekst() + "\n" + "".join(f"{i}\n" for i in gesorteerd)).encode("utf-8")


def zorgkas_bestandsnaam(zorgkas: str, jaar: int, moment: datetime) -> str:
    return f"VSB_ZORGKAS_{zorgkas}_LIJST_{jaar}_{tijdstempel(moment)}.p7m"


def zorgkas_bestand_dag(naam: str) -> date | None:
    """The day (in Brussels) a zorgkas file was made, as its name says."""
    gevonden = _NAAM.fullmatch(naam)
    if gevonden is None:
        return None
    cijfers = gevonden.group(3)
    try:
        return date(int(cijfers[:4]), int(cijfers[4:6]), int(cijfers[6:]))
    except ValueError:
        return None


def zorgkas_van_bestand(naam: str) -> str | None:
    """The zorgkas a distribution file's name is for, if it is one."""
    gevonden = _NAAM.fullmatch(naam)
    return gevonden.group(1) if gevonden else None


@dataclass(frozen=True, slots=True)
class Zending:
    """One file to one zorgkas: what it holds and whether it is in the mailbox yet."""

    id: str
    lijst_id: str
    jaar: int
    zorgkas: str
    aantal: int
    gemaakt_op: datetime
    door: str
    bestand_naam: str
    bestand_sha256: str
    verzonden_op: datetime | None = None

    def json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "lijst": self.lijst_id,
            "jaar": self.jaar,
            "zorgkas": self.zorgkas,
            "aantal": self.aantal,
            "gemaakt_op": self.gemaakt_op.isoformat(),
            "bestand": self.bestand_naam,
            "sha256": self.bestand_sha256,
            "verzonden_op": self.verzonden_op.isoformat() if self.verzonden_op else None,
        }
