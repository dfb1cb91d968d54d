"""Reading import lines in blocks, parsed in worker processes when the file is large.

Parsing a line (JSON, schema, INSZ check, conversion) costs about as much as storing it; on a
machine with a second core the two overlap. Blocks come back in file order, and at most a few
blocks are in flight, so memory stays bounded whatever the file's size. What a line parses
to is the caller's: a parser is a module-level function (so a worker can be sent it).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from datetime import datetime
from typing import Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Blok = list[tuple[int, bytes]]
IN_VLUCHT = 4


class OngeldigeLijn(ValueError):
    """A line that is not valid: names the field and the reason, never the value."""

    def __init__(self, veld: str, reden: str) -> None:
        super().__init__(f"{veld}: {reden}")
        self.veld = veld
        self.reden = reden


class Parser(Protocol[T_co]):
    """One line to what it holds; `OngeldigeLijn` when it is bad."""

    def __call__(self, tekst: bytes, *, nu: datetime) -> T_co: ...


def parse_block(regels: list[bytes], nu: datetime, parse: Parser[T]) -> list[T | tuple[str, str]]:
    """Parse the lines of one block; a bad line becomes (field, reason), never an exception."""
    gelezen: list[T | tuple[str, str]] = []
    for ruw in regels:
        try:
            gelezen.append(parse(ruw, nu=nu))
        except OngeldigeLijn as fout:
            gelezen.append((fout.veld, fout.reden))
    return gelezen


def standaard_werkers(grootte: int) -> int:
    """No workers for small files (starting one costs more); else one per spare core, up to 3."""
    if grootte < 4 * 2**20:
        return 0
    return max(1, min(3, (os.cpu_count() or 1) - 1))


def parse_blocks(
    blokken: Iterator[Blok], *, parse: Parser[T], nu: datetime, pool: Executor | None
) -> Iterator[list[tuple[int, bytes, T | tuple[str, str]]]]:
    """Each block's lines with what they parse to, in file order; in the pool when given."""
    if pool is None:
        for blok in blokken:
            gelezen = parse_block([ruw for _, ruw in blok], nu, parse)
            yield [(n, ruw, g) for (n, ruw), g in zip(blok, gelezen, strict=True)]
        return
    wachtrij: deque[tuple[Blok, Future[list[T | tuple[str, str]]]]] = deque()
    for blok in blokken:
        wachtrij.append((blok, pool.submit(parse_block, [ruw for _, ruw in blok], nu, parse)))
        if len(wachtrij) >= IN_VLUCHT:
            yield _klaar(*wachtrij.popleft())
    while wachtrij:
        yield _klaar(*wachtrij.popleft())


def _klaar(
    blok: Blok, toekomst: Future[list[T | tuple[str, str]]]
) -> list[tuple[int, bytes, T | tuple[str, str]]]:
    return [(n, ruw, g) for (n, ruw), g in zip(blok, toekomst.result(), strict=True)]
