"""Reading import lines in blocks, parsed in worker processes when the file is large.

Parsing a line (JSON, schema, INSZ check, conversion) costs about as much as storing it; on a
machine with a second core the two overlap. Blocks come back in file order, and at most a few
blocks are in flight, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from datetime import datetime

from kbi_exchange.adapters.kbi_jsonl import OngeldigeRegel, lees_regel
from kbi_exchange.domain.dossier import DossierRegel

# A line read: the dossier line, or (field, reason) when it is bad.
Gelezen = DossierRegel | tuple[str, str]
Blok = list[tuple[int, bytes]]
IN_VLUCHT = 4


def parse_block(regels: list[bytes], nu: datetime) -> list[Gelezen]:
    """Parse the lines of one block; a bad line becomes (field, reason), never an exception."""
    gelezen: list[Gelezen] = []
    for ruw in regels:
        try:
            gelezen.append(lees_regel(ruw, nu=nu))
        except OngeldigeRegel as fout:
            gelezen.append((fout.veld, fout.reden))
    return gelezen


def standaard_werkers(grootte: int) -> int:
    """No workers for small files (starting one costs more); else one per spare core, up to 3."""
    if grootte < 4 * 2**20:
        return 0
    return max(1, min(3, (os.cpu_count() or 1) - 1))


def parse_blocks(
    blokken: Iterator[Blok], *, nu: datetime, pool: Executor | None
) -> Iterator[list[tuple[int, bytes, Gelezen]]]:
    """Each block's lines with what they parse to, in file order; in the pool when given."""
    if pool is None:
        for blok in blokken:
            gelezen = parse_block([ruw for _, ruw in blok], nu)
            yield [(n, ruw, g) for (n, ruw), g in zip(blok, gelezen, strict=True)]
        return
    wachtrij: deque[tuple[Blok, Future[list[Gelezen]]]] = deque()
    for blok in blokken:
        wachtrij.append((blok, pool.submit(parse_block, [ruw for _, ruw in blok], nu)))
        if len(wachtrij) >= IN_VLUCHT:
            yield _klaar(*wachtrij.popleft())
    while wachtrij:
        yield _klaar(*wachtrij.popleft())


def _klaar(blok: Blok, toekomst: Future[list[Gelezen]]) -> list[tuple[int, bytes, Gelezen]]:
    return [(n, ruw, g) for (n, ruw), g in zip(blok, toekomst.result(), strict=True)]
