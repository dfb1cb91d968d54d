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

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
from kbi_exchange.domain.fouten import NotFound
from kbi_exchange.domain.lijst import (
    LijstFout,
    LijstStatus,
    Ontvangstbewijs,
    lijst_bestandsnaam,
)
from kbi_exchange.domain.lijst_staat import Lijst, controleer_kalenderjaar
from kbi_exchange.domain.protocol import GeenWettelijkeContext, Stroom
from kbi_exchange.services.ports import LijstWerk, Outbox, Vault
from kbi_exchange.services.protocol import vereis_stroom

AII, VSB = Node.AII.value, Node.VSB.value  # the parties as certificates and mailbox name them


@vereist(Permissie.KBI_LIJST_LEVER)
def lever_lijst(
    *,
    uow: LijstWerk,
    vault: Vault,
    outbox: Outbox,
    lijst_id: str,
    door: Actor,
    nu: datetime,
    bestanden_tot: date,
) -> Lijst:
    """Sign, encrypt and deliver an approved list; a rerun finishes or does nothing.

    After ``bestanden_tot`` (the end of the transitional period for file exchange) the file is
    not put in the mailbox: VSB pulls it from ``GET /api/v1/lijsten/{jaar}``.
    """
    with uow as werk:
        lijst = werk.lijsten.get(lijst_id)
        if lijst.status in (LijstStatus.GELEVERD, LijstStatus.ONTVANGEN):
            return lijst  # delivered before: nothing to do
        vereis_stroom(werk, Stroom.F2, nu)  # suspended, ended or a lapsed basis: not delivered
        bestand = werk.lijsten.bestand(lijst_id)
        if bestand is None:
            lijst, bestand = _maak_bestand(werk, lijst, vault=vault, door=door, nu=nu)
            crash_point("list.deliver:file-stored")
        naam = lijst.bestand_naam
    if naam is None:
        raise LijstFout(f"list {lijst_id}: its file has no name")
    if dag_in_brussel(nu) <= bestanden_tot:
        outbox.send(AII, naam, bestand)
        crash_point("list.deliver:sent")
    with uow as werk:
        lijst = werk.lijsten.get(lijst_id)
        geleverd = lijst.lever(door.naam, nu)
        if geleverd is not lijst:
            werk.lijsten.bewaar(geleverd)
            werk.commit()
        return geleverd


def _maak_bestand(
    werk: LijstWerk, lijst: Lijst, *, vault: Vault, door: Actor, nu: datetime
) -> tuple[Lijst, bytes]:
    """The list's file, signed by AII and encrypted for VSB, stored and its disclosure
    audited in one commit, before it leaves."""
    # two deliveries at once: the second waits here and then sees the first
    werk.audit.vergrendel()
    controleer_kalenderjaar(lijst, werk.lijsten.alle(), dag_in_brussel(nu))
    ondertekend = vault.sign(werk.lijsten.payload(lijst.id).encode("utf-8"))
    bestand = vault.encrypt(ondertekend, VSB)
    lijst = lijst.met_bestand(
        lijst_bestandsnaam(lijst.jaar, nu.astimezone(BRUSSEL)),
        hashlib.sha256(bestand).hexdigest(),
    )
    werk.lijsten.zet_bestand(lijst.id, bestand)
    werk.lijsten.bewaar(lijst)
    werk.audit.record(
        gebeurtenis=AuditGebeurtenis.LIJST_GELEVERD,
        actor=door.naam,
        tijdstip=nu,
        inhoud={
            "lijst": lijst.id,
            "jaar": lijst.jaar,
            "aantal": lijst.aantal,
            "sha256": lijst.payload_sha256,
            "bestand": lijst.bestand_naam,
            "bestand_sha256": lijst.bestand_sha256,
            "gemaakt_door": lijst.gemaakt_door,
            "goedgekeurd_door": lijst.goedgekeurd_door,
            "geleverd_door": door.naam,
            "ontvanger": VSB,
        },
    )
    werk.commit()  # audited before it leaves
    return lijst, bestand


@vereist(Permissie.KBI_LIJST_LEVER)
def verwerk_ontvangstbewijs(
    *, door: Actor, uow: LijstWerk, vault: Vault, bestand: bytes, nu: datetime
) -> Lijst:
    """Verify VSB's signed receipt and mark the list it names received (SPEC §8.6)."""
    inhoud = vault.verify(bestand, van=VSB, moment=nu)  # nothing in it is believed before this
    bewijs = Ontvangstbewijs.parse(inhoud)
    with uow as werk:
        lijst = werk.lijsten.get(bewijs.lijst_id)
        if lijst.bestand_sha256 != bewijs.sha256:
            raise LijstFout(
                f"receipt for list {lijst.id}: VSB received a file with another SHA-256 than "
                "the one delivered"
            )
        if bewijs.aantal != lijst.aantal:
            raise LijstFout(
                f"receipt for list {lijst.id}: VSB counted {bewijs.aantal} INSZ, not {lijst.aantal}"
            )
        ontvangen = lijst.ontvang(VSB, bewijs.ontvangen_op)
        if ontvangen is lijst:
            return lijst  # the same receipt again
        werk.lijsten.bewaar(ontvangen)
        werk.lijsten.zet_ontvangstbewijs(lijst.id, bestand)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.LIJST_ONTVANGEN,
            actor=VSB,
            tijdstip=nu,
            inhoud={
                "lijst": lijst.id,
                "bestand_sha256": bewijs.sha256,
                "aantal": bewijs.aantal,
                "ontvangen_op": bewijs.ontvangen_op.isoformat(),
            },
        )
        werk.commit()
        return ontvangen


@dataclass(frozen=True, slots=True)
class LijstBestand:
    naam: str
    inhoud: bytes


@vereist(Permissie.KBI_LIJST_HAAL)
def haal_lijst_op(*, door: Actor, uow: LijstWerk, jaar: int, nu: datetime) -> LijstBestand:
    """The delivered file of a year's current list, for ``GET /api/v1/lijsten/{jaar}``."""
    with uow as werk:
        try:
            vereis_stroom(werk, Stroom.F2, nu)
        except GeenWettelijkeContext as fout:
            # a refused pull is recorded too: who asked for which year, and why not
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.LIJST_OPHALEN_GEWEIGERD,
                actor=door.naam,
                tijdstip=nu,
                inhoud={"jaar": jaar, "reden": str(fout)},
            )
            werk.commit()
            raise
        lijst = werk.lijsten.geleverd_van(jaar)
        bestand = werk.lijsten.bestand(lijst.id) if lijst is not None else None
        if lijst is None or bestand is None or lijst.bestand_naam is None:
            raise NotFound(f"no delivered list for {jaar}")
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.LIJST_OPGEHAALD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={"lijst": lijst.id, "jaar": jaar, "bestand_sha256": lijst.bestand_sha256},
        )
        werk.commit()
        return LijstBestand(lijst.bestand_naam, bestand)
