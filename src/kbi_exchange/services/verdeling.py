"""Distributing a received yearly list to the zorgkassen (SPEC §9).

Each zorgkas receives a CMS file signed by VSB and encrypted to its own certificate, holding
only the listed members affiliated with it on the distribution date who had VT on 1 January
of the list year; listed INSZ that are not members are counted and reported.

Crash safe as the list's other steps: the files, which INSZ they carry, and one audit entry per
file are committed together before any file leaves; then each goes to the mailbox and is
marked sent. A rerun first sends what is stored and unsent (the very same bytes under the same
name), then distributes only what no zorgkas has yet: a member who moved since is forwarded to
the new zorgkas.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
from kbi_exchange.domain.fouten import Conflict, NotFound
from kbi_exchange.domain.kwaliteit import ZorgkasBericht
from kbi_exchange.domain.lijst import LijstFout
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.domain.verdeling import (
    Toewijzing,
    Zending,
    ZorgkasKop,
    wijs_toe,
    zorgkas_bestandsnaam,
    zorgkas_payload,
)
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services.ports import Outbox, Vault, VerdelingWerk
from kbi_exchange.services.protocol import vereis_stroom

BLOK = 5_000  # members read per query

AII, VSB = Node.AII.value, Node.VSB.value  # the parties as certificates and mailbox name them


@dataclass(slots=True)
class Verdeling:
    """What a run did: the list, the files it sent (also those a killed run left), and the
    counts of what was not sent and why."""

    jaar: int
    lijst_id: str
    verdeeldag: str
    toewijzing: Toewijzing
    zendingen: list[Zending] = field(default_factory=list)
    nagestuurd: list[Zending] = field(default_factory=list)  # left unsent by an earlier run

    def json(self) -> dict[str, object]:
        return {
            "id": self.lijst_id,
            "jaar": self.jaar,
            "verdeeldag": self.verdeeldag,
            **self.toewijzing.json(),
            "zendingen": [z.json() for z in self.zendingen],
            "nagestuurd": [z.json() for z in self.nagestuurd],
        }


def _verstuur(werk: VerdelingWerk, outbox: Outbox, nu: datetime) -> list[Zending]:
    """Put every stored, unsent file in the mailbox, marking each as it goes."""
    verstuurd = []
    for zending, bestand in werk.zendingen.te_versturen():
        outbox.send(VSB, zending.bestand_naam, bestand)
        crash_point("list.distribute:sent")
        werk.zendingen.verzonden(zending.id, nu)
        werk.commit()
        verstuurd.append(zending)
    return verstuurd


@vereist(Permissie.VSB_LIJST_VERDEEL)
def verdeel(
    *,
    uow: VerdelingWerk,
    vault: Vault,
    outbox: Outbox,
    jaar: int,
    door: Actor,
    nu: datetime,
    vsb: str,
    voortgang: Callable[[int, int], None] = lambda _i, _n: None,
) -> Verdeling:
    """Distribute the current list of ``jaar`` as VSB received it (a rectification replaces
    it) on today's date."""
    verdeeldag = dag_in_brussel(nu)
    with uow as werk:
        vereis_stroom(werk, Stroom.F2, nu)  # VSB's record: suspended, ended or lapsed: no
        nagestuurd = _verstuur(werk, outbox, nu)
        lijst, verzonden, toewijzing = _wijs_toe(werk, jaar, verdeeldag, voortgang)
    verslag = Verdeling(jaar, lijst.id, verdeeldag.isoformat(), toewijzing, nagestuurd=nagestuurd)
    bestanden = _bestanden(lijst, toewijzing, vault=vault, vsb=vsb, door=door, nu=nu)
    with uow as werk:
        try:
            _leg_vast(werk, lijst, toewijzing, verzonden, bestanden, door=door, nu=nu)
            werk.commit()
        except Conflict:
            raise LijstFout(
                f"the list of {jaar} was distributed by another run meanwhile; run it again"
            ) from None
        crash_point("list.distribute:stored")
        verslag.zendingen = _verstuur(werk, outbox, nu)
    return verslag


