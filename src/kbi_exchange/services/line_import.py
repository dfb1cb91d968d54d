"""The frame of a JSON Lines import (SPEC §5, §6), whatever the lines hold.

Lines are read in blocks (parsed in worker processes for a large file); a bad line is named by
its number, field and reason, never its content; the file's SHA-256 is taken as it goes; with
``--skip-bad`` the bad lines go, as they were, to a rejects file that is written under a
temporary name and put in place only once the import committed. Without it, the first bad
line means nothing is stored, and the rest of the file is still checked so that every bad
line is reported at once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Generic, Self, TypeVar

from kbi_exchange.adapters.line_reader import Blok, Parser, parse_blocks, standaard_werkers
from kbi_exchange.adapters.process import worker_pool
from kbi_exchange.domain.fouten import KbiFout

T = TypeVar("T")

BATCH = 2_000  # lines a block: parsed together, stored together
GETOONDE_FOUTEN = 20


@dataclass(frozen=True)
class RegelFout:
    """A refused line: its number, the field and the reason (never the line's content)."""

    regel: int
    veld: str
    reden: str

    def __str__(self) -> str:
        return f"line {self.regel}: {self.veld}: {self.reden}"


@dataclass
class RegelTelling:
    """What every import counts: lines read, and the bad ones (the first few with reasons)."""

    import_id: str
    regels: int = 0
    fouten: list[RegelFout] = field(default_factory=list)
    aantal_fouten: int = 0


class ImportGeweigerd(KbiFout):
    """The file has bad lines and skipping them was not asked: nothing was stored."""

    def __init__(self, telling: RegelTelling) -> None:
        eerste = telling.fouten[0]
        meer = telling.aantal_fouten - 1
        super().__init__(
            f"{eerste}"
            + (f" (and {meer} more bad lines)" if meer else "")
            + "; nothing was imported"
        )
        self.resultaat = telling


class RegelImport(Generic[T]):
    """One pass over an import file: the good lines a block at a time, the bad ones counted
    (and kept for the rejects file). Entered, it holds the worker pool and the temporary
    rejects file; `rond_af` puts that file in place after the caller's commit."""

    def __init__(
        self,
        bestand: Path,
        *,
        parse: Parser[T],
        nu: datetime,
        telling: RegelTelling,
        skip_bad: bool,
        rejects: Path | None,
        voortgang: Callable[[int], None] | None,
        aantal_werkers: int | None,
    ) -> None:
        self.bestand = bestand
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
            self.telling.fouten.append(RegelFout(nummer, veld, reden))
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


def begin_record(
    telling: RegelTelling, bestand: Path, door: str, nu: datetime, tellers: tuple[str, ...]
) -> dict[str, object]:
    """The import's record as it starts: the file, who, when; every count at nought."""
    return {
        "id": telling.import_id,
        "bestand": bestand.name[:255],
        "sha256": "",
        "door": door[:100],
        "gestart_op": nu,
        "voltooid_op": nu,
        "regels": 0,
        **dict.fromkeys(tellers, 0),
        "regels_geweigerd": 0,
    }


def sluit_record(
    lezer: RegelImport[T], telling: RegelTelling, nu: datetime, tellers: tuple[str, ...]
) -> dict[str, object]:
    """What the record holds once the file was read: its digest and every count."""
    return {
        "sha256": lezer.sha256,
        "voltooid_op": nu,
        "regels": telling.regels,
        **{teller: getattr(telling, teller) for teller in tellers},
        "regels_geweigerd": telling.aantal_fouten,
    }
