"""The yearly list on the AII node (flow F2, SPEC §8): make, approve, show.

Making evaluates every dossier with the rules engine of flow F1 (`domain.lijst.op_lijst`, which
calls the same `evaluate`) in one read of the KBI as known now; nothing is stored until the
whole list is made. The states are the domain's (`domain.lijst_staat.Lijst`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import BRUSSEL, dag_in_brussel
from kbi_exchange.domain.fouten import Conflict
from kbi_exchange.domain.lijst import LijstFout, LijstKop, LijstStatus, controleer_jaar, payload
from kbi_exchange.domain.lijst_staat import Lijst, controleer_opvolging
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.ports import LijstWerk


@vereist(Permissie.KBI_LIJST_MAAK)
def maak_lijst(
    *,
    uow: LijstWerk,
    jaar: int,
    door: Actor,
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
    parameters = standaard_parameters()
    controleer_jaar(jaar, vandaag=dag_in_brussel(nu), parameters=parameters)
    with uow as werk:
        try:
            controleer_opvolging(jaar, vervangt, werk.lijsten.huidige(jaar))
        except LijstFout as fout:
            raise LijstFout(f"vervangt: {fout}") from None
        inszen = werk.kbi.op_lijst(
            jaar=jaar, nu=nu, aantal_werkers=aantal_werkers, voortgang=voortgang
        )
        crash_point("list.make:evaluated")
        kop = LijstKop(
            lijst_id=str(uuid.uuid4()),
            jaar=jaar,
            gemaakt_op=nu.astimezone(BRUSSEL),
            producent=producent,
            ontvanger=ontvanger,
            vervangt=vervangt,
            aantal=len(inszen),
        )
        lijst, inhoud = _nieuwe_lijst(kop, inszen, door=door, nu=nu)
        werk.lijsten.voeg_toe(lijst, inhoud)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.LIJST_GEMAAKT,
            actor=door.naam,
            tijdstip=nu,
            inhoud={
                "lijst": lijst.id,
                "jaar": jaar,
                "aantal": lijst.aantal,
                "sha256": lijst.payload_sha256,
                "vervangt": vervangt,
            },
        )
        try:
            werk.commit()
        except Conflict as fout:  # another run made one for this year at the same time
            raise LijstFout(f"year {jaar} already has a list (made meanwhile)") from fout
        crash_point("list.make:committed")
        return lijst


def _nieuwe_lijst(
    kop: LijstKop, inszen: list[str], *, door: Actor, nu: datetime
) -> tuple[Lijst, str]:
    """A list as made, and its payload (the header and the INSZ, one a line)."""
    inhoud = payload(kop, inszen)
    lijst = Lijst(
        id=kop.lijst_id,
        jaar=kop.jaar,
        status=LijstStatus.GEMAAKT,
        aantal=kop.aantal,
        payload_sha256=hashlib.sha256(inhoud).hexdigest(),
        vervangt=kop.vervangt,
        gemaakt_op=nu,
        gemaakt_door=door.naam,
    )
    return lijst, inhoud.decode("utf-8")


@vereist(Permissie.KBI_LIJST_KEUR_GOED)
def keur_goed(*, uow: LijstWerk, lijst_id: str, door: Actor, nu: datetime) -> Lijst:
    """Four eyes: another person, an approver who may not change KBI data, approves; an
    approved rectification replaces the list it names."""
    if Permissie.KBI_DOSSIER_IMPORTEER in door.permissies:  # separation of duties
        raise LijstFout(f"{door.naam} may change KBI data and so may not approve a list")
    with uow as werk:
        lijst = werk.lijsten.get(lijst_id)
        goedgekeurd = lijst.keur_goed(door.naam, nu)
        if goedgekeurd is lijst:
            return lijst  # a rerun changes nothing
        vervangen = [werk.lijsten.get(lijst.vervangt).vervang(nu)] if lijst.vervangt else []
        try:
            werk.lijsten.bewaar(goedgekeurd, *vervangen)
        except Conflict as fout:  # another approval of this year's lists got there first
            raise LijstFout(f"list {lijst.id}: its year changed meanwhile; try again") from fout
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.LIJST_GOEDGEKEURD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={"lijst": lijst.id, "jaar": lijst.jaar, "vervangt": lijst.vervangt},
        )
        crash_point("list.approve:before-commit")
        werk.commit()
        crash_point("list.approve:committed")
        return goedgekeurd


@vereist(Permissie.KBI_LIJST_BEKIJK)
def toon_lijst(*, door: Actor, uow: LijstWerk, lijst_id: str) -> Lijst:
    with uow as werk:
        return werk.lijsten.get(lijst_id)


@vereist(Permissie.KBI_LIJST_BEKIJK)
def alle_lijsten(*, door: Actor, uow: LijstWerk) -> list[Lijst]:
    """Every list, newest year first, each with its state (no INSZ)."""
    with uow as werk:
        return werk.lijsten.alle()
