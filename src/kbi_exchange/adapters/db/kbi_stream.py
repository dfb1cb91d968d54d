"""Every dossier of the KBI, streamed in INSZ order: for the yearly list over a population.

Range reads on the ``(insz, ...)`` indexes, one block of persons at a time, on the DBAPI
cursor: per dossier this costs a fraction of `SqlKbi.dossiers`, which looks INSZ up by list.
A range ``(van, tot]`` lets several processes each take a part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select

from kbi_exchange.adapters.db.aii_models import FeitRij, PersoonRij, VeldRij
from kbi_exchange.adapters.db.driver import lees
from kbi_exchange.adapters.db.kbi_store import feit_uit_rij, feiten_met_intrekking, veld_uit_rij
from kbi_exchange.domain.dossier import Dossier, Feit, VeldVersie, bouw_dossier

_PERSOON = cast(Table, PersoonRij.__table__)
_FEIT = cast(Table, FeitRij.__table__)
_VELD = cast(Table, VeldRij.__table__)

# persons per block: bounded memory, few round trips
BLOK = 5_000
# the highest INSZ there can be: a range without an upper end
EINDE = "99999999999"

_PERSONEN = (
    select(_PERSOON.c.insz)
    .where(_PERSOON.c.insz > bindparam("van"), _PERSOON.c.insz <= bindparam("tot"))
    .order_by(_PERSOON.c.insz)
    .limit(BLOK)
)
_FEITEN = (
    feiten_met_intrekking(_FEIT.c.insz)
    .where(_FEIT.c.insz > bindparam("van"), _FEIT.c.insz <= bindparam("tot"))
    .order_by(_FEIT.c.insz, _FEIT.c.id)
)
_VELDEN = (
    select(_VELD.c.insz, _VELD.c.veld, _VELD.c.waarde, _VELD.c.opgenomen_op)
    .where(_VELD.c.insz > bindparam("van"), _VELD.c.insz <= bindparam("tot"))
    .order_by(_VELD.c.insz, _VELD.c.id)
)
_INSZ = itemgetter(0)


def grenzen(verbinding: Connection, delen: int) -> list[tuple[str, str]]:
    """``delen`` ranges ``(van, tot]`` with about as many persons each, covering everyone."""
    inszen = [rij[0] for rij in verbinding.execute(select(_PERSOON.c.insz).order_by("insz"))]
    if not inszen or delen <= 1:
        return [("", EINDE)]
    stap = -(-len(inszen) // delen)
    bovengrenzen = [inszen[min(i + stap, len(inszen)) - 1] for i in range(0, len(inszen), stap)]
    bovengrenzen[-1] = EINDE
    return list(zip(["", *bovengrenzen[:-1]], bovengrenzen, strict=True))


def stroom_dossiers(
    verbinding: Connection, *, van: str = "", tot: str = EINDE
) -> Iterator[list[Dossier]]:
    """The dossiers of the persons with ``van < insz <= tot``, a block at a time, in order."""
    vorige = van
    while True:
        personen = [rij[0] for rij in lees(verbinding, _PERSONEN, van=vorige, tot=tot)]
        if not personen:
            return
        grens = {"van": vorige, "tot": personen[-1]}
        feiten: dict[str, list[Feit]] = {
            insz: [feit_uit_rij(*rij[1:]) for rij in rijen]
            for insz, rijen in groupby(lees(verbinding, _FEITEN, **grens), key=_INSZ)
        }
        velden: dict[str, dict[str, list[VeldVersie[object]]]] = {}
        for insz, rijen in groupby(lees(verbinding, _VELDEN, **grens), key=_INSZ):
            per_veld: dict[str, list[VeldVersie[object]]] = defaultdict(list)
            for rij in rijen:
                per_veld[rij[1]].append(veld_uit_rij(*rij[1:]))
            velden[insz] = per_veld
        yield [bouw_dossier(insz, feiten.get(insz, ()), velden.get(insz, {})) for insz in personen]
        vorige = personen[-1]
