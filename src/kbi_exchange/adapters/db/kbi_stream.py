"""The yearly list over the whole KBI: every dossier streamed (`kbi_store.stroom_dossiers`)
and evaluated, for a large KBI in worker processes that each take a range ``(van, tot]``."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import as_completed
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import PersoonRow
from kbi_exchange.adapters.db.engine import maak_engine
from kbi_exchange.adapters.db.kbi_store import EINDE, stroom_dossiers
from kbi_exchange.adapters.process import worker_pool
from kbi_exchange.domain.lijst import op_lijst
from kbi_exchange.parameters import standaard_parameters

_PERSOON = cast(Table, PersoonRow.__table__)


def grenzen(verbinding: Connection, delen: int) -> list[tuple[str, str]]:
    """``delen`` ranges ``(van, tot]`` with about as many persons each, covering everyone."""
    inszen = [rij[0] for rij in verbinding.execute(select(_PERSOON.c.insz).order_by("insz"))]
    if not inszen or delen <= 1:
        return [("", EINDE)]
    stap = -(-len(inszen) // delen)
    bovengrenzen = [inszen[min(i + stap, len(inszen)) - 1] for i in range(0, len(inszen), stap)]
    bovengrenzen[-1] = EINDE
    return list(zip(["", *bovengrenzen[:-1]], bovengrenzen, strict=True))


# From this many persons on, the list is evaluated in worker processes by default.
GROOT = 50_000


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


def inszen_op_lijst(
    session: Session,
    *,
    jaar: int,
    nu: datetime,
    aantal_werkers: int | None,
    voortgang: Callable[[int], None],
) -> list[str]:
    """Every dossier evaluated on Y-01-01 as known at ``nu``; the INSZ on the list, in order.

    ``aantal_werkers`` processes evaluate parts of the KBI (default: one per core, at most 4,
    from `GROOT` persons on; none below). Workers read in their own transactions. That is
    still one consistent list: the rules see only what was known at ``nu`` (knowledge time),
    so what is imported meanwhile counts for no one.
    """
    verbinding = session.connection()
    if aantal_werkers is None:
        personen = verbinding.scalar(select(func.count()).select_from(_PERSOON)) or 0
        aantal_werkers = min(4, os.cpu_count() or 1) if personen >= GROOT else 0
    if aantal_werkers == 0:
        return _op_lijst_in(verbinding, jaar=jaar, nu=nu, voortgang=voortgang)[0]
    url = verbinding.engine.url.render_as_string(hide_password=False)
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
