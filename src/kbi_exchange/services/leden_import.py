"""Importing the VSB member registry (SPEC §6): validated, all or nothing, idempotent, streaming.

A line replaces what VSB knew of that member; what it knew before stays, by recording time.
A line equal to the current version writes nothing, so importing a file twice changes
nothing. The same member twice in one file: the later line wins.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

import orjson

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.lid import Lid
from kbi_exchange.services.line_import import (
    ImportGeweigerd,
    LijnTelling,
    begin_record,
    sluit_record,
)
from kbi_exchange.services.ports import LedenWerk, LineFileOpener

TELLERS = ("leden_nieuw", "leden_gewijzigd", "leden_ongewijzigd")


@dataclass
class LedenImportResultaat(LijnTelling):
    leden_nieuw: int = 0
    leden_gewijzigd: int = 0
    leden_ongewijzigd: int = 0


def _verwerk(
    batch: list[tuple[int, Lid, bytes]],
    werk: LedenWerk,
    resultaat: LedenImportResultaat,
    nu: datetime,
) -> None:
    laatste: dict[str, str] = {}
    for _, lid, _ in batch:  # the later line of a member wins
        laatste[lid.insz] = orjson.dumps(lid.inhoud()).decode()
    huidig = werk.leden.huidige_hashes(laatste)
    versies: list[tuple[str, str, str, bool]] = []
    for insz, inhoud in laatste.items():
        sha = hashlib.sha256(inhoud.encode()).hexdigest()
        if huidig.get(insz) == sha:
            resultaat.leden_ongewijzigd += 1
            continue
        versies.append((insz, inhoud, sha, insz not in huidig))
        if insz in huidig:
            resultaat.leden_gewijzigd += 1
        else:
            resultaat.leden_nieuw += 1
    werk.leden.voeg_toe(versies, opgenomen_op=nu, import_id=resultaat.import_id)
    crash_point("members:batch-written")


@vereist(Permissie.VSB_LEDEN_IMPORTEER)
def import_leden(
    *,
    uow: LedenWerk,
    bestand: LineFileOpener[Lid],
    door: Actor,
    nu: datetime,
) -> LedenImportResultaat:
    """Import a JSON Lines file of members in one transaction.

    ``door`` is who imports: a VSB operator authenticated by the command line (which checks
    ``vsb:leden:import``), or the OS account. Raises `ImportGeweigerd` (nothing stored) when a
    line is bad and the file was not opened to skip bad lines.
    """
    resultaat = LedenImportResultaat(str(uuid.uuid4()))
    with bestand(resultaat, nu) as lezer, uow as werk:
        werk.leden.begin_import(begin_record(resultaat, lezer.naam, door.naam, nu, TELLERS))
        for batch in lezer.batches():
            _verwerk(batch, werk, resultaat, nu)
        if lezer.weigert:
            raise ImportGeweigerd(resultaat)
        record = sluit_record(lezer, resultaat, nu, TELLERS)
        werk.leden.sluit_import(resultaat.import_id, **record)
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_LEDEN_GEIMPORTEERD,
            actor=door.naam,
            tijdstip=nu,
            inhoud={
                "import": resultaat.import_id,
                "bestand": lezer.naam[:255],
                "sha256": lezer.sha256,
                "voltooid_op": nu.isoformat(),
                "regels": resultaat.regels,
                "leden_nieuw": resultaat.leden_nieuw,
                "leden_gewijzigd": resultaat.leden_gewijzigd,
                "leden_ongewijzigd": resultaat.leden_ongewijzigd,
                "regels_geweigerd": resultaat.aantal_fouten,
            },
        )
        crash_point("members:before-commit")
        werk.commit()
        crash_point("members:committed")
        lezer.rond_af()
    return resultaat
