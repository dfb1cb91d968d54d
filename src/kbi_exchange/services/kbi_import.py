"""Importing KBI dossier files (SPEC §5): validated, add-only, all or nothing, streaming."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.dossier import (
    Dossierlijn,
    StrijdigFeit,
    Wijzigingen,
    pas_toe,
    wijzigingen,
)
from kbi_exchange.services.line_import import (
    ImportGeweigerd,
    LijnTelling,
    begin_record,
    sluit_record,
)
from kbi_exchange.services.ports import KbiImportWerk, LineFile, LineFileOpener

TELLERS = ("feiten_toegevoegd", "feiten_ingetrokken", "velden_gewijzigd")


@dataclass
class ImportResultaat(LijnTelling):
    feiten_toegevoegd: int = 0
    feiten_ingetrokken: int = 0
    velden_gewijzigd: int = 0


def _verwerk(
    lezer: LineFile[Dossierlijn],
    batch: list[tuple[int, Dossierlijn, bytes]],
    uow: KbiImportWerk,
    resultaat: ImportResultaat,
) -> None:
    bestaand = uow.kbi.dossiers(list({regel.insz for _, regel, _ in batch}))
    huidig = dict(bestaand)
    for nummer, regel, ruw in batch:
        try:
            huidig[regel.insz] = pas_toe(huidig.get(regel.insz), regel, lezer.nu)
        except StrijdigFeit as fout:
            lezer.fout(nummer, "id", str(fout), ruw)
            if lezer.weigert:
                return
    veranderd: dict[str, tuple[bool, Wijzigingen]] = {}
    for insz, dossier in huidig.items():
        w = wijzigingen(bestaand.get(insz), dossier)
        if w or insz not in bestaand:
            veranderd[insz] = (insz not in bestaand, w)
            resultaat.feiten_toegevoegd += len(w.nieuwe_feiten)
            resultaat.feiten_ingetrokken += len(w.intrekkingen)
            resultaat.velden_gewijzigd += len(w.nieuwe_velden)
    uow.kbi.voeg_toe(veranderd, opgenomen_op=lezer.nu, import_id=resultaat.import_id)
    crash_point("import:batch-written")


@vereist(Permissie.KBI_DOSSIER_IMPORTEER)
def import_dossiers(
    *,
    uow: KbiImportWerk,
    bestand: LineFileOpener[Dossierlijn],
    door: Actor,
    nu: datetime,
) -> ImportResultaat:
    """Import a JSON Lines file of dossiers in one transaction, as SPEC §5 says.

    Raises `ImportGeweigerd` (nothing stored) when a line is bad and the file was not opened
    to skip bad lines; skipped, they are written, as they were, to its rejects file.
    """
    resultaat = ImportResultaat(str(uuid.uuid4()))
    with bestand(resultaat, nu) as lezer, uow:
        uow.kbi.begin_import(begin_record(resultaat, lezer.naam, door.naam, nu, TELLERS))
        for batch in lezer.batches():
            _verwerk(lezer, batch, uow, resultaat)
        if lezer.weigert:
            raise ImportGeweigerd(resultaat)
        uow.kbi.sluit_import(resultaat.import_id, **sluit_record(lezer, resultaat, nu, TELLERS))
        crash_point("import:before-commit")
        uow.commit()
        crash_point("import:committed")
        lezer.rond_af()
    return resultaat


@vereist(Permissie.KBI_DOSSIER_IMPORTEER)
def recente_imports(
    *, uow: KbiImportWerk, door: Actor, aantal: int = 20
) -> list[dict[str, object]]:
    """The last imports: which file (its name and SHA-256), who, when, what it changed."""
    with uow:
        return uow.kbi.recente_imports(aantal)
