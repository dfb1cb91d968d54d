"""Delivering an approved yearly list, and taking VSB's receipt back (SPEC §8.3–§8.7) — AII.

Delivery is two short transactions around the mailbox write, because a disclosure is audited
before it leaves: (1) sign and encrypt the payload, keep the file and its name, and write the
one disclosure entry of the list; (2) once the file is whole in the mailbox, mark the list
delivered. Killed anywhere, a rerun sends the same stored bytes under the same name: the
mailbox lands them once, and VSB recognises a list it already has by its id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.adapters.db.aii_models import LijstRij
from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.keys import Sleutels
from kbi_exchange.adapters.mailbox import AII, VSB, Postbus
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
from kbi_exchange.domain.lijst import (
    LijstFout,
    LijstStatus,
    Ontvangstbewijs,
    lijst_bestandsnaam,
)
from kbi_exchange.services.audit import schrijf_audit
from kbi_exchange.services.lijst import Lijst, lijst_van


def _rij(werk: SqlUnitOfWork, lijst_id: str) -> LijstRij:
    rij = werk.session.get(LijstRij, lijst_id)
    if rij is None:
        raise LijstFout(f"no list {lijst_id}")
    return rij


def lever_lijst(
    *,
    uow: SqlUnitOfWork,
    sleutels: Sleutels,
    pki: Pki,
    postbus: Postbus,
    lijst_id: str,
    door: str,
    nu: datetime,
    bestanden_tot: date,
) -> Lijst:
    """Sign, encrypt and deliver an approved list; a rerun finishes or does nothing.

    After ``bestanden_tot`` (the end of the transitional period for file exchange) the file is
    not put in the mailbox: VSB pulls it from ``GET /api/v1/lijsten/{jaar}``.
    """
    with uow as werk:
        rij = _rij(werk, lijst_id)
        if rij.status in (LijstStatus.GELEVERD.value, LijstStatus.ONTVANGEN.value):
            return lijst_van(rij)  # delivered before: nothing to do
        if rij.status != LijstStatus.GOEDGEKEURD.value:
            raise LijstFout(f"list {lijst_id} is {rij.status}: only an approved list can leave")
        if rij.bestand is None:
            ondertekend = cms.onderteken(
                rij.payload.encode("utf-8"), pki.certificaat(AII), pki.sleutel(AII)
            )
            rij.bestand = cms.versleutel(ondertekend, pki.certificaat(VSB))
            rij.bestand_naam = lijst_bestandsnaam(rij.jaar, nu.astimezone(BRUSSEL))
            rij.bestand_sha256 = hashlib.sha256(rij.bestand).hexdigest()
            schrijf_audit(
                audit=werk.audit,
                sleutels=sleutels,
                gebeurtenis=AuditGebeurtenis.LIJST_GELEVERD,
                actor=door,
                tijdstip=nu,
                inhoud={
                    "lijst": rij.id,
                    "jaar": rij.jaar,
                    "aantal": rij.aantal,
                    "sha256": rij.payload_sha256,
                    "bestand": rij.bestand_naam,
                    "bestand_sha256": rij.bestand_sha256,
                    "gemaakt_door": rij.gemaakt_door,
                    "goedgekeurd_door": rij.goedgekeurd_door,
                    "geleverd_door": door,
                    "ontvanger": VSB,
                },
            )
            werk.commit()  # audited before it leaves
        naam, bestand = rij.bestand_naam, rij.bestand
    if naam is None:
        raise LijstFout(f"list {lijst_id}: its file has no name")
    if dag_in_brussel(nu) <= bestanden_tot:
        postbus.verstuur(AII, naam, bestand)
    with uow as werk:
        rij = _rij(werk, lijst_id)
        if rij.status == LijstStatus.GOEDGEKEURD.value:
            rij.status = LijstStatus.GELEVERD.value
            rij.geleverd_op = nu
            rij.geleverd_door = door
            werk.commit()
        return lijst_van(rij)


def verwerk_ontvangstbewijs(
    *, uow: SqlUnitOfWork, sleutels: Sleutels, pki: Pki, bestand: bytes, nu: datetime
) -> Lijst:
    """Verify VSB's signed receipt and mark the list it names received (SPEC §8.6)."""
    inhoud = cms.verifieer(
        bestand, ca=pki.ca(), ondertekenaar=pki.certificaat(VSB), moment=nu
    )  # nothing in it is believed before this
    bewijs = Ontvangstbewijs.lees(inhoud)
    with uow as werk:
        rij = _rij(werk, bewijs.lijst_id)
        if rij.bestand_sha256 != bewijs.sha256:
            raise LijstFout(
                f"receipt for list {rij.id}: VSB received a file with another SHA-256 than "
                "the one delivered"
            )
        if bewijs.aantal != rij.aantal:
            raise LijstFout(
                f"receipt for list {rij.id}: VSB counted {bewijs.aantal} INSZ, not {rij.aantal}"
            )
        if rij.ontvangen_op is not None:
            return lijst_van(rij)  # the same receipt again
        if rij.geleverd_op is None:
            raise LijstFout(f"receipt for list {rij.id}, which is {rij.status}, not delivered")
        if rij.status == LijstStatus.GELEVERD.value:
            # a list rectified meanwhile stays replaced; its receipt is still the proof
            rij.status = LijstStatus.ONTVANGEN.value
        rij.ontvangen_op = bewijs.ontvangen_op
        rij.ontvangen_door = VSB
        rij.ontvangstbewijs = bestand
        schrijf_audit(
            audit=werk.audit,
            sleutels=sleutels,
            gebeurtenis=AuditGebeurtenis.LIJST_ONTVANGEN,
            actor=VSB,
            tijdstip=nu,
            inhoud={
                "lijst": rij.id,
                "bestand_sha256": bewijs.sha256,
                "aantal": bewijs.aantal,
                "ontvangen_op": bewijs.ontvangen_op.isoformat(),
            },
        )
        werk.commit()
        return lijst_van(rij)


@dataclass(frozen=True, slots=True)
class LijstBestand:
    naam: str
    inhoud: bytes


def haal_lijst_op(
    *, uow: SqlUnitOfWork, sleutels: Sleutels, jaar: int, client: str, nu: datetime
) -> LijstBestand:
    """The delivered file of a year's current list, for ``GET /api/v1/lijsten/{jaar}``."""
    with uow as werk:
        rij = werk.session.scalar(
            select(LijstRij).where(
                LijstRij.jaar == jaar,
                LijstRij.status.in_([LijstStatus.GELEVERD.value, LijstStatus.ONTVANGEN.value]),
            )
        )
        if rij is None or rij.bestand is None or rij.bestand_naam is None:
            raise LijstFout(f"no delivered list for {jaar}")
        schrijf_audit(
            audit=werk.audit,
            sleutels=sleutels,
            gebeurtenis=AuditGebeurtenis.LIJST_OPGEHAALD,
            actor=client,
            tijdstip=nu,
            inhoud={"lijst": rij.id, "jaar": jaar, "bestand_sha256": rij.bestand_sha256},
        )
        werk.commit()
        return LijstBestand(rij.bestand_naam, rij.bestand)