def _wijs_toe(
    werk: VerdelingWerk, jaar: int, verdeeldag: date, voortgang: Callable[[int, int], None]
) -> tuple[Lijst, dict[str, str], Toewijzing]:
    """Who on the year's current list goes to which zorgkas, a block of members at a time;
    and who was sent before and is on it no more (a rectification replaced the list)."""
    lijst = werk.ontvangen_lijsten.huidige(jaar)
    if lijst is None:
        raise LijstFout(f"no list of {jaar} was received: nothing to distribute")
    inszen = werk.ontvangen_lijsten.inszen(lijst.id)
    verzonden = werk.zendingen.verdeeld(jaar)
    toewijzing = Toewijzing()
    for start in range(0, len(inszen), BLOK):
        blok = inszen[start : start + BLOK]
        wijs_toe(
            blok,
            werk.leden.op(blok),
            jaar=jaar,
            verdeeldag=verdeeldag,
            verzonden=verzonden,
            toewijzing=toewijzing,
        )
        voortgang(start + len(blok), len(inszen))
    op_lijst = set(inszen)
    toewijzing.van_de_lijst = sorted(i for i in verzonden if i not in op_lijst)
    return lijst, verzonden, toewijzing


def _bestanden(
    lijst: Lijst, toewijzing: Toewijzing, *, vault: Vault, vsb: str, door: Actor, nu: datetime
) -> list[tuple[Zending, bytes, list[str]]]:
    """Each zorgkas's file: its members on the list, signed by VSB, encrypted to it."""
    bestanden = []
    for zorgkas, voor_zorgkas in sorted(toewijzing.per_zorgkas.items()):
        kop = ZorgkasKop(
            zending_id=str(uuid.uuid4()),
            lijst_id=lijst.id,
            jaar=lijst.jaar,
            zorgkas=zorgkas,
            afzender=vsb,
            verdeeld_op=nu.astimezone(BRUSSEL),
            aantal=len(voor_zorgkas),
        )
        ondertekend = vault.sign(zorgkas_payload(kop, voor_zorgkas))
        bestand = vault.encrypt(ondertekend, f"zorgkas-{zorgkas}")
        zending = Zending(
            id=kop.zending_id,
            lijst_id=lijst.id,
            jaar=lijst.jaar,
            zorgkas=zorgkas,
            aantal=kop.aantal,
            gemaakt_op=nu,
            door=door.naam,
            bestand_naam=zorgkas_bestandsnaam(zorgkas, lijst.jaar, nu.astimezone(BRUSSEL)),
            bestand_sha256=hashlib.sha256(bestand).hexdigest(),
        )
        bestanden.append((zending, bestand, voor_zorgkas))
    return bestanden


def _leg_vast(
    werk: VerdelingWerk,
    lijst: Lijst,
    toewijzing: Toewijzing,
    verzonden: dict[str, str],
    bestanden: list[tuple[Zending, bytes, list[str]]],
    *,
    door: Actor,
    nu: datetime,
) -> None:
    """Store the distribution, each file and message audited before it leaves (one
    transaction: the caller commits)."""
    jaar = lijst.jaar
    # counted, not kept: who is no member, or had no VT on 1 January (SPEC §10)
    werk.ontvangen_lijsten.laat_weg(
        lijst.id, toewijzing.niet_bewaard, lambda insz: werk.audit.insz_hashes(insz)[0]
    )
    werk.ontvangen_lijsten.verdeeld(lijst.id, nu)
    werk.zendingen.niet_meer(jaar, toewijzing.van_de_lijst)
    _meld_van_de_lijst(werk, lijst, toewijzing.van_de_lijst, verzonden, door=door, nu=nu)
    for zending, bestand, voor_zorgkas in bestanden:
        werk.zendingen.voeg_toe(zending, bestand)
        werk.zendingen.leg_vast(
            jaar=jaar,
            zorgkas=zending.zorgkas,
            zending_id=zending.id,
            nieuw=[i for i in voor_zorgkas if i not in verzonden],
            verhuisd=[i for i in voor_zorgkas if i in verzonden],
        )
        werk.audit.record(  # the disclosure, one entry per file, before it leaves
            gebeurtenis=AuditGebeurtenis.VSB_LIJST_VERDEELD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={
                "lijst": lijst.id,
                "jaar": jaar,
                "zorgkas": zending.zorgkas,
                "zending": zending.id,
                "aantal": zending.aantal,
                "doorgestuurd": toewijzing.doorgestuurd.get(zending.zorgkas, 0),
                "bestand_sha256": zending.bestand_sha256,
            },
        )
    werk.audit.record(
        gebeurtenis=AuditGebeurtenis.VSB_VERDELING_VERSLAG,
        actor=door.naam,
        tijdstip=nu,
        inhoud={"lijst": lijst.id, "jaar": jaar, **toewijzing.json()},
    )


