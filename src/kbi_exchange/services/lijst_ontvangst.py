"""Ingesting a yearly list on the VSB node, and sending the receipt (SPEC §8.5, §8.6).

Decrypt in memory, verify the signature, check the header — only then store. Refusals
(wrong recipient, bad signer or signature, a replay, a wrong year, a second list for a year)
name the reason and store nothing. Killed anywhere, a rerun with the same file finishes: the
list is stored with its receipt in one transaction, and the receipt goes to the mailbox until
it is marked sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
from kbi_exchange.domain.fouten import CmsError, Conflict
from kbi_exchange.domain.lijst import (
    LijstFout,
    LijstKop,
    LijstStatus,
    Ontvangstbewijs,
    controleer_jaar,
    jaar_van_bestand,
    lees_payload,
    ontvangst_bestandsnaam,
)
from kbi_exchange.domain.lijst_staat import GEMAAKT_BIJ_AII, Lijst, controleer_opvolging
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.ports import OntvangstWerk, Outbox, Vault
from kbi_exchange.services.protocol import vereis_stroom

AII, VSB = Node.AII.value, Node.VSB.value  # the parties as certificates and mailbox name them


@dataclass(frozen=True, slots=True)
class OntvangenLijst:
    id: str
    jaar: int
    aantal: int
    vervangt: str | None
    ontvangen_op: datetime
    ontvangstbewijs: str
    al_ontvangen: bool  # this file was ingested before; only the receipt was (re)sent

    def json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "jaar": self.jaar,
            "aantal": self.aantal,
            "vervangt": self.vervangt,
            "ontvangen_op": self.ontvangen_op.isoformat(),
            "ontvangstbewijs": self.ontvangstbewijs,
            "al_ontvangen": self.al_ontvangen,
        }


def _open(
    bestand: bytes, naam: str, *, vault: Vault, nu: datetime, vsb: str, aii: str
) -> tuple[LijstKop, list[str], str]:
    """Decrypt, verify, then read and check the header: the list, believed only now."""
    try:
        ondertekend = vault.decrypt(bestand)
    except CmsError as fout:
        raise LijstFout(f"{naam}: not encrypted for VSB ({fout})") from None
    try:
        payload = vault.verify(ondertekend, van=AII, moment=nu)
    except CmsError as fout:
        raise LijstFout(f"{naam}: signature refused: {fout}") from None
    try:
        kop, inszen = lees_payload(payload)
    except LijstFout as fout:
        raise LijstFout(f"{naam}: {fout}") from None
    if kop.ontvanger != vsb:
        raise LijstFout(f"{naam}: addressed to {kop.ontvanger!r}, not to {vsb!r}")
    if kop.producent != aii:
        raise LijstFout(f"{naam}: made by {kop.producent!r}, not by {aii!r}")
    jaar_in_naam = jaar_van_bestand(naam)
    if jaar_in_naam is not None and jaar_in_naam != kop.jaar:
        raise LijstFout(f"{naam}: the name says {jaar_in_naam}, the list says {kop.jaar}")
    try:
        controleer_jaar(kop.jaar, vandaag=dag_in_brussel(nu), parameters=standaard_parameters())
    except LijstFout as fout:
        raise LijstFout(f"{naam}: {fout}") from None
    return kop, inszen, hashlib.sha256(payload).hexdigest()


def _ontvangen(lijst: Lijst, ontvangstbewijs: str, *, al: bool) -> OntvangenLijst:
    if lijst.ontvangen_op is None:
        raise LijstFout(f"list {lijst.id}: stored before it was received")
    return OntvangenLijst(
        id=lijst.id,
        jaar=lijst.jaar,
        aantal=lijst.aantal,
        vervangt=lijst.vervangt,
        ontvangen_op=lijst.ontvangen_op,
        ontvangstbewijs=ontvangstbewijs,
        al_ontvangen=al,
    )


@vereist(Permissie.VSB_LIJST_ONTVANG)
def ontvang_lijst(
    *,
    uow: OntvangstWerk,
    vault: Vault,
    outbox: Outbox,
    bestand: bytes,
    naam: str,
    door: Actor,
    nu: datetime,
    vsb: str,
    aii: str,
) -> OntvangenLijst:
    """Take in a list file addressed to VSB; then send AII the signed receipt.

    ``door`` is the authenticated VSB operator (or the OS account) taking the list in.
    """
    sha256 = hashlib.sha256(bestand).hexdigest()
    kop, inszen, payload_sha256 = _open(bestand, naam, vault=vault, nu=nu, vsb=vsb, aii=aii)
    crash_point("list.ingest:verified")
    with uow as werk:
        lijsten = werk.ontvangen_lijsten
        lijst = lijsten.zoek(kop.lijst_id)
        al_ontvangen = lijst is not None
        if not al_ontvangen:  # VSB's own record: suspended, ended or lapsed, nothing new in
            vereis_stroom(werk, Stroom.F2, nu)
        if lijst is not None and lijst.bestand_sha256 != sha256:
            ontvangen = (
                f"{lijst.ontvangen_op.astimezone(BRUSSEL):%Y-%m-%d %H:%M}"
                if lijst.ontvangen_op
                else "?"
            )
            raise LijstFout(
                f"{naam}: replay — list {kop.lijst_id} was received on {ontvangen}; refused"
            )
        if lijst is None:
            lijst = _bewaar(
                werk,
                kop,
                inszen,
                naam=naam,
                sha256=sha256,
                payload_sha256=payload_sha256,
                door=door.naam,
                nu=nu,
                vault=vault,
            )
        bewijs = lijsten.te_versturen_ontvangstbewijs(lijst.id)
        if bewijs is not None:
            outbox.send(VSB, *bewijs)
            crash_point("list.ingest:receipt-sent")
            lijsten.ontvangstbewijs_verstuurd(lijst.id)
            werk.commit()
        return _ontvangen(lijst, lijsten.ontvangstbewijs_naam(lijst.id), al=al_ontvangen)


def _ontvangstbewijs(kop: LijstKop, sha256: str, vault: Vault, nu: datetime) -> tuple[str, bytes]:
    """VSB's receipt of a list: its file name and the text, signed by VSB."""
    bewijs = Ontvangstbewijs(
        lijst_id=kop.lijst_id, sha256=sha256, aantal=kop.aantal, ontvangen_op=nu.astimezone(BRUSSEL)
    )
    return ontvangst_bestandsnaam(kop.jaar, nu.astimezone(BRUSSEL)), vault.sign(bewijs.tekst())


