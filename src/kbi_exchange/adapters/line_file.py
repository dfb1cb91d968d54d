"""Reading an import file (SPEC §5, §6) for the use cases that import it.

Lines are read in blocks (parsed in worker processes for a large file); the file's SHA-256 is
taken as it goes; with ``--skip-bad`` the bad lines go, as they were, to a rejects file that is
written under a temporary name and put in place only once the import committed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Generic, Self, TypeVar

from kbi_exchange.adapters.kbi_jsonl import lees_lijn
from kbi_exchange.adapters.leden_jsonl import lees_lid
from kbi_exchange.adapters.line_reader import Blok, Parser, parse_blocks, standaard_werkers
from kbi_exchange.adapters.process import worker_pool
from kbi_exchange.domain.dossier import Dossierlijn
from kbi_exchange.domain.lid import Lid
from kbi_exchange.services.line_import import BATCH, GETOONDE_FOUTEN, LijnFout, LijnTelling
from kbi_exchange.services.ports import LineFileOpener

T = TypeVar("T")


class JsonLinesFile(Generic[T]):
    """`services.ports.LineFile`: one pass over an import file, the good lines a block at a
    time, the bad ones counted (and kept for the rejects file). Entered, it holds the worker
    pool and the temporary rejects file; `rond_af` puts that file in place after the caller's
    commit."""

    def __init__(
        self,
        bestand: Path,
        *,
        parse: Parser[T],
        nu: datetime,
        telling: LijnTelling,
        skip_bad: bool,
        rejects: Path | None,
        voortgang: Callable[[int], None] | None,
        aantal_werkers: int | None,
    ) -> None:
        self.bestand = bestand
        self.naam = bestand.name
        self.parse = parse
        self.nu = nu
        self.telling = telling
        self.skip_bad = skip_bad
        self.rejects = rejects
        self.voortgang = voortgang
        self.aantal_werkers = aantal_werkers
        self._digest = hashlib.sha256()
        self._tijdelijk = (
            rejects.with_name(f".{rejects.name}.{telling.import_id}.tmp") if rejects else None
        )
        self._afwijzingen: BinaryIO | None = None

    def __enter__(self) -> Self:
        self._stapel = ExitStack()
        if self.rejects is not None and self._tijdelijk is not None:
            # what a killed earlier run left behind under a temporary name
            for oud in self.rejects.parent.glob(f".{self.rejects.name}.*.tmp"):
                oud.unlink(missing_ok=True)
            fd = os.open(self._tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._afwijzingen = self._stapel.enter_context(os.fdopen(fd, "wb"))
        aantal = standaard_werkers(self.bestand.stat().st_size)
        self._pool = self._stapel.enter_context(
            worker_pool(aantal if self.aantal_werkers is None else self.aantal_werkers)
        )
        self._invoer = self._stapel.enter_context(self.bestand.open("rb"))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stapel.close()
        if self._tijdelijk is not None and self._tijdelijk.exists():
            self._tijdelijk.unlink()

    @property
    def weigert(self) -> bool:
        """After a bad line without --skip-bad, only validate the rest, store nothing more."""
        return self.telling.aantal_fouten > 0 and not self.skip_bad

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def fout(self, nummer: int, veld: str, reden: str, ruw: bytes) -> None:
        """Count a bad line (found by the parser, or later by the caller's own rules)."""
        self.telling.aantal_fouten += 1
        if len(self.telling.fouten) < GETOONDE_FOUTEN:
            self.telling.fouten.append(LijnFout(nummer, veld, reden))
        if self._afwijzingen is not None:
            self._afwijzingen.write(ruw if ruw.endswith(b"\n") else ruw + b"\n")

    def _blokken(self) -> Iterator[Blok]:
        """The file's non-blank lines with their numbers, a block at a time; digest as it goes."""
        blok: Blok = []
        for nummer, ruw in enumerate(self._invoer, start=1):
            self._digest.update(ruw)
            if self.voortgang:
                self.voortgang(len(ruw))
            if not ruw.strip():
                continue
            self.telling.regels += 1
            blok.append((nummer, ruw))
            if len(blok) >= BATCH:
                yield blok
                blok = []
        if blok:
            yield blok

    def batches(self) -> Iterator[list[tuple[int, T, bytes]]]:
        """The good lines of each block (number, parsed, raw), once the import still stores."""
        for blok in parse_blocks(self._blokken(), parse=self.parse, nu=self.nu, pool=self._pool):
            goed: list[tuple[int, T, bytes]] = []
            for nummer, ruw, gelezen in blok:
                if isinstance(gelezen, tuple):  # (field, reason): a parsed line is never a tuple
                    veld, reden = gelezen
                    self.fout(nummer, veld, reden, ruw)
                else:
                    goed.append((nummer, gelezen, ruw))
            if goed and not self.weigert:
                yield goed

    def rond_af(self) -> None:
        """After the commit: the rejects file in place, whole."""
        if self._afwijzingen is not None and self._tijdelijk is not None and self.rejects:
            self._afwijzingen.close()
            os.replace(self._tijdelijk, self.rejects)


def json_lines(
    bestand: Path,
    *,
    parse: Parser[T],
    skip_bad: bool = False,
    rejects: Path | None = None,
    voortgang: Callable[[int], None] | None = None,
    aantal_werkers: int | None = None,
) -> LineFileOpener[T]:
    """How a use case opens ``bestand`` with its own count and moment. ``aantal_werkers``: the
    processes that parse lines (default: none for small files, else one per spare core)."""

    def open_(telling: LijnTelling, nu: datetime) -> JsonLinesFile[T]:
        return JsonLinesFile(
            bestand,
            parse=parse,
            nu=nu,
            telling=telling,
            skip_bad=skip_bad,
            rejects=rejects,
            voortgang=voortgang,
            aantal_werkers=aantal_werkers,
        )

    return open_


def dossier_file(
    bestand: Path,
    *,
    skip_bad: bool = False,
    rejects: Path | None = None,
    voortgang: Callable[[int], None] | None = None,
    aantal_werkers: int | None = None,
) -> LineFileOpener[Dossierlijn]:
    """A KBI dossier file (SPEC §5), read as `json_lines` reads."""
    return json_lines(
        bestand,
        parse=lees_lijn,
        skip_bad=skip_bad,
        rejects=rejects,
        voortgang=voortgang,
        aantal_werkers=aantal_werkers,
    )


def member_file(
    bestand: Path,
    *,
    skip_bad: bool = False,
    rejects: Path | None = None,
    voortgang: Callable[[int], None] | None = None,
    aantal_werkers: int | None = None,
) -> LineFileOpener[Lid]:
    """A VSB member file (SPEC §6), read as `json_lines` reads."""
    return json_lines(
        bestand,
        parse=lees_lid,
        skip_bad=skip_bad,
        rejects=rejects,
        voortgang=voortgang,
        aantal_werkers=aantal_werkers,
    )
