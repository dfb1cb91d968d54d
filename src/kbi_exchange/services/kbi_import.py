"""Importing KBI dossier files (SPEC §5): validated, add-only, all or nothing, streaming."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, Self

from kbi_exchange.adapters.line_reader import Blok, parse_blocks, standaard_werkers
from kbi_exchange.adapters.process import worker_pool
from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.dossier import (
    Dossier,
    DossierRegel,
    StrijdigFeit,
    Wijzigingen,
    pas_toe,
    wijzigingen,
)

BATCH = 2_000
GETOONDE_FOUTEN = 20


class KbiOpslag(Protocol):
    def dossiers(self, inszen: list[str]) -> dict[str, Dossier]: ...
    def begin_import(self, rij: dict[str, object]) -> None: ...
    def sluit_import(self, import_id: str, **tellers: object) -> None: ...
    def voeg_toe(
        self,
        veranderd: dict[str, tuple[bool, Wijzigingen]],
        *,
        opgenomen_op: datetime,
        import_id: str,
    ) -> None: ...


class UnitOfWork(Protocol):
    @property
    def kbi(self) -> KbiOpslag: ...

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class RegelFout:
    """A refused line: its number, the field and the reason (never the line's content)."""

    regel: int
    veld: str
    reden: str

    def __str__(self) -> str:
        return f"line {self.regel}: {self.veld}: {self.reden}"


@dataclass
class ImportResultaat:
    import_id: str
    regels: int = 0
    feiten_toegevoegd: int = 0
    feiten_ingetrokken: int = 0
    velden_gewijzigd: int = 0
    fouten: list[RegelFout] = field(default_factory=list)
    aantal_fouten: int = 0


class ImportGeweigerd(Exception):
    """The file has bad lines and skipping them was not asked: nothing was stored."""

    def __init__(self, resultaat: ImportResultaat) -> None:
        eerste = resultaat.fouten[0]
        meer = resultaat.aantal_fouten - 1
        super().__init__(
            f"{eerste}"
            + (f" (and {meer} more bad lines)" if meer else "")
            + "; nothing was imported"
        )
        self.resultaat = resultaat


@dataclass
class _Lopend:
    resultaat: ImportResultaat
    skip_bad: bool
    rejects: BinaryIO | None
    batch: list[tuple[int, DossierRegel, bytes]] = field(default_factory=list)

    @property
    def weigert(self) -> bool:
        """After a bad line without --skip-bad, only validate the rest, store nothing more."""
        return self.resultaat.aantal_fouten > 0 and not self.skip_bad

    def fout(self, nummer: int, veld: str, reden: str, ruw: bytes) -> None:
        self.resultaat.aantal_fouten += 1
        if len(self.resultaat.fouten) < GETOONDE_FOUTEN:
            self.resultaat.fouten.append(RegelFout(nummer, veld, reden))
        if self.rejects is not None:
            self.rejects.write(ruw if ruw.endswith(b"\n") else ruw + b"\n")


def _verwerk(lopend: _Lopend, uow: UnitOfWork, nu: datetime, import_id: str) -> None:
    batch, lopend.batch = lopend.batch, []
    if lopend.weigert or not batch:
        return
    bestaand = uow.kbi.dossiers(list({regel.insz for _, regel, _ in batch}))
    huidig = dict(bestaand)
    for nummer, regel, ruw in batch:
        try:
            huidig[regel.insz] = pas_toe(huidig.get(regel.insz), regel, nu)
        except StrijdigFeit as fout:
            lopend.fout(nummer, "id", str(fout), ruw)
            if lopend.weigert:
                return
    veranderd: dict[str, tuple[bool, Wijzigingen]] = {}
    r = lopend.resultaat
    for insz, dossier in huidig.items():
        w = wijzigingen(bestaand.get(insz), dossier)
        if w or insz not in bestaand:
            veranderd[insz] = (insz not in bestaand, w)
            r.feiten_toegevoegd += len(w.nieuwe_feiten)
            r.feiten_ingetrokken += len(w.intrekkingen)
            r.velden_gewijzigd += len(w.nieuwe_velden)
    uow.kbi.voeg_toe(veranderd, opgenomen_op=nu, import_id=import_id)
    crash_point("import:batch-written")


def _blokken(
    invoer: BinaryIO,
    digest: Any,
    resultaat: ImportResultaat,
    voortgang: Callable[[int], None] | None,
) -> Iterator[Blok]:
    """The file's non-blank lines with their numbers, a block at a time; digest as it goes."""
    blok: Blok = []
    for nummer, ruw in enumerate(invoer, start=1):
        digest.update(ruw)
        if voortgang:
            voortgang(len(ruw))
        if not ruw.strip():
            continue
        resultaat.regels += 1
        blok.append((nummer, ruw))
        if len(blok) >= BATCH:
            yield blok
            blok = []
    if blok:
        yield blok


def import_dossiers(
    *,
    uow: UnitOfWork,
    bestand: Path,
    door: str,
    nu: datetime,
    skip_bad: bool = False,
    rejects: Path | None = None,
    voortgang: Callable[[int], None] | None = None,
    aantal_werkers: int | None = None,
) -> ImportResultaat:
    """Import a JSON Lines file of dossiers in one transaction, as SPEC §5 says.

    Raises `ImportGeweigerd` (nothing stored) when a line is bad and `skip_bad` is not set;
    with `skip_bad` the bad lines are written, as they were, to ``rejects``. ``aantal_werkers`` is
    the number of processes that parse lines (default: none for small files, else one per
    spare core).
    """
    import_id = str(uuid.uuid4())
    resultaat = ImportResultaat(import_id)
    digest = hashlib.sha256()
    tijdelijk = rejects.with_name(f".{rejects.name}.{import_id}.tmp") if rejects else None
    if rejects is not None:  # what a killed earlier run left behind under a temporary name
        for oud in rejects.parent.glob(f".{rejects.name}.*.tmp"):
            oud.unlink(missing_ok=True)
    afwijzingen = (
        os.fdopen(os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        if tijdelijk
        else None
    )
    lopend = _Lopend(resultaat, skip_bad, afwijzingen)
    try:
        aantal = standaard_werkers(bestand.stat().st_size)
        with (
            worker_pool(aantal if aantal_werkers is None else aantal_werkers) as pool,
            uow,
            bestand.open("rb") as invoer,
        ):
            uow.kbi.begin_import(
                {
                    "id": import_id,
                    "bestand": bestand.name[:255],
                    "sha256": "",
                    "door": door[:100],
                    "gestart_op": nu,
                    "voltooid_op": nu,
                    "regels": 0,
                    "feiten_toegevoegd": 0,
                    "feiten_ingetrokken": 0,
                    "velden_gewijzigd": 0,
                    "regels_geweigerd": 0,
                }
            )
            blokken = _blokken(invoer, digest, resultaat, voortgang)
            for blok in parse_blocks(blokken, nu=nu, pool=pool):
                for nummer, ruw, gelezen in blok:
                    if isinstance(gelezen, tuple):
                        lopend.fout(nummer, *gelezen, ruw)
                    else:
                        lopend.batch.append((nummer, gelezen, ruw))
                _verwerk(lopend, uow, nu, import_id)
            _verwerk(lopend, uow, nu, import_id)
            if lopend.weigert:
                raise ImportGeweigerd(resultaat)
            uow.kbi.sluit_import(
                import_id,
                sha256=digest.hexdigest(),
                voltooid_op=nu,
                regels=resultaat.regels,
                feiten_toegevoegd=resultaat.feiten_toegevoegd,
                feiten_ingetrokken=resultaat.feiten_ingetrokken,
                velden_gewijzigd=resultaat.velden_gewijzigd,
                regels_geweigerd=resultaat.aantal_fouten,
            )
            crash_point("import:before-commit")
            uow.commit()
            crash_point("import:committed")
        if afwijzingen is not None and tijdelijk is not None and rejects is not None:
            afwijzingen.close()
            os.replace(tijdelijk, rejects)
    finally:
        if afwijzingen is not None:
            afwijzingen.close()
        if tijdelijk is not None and tijdelijk.exists():
            tijdelijk.unlink()
    return resultaat
