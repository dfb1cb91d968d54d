"""The audit log's rows: appended one after another behind the chain's head row."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import (
    AuditCheckpointRij,
    AuditKopRij,
    AuditRij,
)
from kbi_exchange.domain.audit import AuditRegel

_KOLOMMEN = (
    AuditRij.seq,
    AuditRij.tijdstip,
    AuditRij.gebeurtenis,
    AuditRij.actor,
    AuditRij.insz_hash,
    AuditRij.inhoud,
    AuditRij.inhoud_sha256,
    AuditRij.vorige_hash,
    AuditRij.hash,
)


class SqlAudit:
    """The audit log of the AII node within one session; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def neem_volgnummer(self) -> tuple[int, str]:
        """Take the next sequence number and the previous hash, locking the head until commit.

        The UPDATE comes first, so that a second writer waits here instead of reading a head
        that is about to change (a row lock on PostgreSQL, the write lock on SQLite).
        """
        rij = self.session.execute(
            update(AuditKopRij)
            .where(AuditKopRij.id == 1)
            .values(seq=AuditKopRij.seq + 1)
            .returning(AuditKopRij.seq, AuditKopRij.hash)
        ).one()
        return int(rij.seq), str(rij.hash)

    def voeg_toe(self, regel: AuditRegel) -> None:
        self.session.execute(
            insert(AuditRij).values(
                seq=regel.seq,
                tijdstip=regel.tijdstip,
                gebeurtenis=regel.gebeurtenis,
                actor=regel.actor,
                insz_hash=regel.insz_hash,
                inhoud=regel.inhoud,
                inhoud_sha256=regel.inhoud_sha256,
                vorige_hash=regel.vorige_hash,
                hash=regel.hash,
            )
        )
        self.session.execute(update(AuditKopRij).where(AuditKopRij.id == 1).values(hash=regel.hash))

    def voeg_checkpoint_toe(self, rij: AuditCheckpointRij) -> None:
        self.session.add(rij)

    def regels(self) -> Iterator[AuditRegel]:
        """Every entry in the order of its sequence number, streamed."""
        resultaat = self.session.execute(
            select(*_KOLOMMEN).order_by(AuditRij.seq).execution_options(yield_per=1_000)
        )
        for rij in resultaat:
            yield AuditRegel(*rij)

    def checkpoints(self) -> list[AuditCheckpointRij]:
        return list(
            self.session.scalars(select(AuditCheckpointRij).order_by(AuditCheckpointRij.seq))
        )

    def over(self, insz_hashes: list[str]) -> list[AuditRegel]:
        """The entries about a person, under any of the keys their INSZ was hashed with."""
        return [
            AuditRegel(*rij)
            for rij in self.session.execute(
                select(*_KOLOMMEN).where(AuditRij.insz_hash.in_(insz_hashes)).order_by(AuditRij.seq)
            )
        ]
