"""Answering the F1 question and presenting the answer as `kbi aii decide --json` does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.advies import Antwoord, Vraag, beantwoord
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.ports import HerspeelWerk, KbiOverzichtWerk


def decide(
    vraag: Vraag,
    *,
    zoek: Callable[[str], Dossier | None],
    nu: datetime,
    gekend_op: datetime | None = None,
    parameters: ParameterSet | None = None,
) -> Antwoord:
    """The answer flow F1 gives at moment ``nu`` (as known at ``gekend_op``, default ``nu``)."""
    return beantwoord(
        vraag,
        zoek=zoek,
        vandaag=dag_in_brussel(nu),
        gekend_op=gekend_op or nu,
        parameters=parameters or standaard_parameters(),
    )


@vereist(Permissie.KBI_ADVIES_BEKIJK)
def beslis(
    *,
    uow: HerspeelWerk,
    vraag: Vraag,
    door: Actor,
    nu: datetime,
    gekend_op: datetime | None = None,
) -> Antwoord:
    """`decide` on the KBI as the unit of work reads it, for an actor who may view answers
    (`kbi aii decide`: nothing is recorded, nothing leaves the node)."""
    with uow as werk:
        return decide(vraag, zoek=werk.kbi.zoek, nu=nu, gekend_op=gekend_op)


@vereist(Permissie.KBI_ADVIES_BEKIJK)
def met_dossier(
    *,
    uow: HerspeelWerk,
    vraag: Vraag,
    door: Actor,
    nu: datetime,
    gekend_op: datetime | None = None,
) -> tuple[Antwoord, Dossier | None]:
    """`beslis`, and the dossier it was decided on as the KBI holds it — every fact with
    when it was registered and withdrawn — read once (the AII page's timeline; nothing is
    recorded, nothing leaves the node)."""
    with uow as werk:
        gelezen: dict[str, Dossier | None] = {}

        def zoek(insz: str) -> Dossier | None:
            if insz not in gelezen:
                gelezen[insz] = werk.kbi.zoek(insz)
            return gelezen[insz]

        antwoord = decide(vraag, zoek=zoek, nu=nu, gekend_op=gekend_op)
        return antwoord, zoek(antwoord.insz) if antwoord.insz else None


@vereist(Permissie.KBI_ADVIES_BEKIJK)
def aantal_dossiers(*, uow: KbiOverzichtWerk, door: Actor) -> int:
    """How many persons the KBI holds a dossier for (the dossier page's heading)."""
    with uow as werk:
        return werk.kbi.aantal_personen()


@dataclass(slots=True)
class Overzicht:
    """Every dossier decided on one date: how many per status, and the reported reasons."""

    statussen: Counter[str] = field(default_factory=Counter)
    redenen: Counter[str] = field(default_factory=Counter)


@vereist(Permissie.KBI_ADVIES_BEKIJK)
def overzicht(
    *,
    uow: KbiOverzichtWerk,
    door: Actor,
    datum: date,
    nu: datetime,
    voortgang: Callable[[int, int], object] = lambda gedaan, totaal: None,
) -> Overzicht:
    """Every dossier in the KBI decided on ``datum`` as known at ``nu`` (counts only: no
    person leaves); ``voortgang`` hears how many of how many are done."""
    uit = Overzicht()
    gedaan = 0
    with uow as werk:
        totaal = werk.kbi.aantal_personen()
        for blok in werk.kbi.stroom():
            dossiers = {dossier.insz: dossier for dossier in blok}

            def zoek(insz: str, dossiers: dict[str, Dossier] = dossiers) -> Dossier | None:
                # a replaced number may point outside this block
                return dossiers.get(insz) or werk.kbi.zoek(insz)

            for insz in dossiers:
                antwoord = decide(Vraag(insz, datum), zoek=zoek, nu=nu)
                uit.statussen[antwoord.status.value if antwoord.status else "refused"] += 1
                if antwoord.beslissing and antwoord.beslissing.reden:
                    uit.redenen[antwoord.beslissing.reden.code.value] += 1
            gedaan += len(blok)
            voortgang(gedaan, totaal)
    return uit


def antwoord_json(antwoord: Antwoord) -> dict[str, Any]:
    """The fields of SPEC §14 for ``kbi aii decide --json``."""
    beslissing = antwoord.beslissing
    return {
        # a refused question echoes what was given, cut as the advice service cuts it
        "insz": antwoord.insz if antwoord.insz is not None else antwoord.vraag.insz[:32],
        "datum": antwoord.datum.isoformat() if antwoord.datum else str(antwoord.vraag.datum)[:32],
        "status": beslissing.status.value if beslissing else None,
        "advies": beslissing.advies.value if beslissing else None,
        "reden": beslissing.reden.code.value if beslissing and beslissing.reden else None,
        "redenen": [r.code.value for r in beslissing.redenen] if beslissing else [],
        "uitzonderingen": [u.identificatie.value for u in antwoord.uitzonderingen],
    }
