"""The audit log (SPEC §11): written by one function, verified, and searched by the DPO."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from kbi_exchange.adapters.db.aii_models import AuditCheckpointRij
from kbi_exchange.adapters.db.audit_store import SqlAudit
from kbi_exchange.adapters.sleutels import Sleutels
from kbi_exchange.domain.audit import (
    AuditGebeurtenis,
    AuditRegel,
    checkpoint_gegevens,
    inhoud_hash,
    keten_hash,
    verifieer_keten,
)

CHECKPOINT_ELKE = 1_000


def schrijf_audit(
    *,
    audit: SqlAudit,
    sleutels: Sleutels,
    gebeurtenis: AuditGebeurtenis,
    actor: str,
    tijdstip: datetime,
    inhoud: dict[str, Any],
    insz: str | None = None,
) -> AuditRegel:
    """Append one entry in the caller's transaction: what it commits, the log holds.

    An INSZ is stored only as its keyed hash; ``inhoud`` must not contain it.
    """
    seq, vorige = audit.neem_volgnummer()
    insz_hash = sleutels.insz_sleutels()[0].hash(insz) if insz else None
    tekst = orjson.dumps(inhoud, option=orjson.OPT_SORT_KEYS).decode()
    inhoud_sha256 = inhoud_hash(tekst)
    regel = AuditRegel(
        seq=seq,
        tijdstip=tijdstip,
        gebeurtenis=gebeurtenis.value,
        actor=actor,
        insz_hash=insz_hash,
        inhoud=tekst,
        inhoud_sha256=inhoud_sha256,
        vorige_hash=vorige,
        hash=keten_hash(vorige, seq, tijdstip, gebeurtenis.value, actor, insz_hash, inhoud_sha256),
    )
    audit.voeg_toe(regel)
    if seq % CHECKPOINT_ELKE == 0:
        onderteken_checkpoint(audit=audit, sleutels=sleutels, regel=regel)
    return regel


def onderteken_checkpoint(*, audit: SqlAudit, sleutels: Sleutels, regel: AuditRegel) -> None:
    """Sign the chain's head at this entry with the node's checkpoint key."""
    sleutel_id, handtekening = sleutels.onderteken(
        checkpoint_gegevens(regel.seq, regel.hash, regel.tijdstip)
    )
    audit.voeg_checkpoint_toe(
        AuditCheckpointRij(
            seq=regel.seq,
            hash=regel.hash,
            tijdstip=regel.tijdstip,
            sleutel_id=sleutel_id,
            handtekening=handtekening,
        )
    )


def verifieer_audit(*, audit: SqlAudit, sleutels: Sleutels) -> tuple[int, list[str]]:
    """The number of entries checked and every problem found (none: the log is intact)."""
    problemen: list[str] = []
    checkpoints: dict[int, str] = {}
    for cp in audit.checkpoints():
        if not sleutels.controleer_handtekening(
            checkpoint_gegevens(cp.seq, cp.hash, cp.tijdstip), cp.handtekening
        ):
            problemen.append(f"checkpoint {cp.seq}: its signature does not verify")
        checkpoints[cp.seq] = cp.hash
    geteld = 0

    def tel() -> Any:
        nonlocal geteld
        for regel in audit.regels():
            geteld += 1
            yield regel

    problemen.extend(verifieer_keten(tel(), checkpoints))
    return geteld, problemen


def zoek_audit(*, audit: SqlAudit, sleutels: Sleutels, insz: str) -> list[AuditRegel]:
    """Every entry about a person: who received what about them, when and why."""
    return audit.over([sleutel.hash(insz) for sleutel in sleutels.insz_sleutels()])
