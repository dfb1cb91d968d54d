"""The audit log's rows: appended one after another behind the chain's head row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from sqlalchemy import Table, insert, select, update
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


_AUDIT = cast(Table, AuditRij.__table__)
_KOP = cast(Table, AuditKopRij.__table__)


class SqlAudit:
    """The audit log of the AII node within one transaction; never commits.

    The chain's head row is locked by the first entry of a transaction; entries are kept and
    written together, with the new head, by `spoel` just before the unit of work commits.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._kop: tuple[int, str] | None = None
        self._wachtend: list[dict[str, object]] = []

    def neem_volgnummer(self) -> tuple[int, str]:
        """The next sequence number and the previous hash; the head stays locked until commit.

        The first call UPDATEs the head before reading it, so that a second writer (another
        process, either database) waits here instead of reading a head about to change.
        """
        if self._kop is None:
            verbinding = self.session.connection()
            verbinding.execute(update(_KOP).where(_KOP.c.id == 1).values(seq=_KOP.c.seq))
            rij = verbinding.execute(select(_KOP.c.seq, _KOP.c.hash).where(_KOP.c.id == 1)).one()
            self._kop = (int(rij.seq), str(rij.hash))
        return self._kop[0] + 1, self._kop[1]

    def voeg_toe(self, regel: AuditRegel) -> None:
        self._wachtend.append(
            {
                "seq": regel.seq,
                "tijdstip": regel.tijdstip,
                "gebeurtenis": regel.gebeurtenis,
                "actor": regel.actor,
                "insz_hash": regel.insz_hash,
                "inhoud": regel.inhoud,
                "inhoud_sha256": regel.inhoud_sha256,
                "vorige_hash": regel.vorige_hash,
                "hash": regel.hash,
            }
        )
        self._kop = (regel.seq, regel.hash)

    def spoel(self) -> None:
        """Write the entries kept so far and the chain's new head (before the commit)."""
        if not self._wachtend or self._kop is None:
            return
        verbinding = self.session.connection()
        verbinding.execute(insert(_AUDIT), self._wachtend)
        verbinding.execute(
            update(_KOP).where(_KOP.c.id == 1).values(seq=self._kop[0], hash=self._kop[1])
        )
        self._wachtend = []

    def voeg_checkpoint_toe(self, rij: AuditCheckpointRij) -> None:
        self.session.add(rij)

    def regels(self) -> Iterator[AuditRegel]:
        """Every entry in the order of its sequence number, streamed."""
        self.spoel()
        resultaat = self.session.execute(
            select(*_KOLOMMEN).order_by(AuditRij.seq).execution_options(yield_per=1_000)
        )
        for rij in resultaat:
            yield AuditRegel(*rij)

    def checkpoints(self) -> list[AuditCheckpointRij]:
        self.spoel()
        return list(
            self.session.scalars(select(AuditCheckpointRij).order_by(AuditCheckpointRij.seq))
        )

    def over(self, insz_hashes: list[str]) -> list[AuditRegel]:
        """The entries about a person, under any of the keys their INSZ was hashed with."""
        self.spoel()
        return [
            AuditRegel(*rij)
            for rij in self.session.execute(
                select(*_KOLOMMEN).where(AuditRij.insz_hash.in_(insz_hashes)).order_by(AuditRij.seq)
            )
        ]