def _bewaar(
    werk: OntvangstWerk,
    kop: LijstKop,
    inszen: list[str],
    *,
    naam: str,
    sha256: str,
    payload_sha256: str,
    door: str,
    nu: datetime,
    vault: Vault,
) -> Lijst:
    """Store a verified list and its signed receipt in one transaction; a rectification
    replaces the year's list in the same one."""
    lijsten = werk.ontvangen_lijsten
    huidige = lijsten.huidige(kop.jaar)
    try:
        controleer_opvolging(kop.jaar, kop.vervangt, huidige)
    except LijstFout as fout:
        raise LijstFout(f"{naam}: at VSB, {fout}") from None
    lijst = Lijst(
        id=kop.lijst_id,
        jaar=kop.jaar,
        status=LijstStatus.ONTVANGEN,
        aantal=kop.aantal,
        payload_sha256=payload_sha256,
        vervangt=kop.vervangt,
        gemaakt_op=kop.gemaakt_op,
        gemaakt_door=GEMAAKT_BIJ_AII,
        bestand_naam=naam,
        bestand_sha256=sha256,
        ontvangen_op=nu,
        ontvangen_door=door,
    )
    ontvangstbewijs = _ontvangstbewijs(kop, sha256, vault, nu)
    try:
        if huidige is not None:
            lijsten.bewaar(huidige.vervang(nu))  # the year's uniqueness moves to the rectification
        lijsten.voeg_toe(lijst, inszen, ontvangstbewijs=ontvangstbewijs)
        werk.audit.record(  # names no one: the INSZ are on the list itself (SPEC §8.7)
            gebeurtenis=AuditGebeurtenis.VSB_LIJST_ONTVANGEN,
            actor=door,
            tijdstip=nu,
            inhoud={
                "lijst": lijst.id,
                "jaar": lijst.jaar,
                "aantal": lijst.aantal,
                "bestand_sha256": sha256,
                "vervangt": lijst.vervangt,
            },
        )
        werk.commit()
    except Conflict:
        raise LijstFout(f"{naam}: another list for {kop.jaar} was stored meanwhile") from None
    crash_point("list.ingest:stored")
    return lijst


@vereist(Permissie.VSB_LIJST_VERDEEL)
def huidige_lijst(*, uow: OntvangstWerk, jaar: int, door: Actor) -> Lijst | None:
    """The list of ``jaar`` VSB holds now (its steps, no INSZ), for the distribution page."""
    with uow as werk:
        return werk.ontvangen_lijsten.huidige(jaar)
