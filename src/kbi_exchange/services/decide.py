"""Answering the F1 question and presenting the answer as `kbi aii decide --json` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.advies import Antwoord, Vraag, beantwoord
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.dossier import Dossier
from kbi_exchange.domain.parameters import ParameterSet
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.ports import HerspeelWerk


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
