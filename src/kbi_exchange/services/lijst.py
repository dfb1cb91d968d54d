"""The yearly list on the AII node (flow F2, SPEC §8): make, approve, show.

Making evaluates every dossier with the rules engine of flow F1 (`domain.lijst.op_lijst`,
which calls the same `evaluate`), a block at a time, in one read transaction: one snapshot of
the KBI, whatever is imported meanwhile. Nothing is stored until the whole list is made.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from kbi_exchange.adapters.db.aii_models import LijstRij
from kbi_exchange.adapters.db.engine import maak_engine
from kbi_exchange.adapters.db.kbi_stream import EINDE, grenzen, stroom_dossiers
from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.keys import Sleutels
from kbi_exchange.adapters.process import worker_pool
from kbi_exchange.domain.access import PERMISSIES, Gebruiker, Permissie
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
from kbi_exchange.domain.lijst import (
    LijstFout,
    LijstKop,
    LijstStatus,
    controleer_jaar,
    op_lijst,
    payload,
)
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.audit import schrijf_audit
from kbi_exchange.services.users import vereis

# From this many persons on, the list is evaluated in worker processes.
GROOT = 50_000


@dataclass(frozen=True, slots=True)
class Lijst:
    """A list as `show` prints it: its states with who and when; no INSZ."""

    id: str
    jaar: int
    status: str
    aantal: int
    payload_sha256: str
    vervangt: str | None
    gemaakt_op: datetime
    gemaakt_door: str
    goedgekeurd_op: datetime | None
    goedgekeurd_door: str | None
    vervangen_op: datetime | None
    bestand_naam: str | None = None
    bestand_sha256: str | None = None
    geleverd_op: datetime | None = None
    geleverd_door: str | None = None
    ontvangen_op: datetime | None = None
    ontvangen_door: str | None = None

    def stappen(self) -> list[tuple[str, str | None, datetime]]:
        """Each step taken so far: (state, by whom, when)."""
        return [
            (status, door, op)
            for status, door, op in (
                (LijstStatus.GEMAAKT.value, self.gemaakt_door, self.gemaakt_op),
                (LijstStatus.GOEDGEKEURD.value, self.goedgekeurd_door, self.goedgekeurd_op),
                (LijstStatus.GELEVERD.value, self.geleverd_door, self.geleverd_op),
                (LijstStatus.ONTVANGEN.value, self.ontvangen_door, self.ontvangen_op),
                (LijstStatus.VERVANGEN.value, None, self.vervangen_op),
            )
            if op is not None
        ]

    def json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "jaar": self.jaar,
            "status": self.status,
            "aantal": self.aantal,
            "payload_sha256": self.payload_sha256,
            "vervangt": self.vervangt,
            "bestand": self.bestand_naam,
            "bestand_sha256": self.bestand_sha256,
            "stappen": [
                {"status": status, "door": door, "op": op.isoformat()}
                for status, door, op in self.stappen()
            ],
        }


def lijst_van(rij: LijstRij) -> Lijst:
    return Lijst(
        id=rij.id,
        jaar=rij.jaar,
        status=rij.status,
        aantal=rij.aantal,
        payload_sha256=rij.payload_sha256,
        vervangt=rij.vervangt,
        gemaakt_op=rij.gemaakt_op,
        gemaakt_door=rij.gemaakt_door,
        goedgekeurd_op=rij.goedgekeurd_op,
        goedgekeurd_door=rij.goedgekeurd_door,
        vervangen_op=rij.vervangen_op,
        bestand_naam=rij.bestand_naam,
        bestand_sha256=rij.bestand_sha256,
        geleverd_op=rij.geleverd_op,
        geleverd_door=rij.geleverd_door,
        ontvangen_op=rij.ontvangen_op,
        ontvangen_door=rij.ontvangen_door,
    )


def _huidige(werk: SqlUnitOfWork, jaar: int) -> LijstRij | None:
    """The list for a year that is not replaced, if any."""
    return werk.session.scalar(
        select(LijstRij).where(
            LijstRij.jaar == jaar, LijstRij.status != LijstStatus.VERVANGEN.value
        )
    )


def _op_lijst_in(
    verbinding: Connection,
    *,
    jaar: int,
    nu: datetime,
    van: str = "",
    tot: str = EINDE,
    voortgang: Callable[[int], None] = lambda _: None,
) -> tuple[list[str], int]:
    """Who in ``(van, tot]`` is on the list, in order, and how many persons that range held."""
    parameters = standaard_parameters()
    gevonden: list[str] = []
    personen = 0
    for blok in stroom_dossiers(verbinding, van=van, tot=tot):
        gevonden.extend(
            d.insz for d in blok if op_lijst(d, jaar, gekend_op=nu, parameters=parameters)
        )
        personen += len(blok)
        voortgang(personen)
    return gevonden, personen


def _deel_op_lijst(url: str, van: str, tot: str, jaar: int, nu: datetime) -> tuple[list[str], int]:
    """In a worker: `_op_lijst_in` for one range, on connections of its own."""
    engine = maak_engine(url)  # never the parent's connections
    try:
        with engine.connect() as verbinding:
            return _op_lijst_in(verbinding, jaar=jaar, nu=nu, van=van, tot=tot)
    finally:
        engine.dispose()


def _wie_op_lijst(
    werk: SqlUnitOfWork,
    *,
    jaar: int,
    nu: datetime,
    aantal_werkers: int | None,
    voortgang: Callable[[int], None],
) -> list[str]:
    """Every dossier evaluated on Y-01-01 as known at ``nu``; the INSZ on the list, in order.

    Workers read in their own transactions. That is still one consistent list: the rules see
    only what was known at ``nu`` (knowledge time), so what is imported meanwhile counts for
    no one.
    """
    verbinding = werk.session.connection()
    personen = werk.kbi.aantal_personen()
    if aantal_werkers is None:
        aantal_werkers = min(4, os.cpu_count() or 1) if personen >= GROOT else 0
    if aantal_werkers == 0:
        return _op_lijst_in(verbinding, jaar=jaar, nu=nu, voortgang=voortgang)[0]
    url = werk.engine.url.render_as_string(hide_password=False)
    delen = grenzen(verbinding, aantal_werkers * 8)
    with worker_pool(aantal_werkers) as pool:
        if pool is None:  # cannot happen: aantal_werkers > 0
            raise RuntimeError("no worker processes")
        taken = [pool.submit(_deel_op_lijst, url, van, tot, jaar, nu) for van, tot in delen]
        gezien = 0
        for taak in as_completed(taken):
            gezien += taak.result()[1]
            voortgang(gezien)
        return [insz for taak in taken for insz in taak.result()[0]]


def maak_lijst(
    *,
    uow: SqlUnitOfWork,
    sleutels: Sleutels,
    jaar: int,
    door: Gebruiker,
    nu: datetime,
    producent: str,
    ontvanger: str,
    vervangt: str | None = None,
    voortgang: Callable[[int], None] = lambda _: None,
    aantal_werkers: int | None = None,
) -> Lijst:
    """Make the list for ``jaar`` as known at ``nu``; refused when one exists (SPEC §8.5).

    A rectification (``vervangt``) names the current list of that year; it replaces it only
    once approved. ``aantal_werkers`` processes evaluate parts of the KBI (default: one per
    core for a large KBI, none for a small one).
    """
    vereis(door, Permissie.KBI_LIJST_MAAK)
    parameters = standaard_parameters()
    controleer_jaar(jaar, vandaag=dag_in_brussel(nu), parameters=parameters)
    with uow as werk:
        huidige = _huidige(werk, jaar)
        if vervangt is None and huidige is not None:
            raise LijstFout(
                f"year {jaar} already has list {huidige.id} ({huidige.status}); "
                "a new one must rectify it (--rectifies)"
            )
        if vervangt is not None and (huidige is None or huidige.id != vervangt):
            raise LijstFout(
                f"--rectifies {vervangt}: not the current list of {jaar}"
                + (f" (that is {huidige.id})" if huidige else " (there is none)")
            )
        inszen = _wie_op_lijst(
            werk, jaar=jaar, nu=nu, aantal_werkers=aantal_werkers, voortgang=voortgang
        )
        kop = LijstKop(
            lijst_id=str(uuid.uuid4()),
            jaar=jaar,
            gemaakt_op=nu.astimezone(BRUSSEL),
            producent=producent,
            ontvanger=ontvanger,
            vervangt=vervangt,
            aantal=len(inszen),
        )
        inhoud = payload(kop, inszen)
        rij = LijstRij(
            id=kop.lijst_id,
            jaar=jaar,
            enig_jaar=None if vervangt else jaar,
            vervangt=vervangt,
            status=LijstStatus.GEMAAKT.value,
            aantal=kop.aantal,
            payload_sha256=hashlib.sha256(inhoud).hexdigest(),
            payload=inhoud.decode("utf-8"),
            gemaakt_op=nu,
            gemaakt_door=door.naam,
        )
        werk.session.add(rij)
        schrijf_audit(
            audit=werk.audit,
            sleutels=sleutels,
            gebeurtenis=AuditGebeurtenis.LIJST_GEMAAKT,
            actor=door.naam,
            tijdstip=nu,
            inhoud={
                "lijst": rij.id,
                "jaar": jaar,
                "aantal": rij.aantal,
                "sha256": rij.payload_sha256,
                "vervangt": vervangt,
            },
        )
        try:
            werk.commit()
        except IntegrityError:  # another run made one for this year at the same time
            raise LijstFout(f"year {jaar} already has a list (made meanwhile)") from None
        return lijst_van(rij)


def keur_goed(
    *, uow: SqlUnitOfWork, sleutels: Sleutels, lijst_id: str, door: Gebruiker, nu: datetime
) -> Lijst:
    """Four eyes: another person, an approver who may not change KBI data, approves."""
    vereis(door, Permissie.KBI_LIJST_KEUR_GOED)
    if Permissie.KBI_DOSSIER_IMPORTEER in PERMISSIES[door.rol]:
        raise LijstFout(f"{door.naam} may change KBI data and so may not approve a list")
    with uow as werk:
        rij = werk.session.get(LijstRij, lijst_id)
        if rij is None:
            raise LijstFout(f"no list {lijst_id}")
        if rij.gemaakt_door == door.naam:
            raise LijstFout(f"{door.naam} made list {lijst_id} and so may not approve it")
        if rij.status != LijstStatus.GEMAAKT.value:
            if rij.status == LijstStatus.GOEDGEKEURD.value:
                return lijst_van(rij)  # a rerun changes nothing
            raise LijstFout(f"list {lijst_id} is {rij.status}, not waiting for approval")
        rij.status = LijstStatus.GOEDGEKEURD.value
        rij.goedgekeurd_op = nu
        rij.goedgekeurd_door = door.naam
        if rij.vervangt is not None:
            oud = werk.session.get(LijstRij, rij.vervangt)
            if oud is not None:
                oud.status = LijstStatus.VERVANGEN.value
                oud.vervangen_op = nu
                # the year's uniqueness moves to the rectification
                oud.enig_jaar = None
                werk.session.flush()
                rij.enig_jaar = rij.jaar
        schrijf_audit(
            audit=werk.audit,
            sleutels=sleutels,
            gebeurtenis=AuditGebeurtenis.LIJST_GOEDGEKEURD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={"lijst": rij.id, "jaar": rij.jaar, "vervangt": rij.vervangt},
        )
        werk.commit()
        return lijst_van(rij)


def toon_lijst(*, uow: SqlUnitOfWork, lijst_id: str) -> Lijst:
    with uow as werk:
        rij = werk.session.get(LijstRij, lijst_id)
        if rij is None:
            raise LijstFout(f"no list {lijst_id}")
        return lijst_van(rij)


def lijsten_met(werk: SqlUnitOfWork, insz: str) -> list[str]:
    """The ids of the lists a person is on: their INSZ is a line of the stored payload."""
    return list(
        werk.session.scalars(
            select(LijstRij.id).where(LijstRij.payload.contains(f"\n{insz}\n", autoescape=True))
        )
    )


def alle_lijsten(*, uow: SqlUnitOfWork) -> list[Lijst]:
    """Every list, newest year first, each with its state (no INSZ)."""
    with uow as werk:
        return [
            lijst_van(rij)
            for rij in werk.session.scalars(
                select(LijstRij).order_by(LijstRij.jaar.desc(), LijstRij.gemaakt_op.desc())
            )
        ]
