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

from sqlalchemy import select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.adapters.db.driver import voeg_rijen_toe
from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.db.vsb_models import VsbLijstInszRij, VsbLijstRij
from kbi_exchange.adapters.mailbox import AII, VSB, Postbus
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
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
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.ports import Conflict

BLOK = 10_000


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
    bestand: bytes, naam: str, *, pki: Pki, nu: datetime, vsb: str, aii: str
) -> tuple[LijstKop, list[str], str]:
    """Decrypt, verify, then read and check the header: the list, believed only now."""
    try:
        ondertekend = cms.ontsleutel(bestand, pki.certificaat(VSB), pki.sleutel(VSB))
    except cms.CmsFout as fout:
        raise LijstFout(f"{naam}: not encrypted for VSB ({fout})") from None
    try:
        payload = cms.verifieer(
            ondertekend, ca=pki.ca(), ondertekenaar=pki.certificaat(AII), moment=nu
        )
    except cms.CmsFout as fout:
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


def _ontvangen(rij: VsbLijstRij, *, al: bool) -> OntvangenLijst:
    return OntvangenLijst(
        id=rij.id,
        jaar=rij.jaar,
        aantal=rij.aantal,
        vervangt=rij.vervangt,
        ontvangen_op=rij.ontvangen_op,
        ontvangstbewijs=rij.ontvangstbewijs_naam or "",
        al_ontvangen=al,
    )


def ontvang_lijst(
    *,
    uow: SqlUnitOfWork,
    pki: Pki,
    postbus: Postbus,
    bestand: bytes,
    naam: str,
    door: str,
    nu: datetime,
    vsb: str,
    aii: str,
) -> OntvangenLijst:
    """Take in a list file addressed to VSB; then send AII the signed receipt.

    ``door`` is the authenticated VSB operator (or the OS account) taking the list in.
    """
    sha256 = hashlib.sha256(bestand).hexdigest()
    kop, inszen, payload_sha256 = _open(bestand, naam, pki=pki, nu=nu, vsb=vsb, aii=aii)
    with uow as werk:
        rij = werk.session.get(VsbLijstRij, kop.lijst_id)
        al_ontvangen = rij is not None
        if rij is not None and rij.bestand_sha256 != sha256:
            raise LijstFout(
                f"{naam}: replay — list {kop.lijst_id} was received on "
                f"{rij.ontvangen_op.astimezone(BRUSSEL):%Y-%m-%d %H:%M}; refused"
            )
        if rij is None:
            rij = _bewaar(
                werk,
                kop,
                inszen,
                naam=naam,
                sha256=sha256,
                payload_sha256=payload_sha256,
                door=door,
                nu=nu,
                pki=pki,
            )
        if not rij.ontvangstbewijs_verstuurd:
            if rij.ontvangstbewijs_naam is None or rij.ontvangstbewijs is None:
                raise LijstFout(f"list {rij.id}: stored without its receipt")
            postbus.verstuur(VSB, rij.ontvangstbewijs_naam, rij.ontvangstbewijs)
            rij.ontvangstbewijs_verstuurd = True
            werk.commit()
        return _ontvangen(rij, al=al_ontvangen)


def _bewaar(
    werk: SqlUnitOfWork,
    kop: LijstKop,
    inszen: list[str],
    *,
    naam: str,
    sha256: str,
    payload_sha256: str,
    door: str,
    nu: datetime,
    pki: Pki,
) -> VsbLijstRij:
    """Store a verified list and its signed receipt in one transaction."""
    huidige = werk.session.scalar(
        select(VsbLijstRij).where(
            VsbLijstRij.jaar == kop.jaar, VsbLijstRij.status != LijstStatus.VERVANGEN.value
        )
    )
    if kop.vervangt is None and huidige is not None:
        raise LijstFout(
            f"{naam}: VSB already has list {huidige.id} for {kop.jaar}; a second list is "
            "refused unless it rectifies that one"
        )
    if kop.vervangt is not None and (huidige is None or huidige.id != kop.vervangt):
        raise LijstFout(f"{naam}: rectifies {kop.vervangt}, which is not VSB's list for {kop.jaar}")
    bewijs = Ontvangstbewijs(
        lijst_id=kop.lijst_id, sha256=sha256, aantal=kop.aantal, ontvangen_op=nu.astimezone(BRUSSEL)
    )
    rij = VsbLijstRij(
        id=kop.lijst_id,
        jaar=kop.jaar,
        enig_jaar=kop.jaar,
        vervangt=kop.vervangt,
        status=LijstStatus.ONTVANGEN.value,
        aantal=kop.aantal,
        gemaakt_op=kop.gemaakt_op,
        bestand_naam=naam,
        bestand_sha256=sha256,
        payload_sha256=payload_sha256,
        ontvangen_op=nu,
        ontvangen_door=door,
        ontvangstbewijs_naam=ontvangst_bestandsnaam(kop.jaar, nu.astimezone(BRUSSEL)),
        ontvangstbewijs=cms.onderteken(bewijs.tekst(), pki.certificaat(VSB), pki.sleutel(VSB)),
        ontvangstbewijs_verstuurd=False,
    )
    if huidige is not None:
        huidige.status = LijstStatus.VERVANGEN.value
        huidige.vervangen_op = nu
        huidige.enig_jaar = None  # the year's uniqueness moves to the rectification
        werk.session.flush()
    werk.session.add(rij)
    werk.session.flush()
    verbinding = werk.session.connection()
    for start in range(0, len(inszen), BLOK):
        voeg_rijen_toe(
            verbinding,
            VsbLijstInszRij.__table__,  # type: ignore[arg-type]
            ("lijst_id", "insz"),
            [(kop.lijst_id, insz) for insz in inszen[start : start + BLOK]],
        )
    try:
        werk.commit()
    except Conflict:
        raise LijstFout(f"{naam}: another list for {kop.jaar} was stored meanwhile") from None
    return rij