def _meld_van_de_lijst(
    werk: VerdelingWerk,
    lijst: Lijst,
    van_de_lijst: list[str],
    verzonden: dict[str, str],
    *,
    door: Actor,
    nu: datetime,
) -> None:
    """Tell each zorgkas who is off the rectified list: one message each, audited."""
    for bericht in _van_de_lijst_berichten(
        van_de_lijst, verzonden, jaar=lijst.jaar, lijst_id=lijst.id, nu=nu
    ):
        werk.berichten.voeg_toe(bericht)
        werk.audit.record(  # the zorgkas learns who is off the list: audited per zorgkas
            gebeurtenis=AuditGebeurtenis.VSB_LIJST_VERDEELD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={
                "lijst": lijst.id,
                "jaar": lijst.jaar,
                "zorgkas": bericht.zorgkas,
                "bericht": bericht.id,
                "van_de_lijst": len(bericht.inhoud["inszen"]),
            },
        )


def _van_de_lijst_berichten(
    van_de_lijst: list[str], verzonden: dict[str, str], *, jaar: int, lijst_id: str, nu: datetime
) -> list[ZorgkasBericht]:
    """A message to each zorgkas that was sent members whom a rectified list no longer
    holds: they no longer count for the reduced premium of the year after."""
    per_zorgkas: dict[str, list[str]] = {}
    for insz in van_de_lijst:
        per_zorgkas.setdefault(verzonden[insz], []).append(insz)
    return [
        ZorgkasBericht(
            id=str(uuid.uuid4()),
            zorgkas=zorgkas,
            soort="van_lijst_gehaald",
            gemaakt_op=nu,
            inhoud={
                "jaar": jaar,
                "lijst": lijst_id,
                "inszen": sorted(inszen),
                "toelichting": (
                    f"Het Agentschap Integratie en Inburgering heeft de lijst van {jaar} "
                    "rechtgezet: deze leden staan er niet meer op."
                ),
            },
        )
        for zorgkas, inszen in sorted(per_zorgkas.items())
    ]


class GeenZending(NotFound):
    """No such file for this zorgkas (also when it is another zorgkas's)."""


@vereist(Permissie.VSB_LIJST_ZORGKAS)
def leden_op_lijst(
    *, uow: VerdelingWerk, jaar: int, door: Actor, nu: datetime
) -> tuple[list[str], list[Zending]]:
    """A zorgkas's listed members of a year (those it received and still has) and its files;
    the look is audited."""
    zorgkas = _eigen_zorgkas(door)
    with uow as werk:
        vereis_stroom(werk, Stroom.F2, nu)
        inszen = werk.zendingen.inszen_van(jaar=jaar, zorgkas=zorgkas)
        zendingen = werk.zendingen.van(jaar=jaar, zorgkas=zorgkas)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_LIJST_BEKEKEN,
            actor=door.naam,
            tijdstip=nu,
            # the files whose members were shown: a search for a person finds this look
            inhoud={
                "jaar": jaar,
                "zorgkas": zorgkas,
                "aantal": len(inszen),
                "zending": [z.id for z in zendingen],
            },
        )
        werk.commit()
    return inszen, zendingen


@vereist(Permissie.VSB_LIJST_ZORGKAS)
def zending_bestand(
    *, uow: VerdelingWerk, zending_id: str, door: Actor, nu: datetime
) -> tuple[Zending, bytes]:
    """One of the zorgkas's own files, as sent; another zorgkas's is "not found". Its first
    download is recorded: the retention run then takes its content (SPEC §10)."""
    zorgkas = _eigen_zorgkas(door)
    with uow as werk:
        vereis_stroom(werk, Stroom.F2, nu)
        zending = next((z for z in werk.zendingen.van(zorgkas=zorgkas) if z.id == zending_id), None)
        bestand = werk.zendingen.bestand(zending_id) if zending is not None else None
        if zending is None or bestand is None:
            raise GeenZending(f"no file {zending_id!r}")
        if not bestand:
            raise GeenZending(
                f"file {zending_id!r} is no longer kept: its content goes after its first "
                "download or its retention period; its members are listed on "
                f"GET /api/v1/zorgkas/lijsten/{zending.jaar}"
            )
        werk.zendingen.gedownload(zending.id, nu)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_LIJST_GEDOWNLOAD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={"zending": zending.id, "zorgkas": zorgkas, "lijst": zending.lijst_id},
        )
        werk.commit()
    return zending, bestand


@vereist(Permissie.VSB_LIJST_VERDEEL)
def per_zorgkas(*, uow: VerdelingWerk, door: Actor, jaar: int) -> dict[str, int]:
    """How many listed members of the year each zorgkas was sent (counts, no one named)."""
    with uow as werk:
        verdeeld = werk.zendingen.verdeeld(jaar)
    return {z: sum(1 for zk in verdeeld.values() if zk == z) for z in sorted(zorgkas_codes())}


def _eigen_zorgkas(door: Actor) -> str:
    if door.zorgkas is None:
        raise GeenZending("only a zorgkas's own client sees its part of the list")
    return door.zorgkas
