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

import orjson
from sqlalchemy import Connection, Table, bindparam, select

from kbi_exchange.adapters.db.aii_models import FeitRij, IntrekkingRij, PersoonRij, VeldRij
from kbi_exchange.adapters.db.driver import lees
from kbi_exchange.adapters.db.kbi_store import veldwaarde
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.adapters.kbi_jsonl import feit_uit_opslag
from kbi_exchange.domain.dossier import Dossier, Feit, VeldVersie, bouw_dossier

_PERSOON = cast(Table, PersoonRij.__table__)
_FEIT = cast(Table, FeitRij.__table__)
_INTREKKING = cast(Table, IntrekkingRij.__table__)
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
    select(
        _FEIT.c.insz,
        _FEIT.c.feit_id,
        _FEIT.c.soort,
        _FEIT.c.inhoud,
        _FEIT.c.geregistreerd_op,
        _FEIT.c.opgenomen_op,
        _INTREKKING.c.ingetrokken_op,
    )
    .select_from(
        _FEIT.outerjoin(
            _INTREKKING,
            (_INTREKKING.c.insz == _FEIT.c.insz) & (_INTREKKING.c.feit_id == _FEIT.c.feit_id),
        )
    )
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
        feiten: dict[str, list[Feit]] = {}
        for insz, rijen in groupby(lees(verbinding, _FEITEN, **grens), key=_INSZ):
            feiten[insz] = [
                feit_uit_opslag(
                    soort,
                    orjson.loads(inhoud),
                    feit_id=feit_id,
                    geregistreerd_op=moment_uit_db(geregistreerd_op),
                    ingetrokken_op=moment_uit_db(ingetrokken_op),
                    opgenomen_op=moment_uit_db(opgenomen_op),
                )
                for _, feit_id, soort, inhoud, geregistreerd_op, opgenomen_op, ingetrokken_op in (
                    rijen
                )
            ]
        velden: dict[str, dict[str, list[VeldVersie[object]]]] = {}
        for insz, rijen in groupby(lees(verbinding, _VELDEN, **grens), key=_INSZ):
            per_veld: dict[str, list[VeldVersie[object]]] = defaultdict(list)
            for _, veld, waarde, opgenomen_op in rijen:
                per_veld[veld].append(
                    VeldVersie(veldwaarde(veld, waarde), moment_uit_db(opgenomen_op))
                )
            velden[insz] = per_veld
        yield [bouw_dossier(insz, feiten.get(insz, ()), velden.get(insz, {})) for insz in personen]
        vorige = personen[-1]
