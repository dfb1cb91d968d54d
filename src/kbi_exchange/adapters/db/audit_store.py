"""The audit log's rows: appended one after another behind the chain's head row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import (
    AuditCheckpointRij,
    AuditKopRij,
    AuditRij,
)
from kbi_exchange.adapters.db.driver import omzetter, voeg_rijen_toe
from kbi_exchange.domain.audit import (
    CHECKPOINT_ELKE,
    AuditRegel,
    Checkpoint,
    NieuweAuditRegel,
    checkpoint_gegevens,
    keten,
    kop_gegevens,
)

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
_AUDIT_KOLOMMEN = [k.key for k in _KOLOMMEN]
# built once: every group of answers runs them
# locks the head row and reads it in one round trip (RETURNING: PostgreSQL, SQLite ≥ 3.35)
_VERGRENDEL_KOP = (
    update(_KOP).where(_KOP.c.id == 1).values(seq=_KOP.c.seq).returning(_KOP.c.seq, _KOP.c.hash)
)
_ZET_KOP = (
    update(_KOP)
    .where(_KOP.c.id == 1)
    .values(
        seq=bindparam("nieuw_seq"),
        hash=bindparam("nieuw_hash"),
        tijdstip=bindparam("nieuw_tijdstip"),
        sleutel_id=bindparam("nieuw_sleutel_id"),
        handtekening=bindparam("nieuw_handtekening"),
    )
)
Ondertekenaar = Callable[[bytes], tuple[str, str]]  # as `services.ports.Ondertekenaar`


class SqlAudit:
    """The audit log of the AII node within one transaction; never commits.

    Entries wait in memory until `spoel`, just before the unit of work commits: then the
    chain's head row is locked, the entries take their sequence numbers and hashes, and all are
    written together — so the write lock is held for a moment, not for the whole request.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._wachtend: list[NieuweAuditRegel] = []
        # signs checkpoints and the head; set by the service that holds the node's keys
        self.ondertekenaar: Ondertekenaar | None = None

    def voeg_toe(self, nieuw: NieuweAuditRegel) -> None:
        self._wachtend.append(nieuw)

    def spoel(self) -> list[AuditRegel]:
        """Chain and write the waiting entries and the new head (before the commit).

        The head is UPDATEd before it is read, so that a second writer (another process,
        either database) waits here instead of reading a head that is about to change.
        """
        if not self._wachtend:
            return []
        verbinding = self.session.connection()
        kop = verbinding.execute(_VERGRENDEL_KOP).one()
        regels = keten(int(kop.seq), str(kop.hash), self._wachtend)
        naar_db = omzetter(verbinding)
        self._wachtend = []
        voeg_rijen_toe(
            verbinding,
            _AUDIT,
            _AUDIT_KOLOMMEN,
            [
                (
                    r.seq,
                    naar_db(r.tijdstip),
                    r.gebeurtenis,
                    r.actor,
                    r.insz_hash,
                    r.inhoud,
                    r.inhoud_sha256,
                    r.vorige_hash,
                    r.hash,
                )
                for r in regels
            ],
        )
        if self.ondertekenaar is None:
            raise RuntimeError("audit entries are appended with the node's key to sign them")
        laatste = regels[-1]
        sleutel_id, handtekening = self.ondertekenaar(
            kop_gegevens(laatste.seq, laatste.hash, laatste.tijdstip)
        )
        verbinding.execute(
            _ZET_KOP,
            {
                "nieuw_seq": laatste.seq,
                "nieuw_hash": laatste.hash,
                "nieuw_tijdstip": laatste.tijdstip,
                "nieuw_sleutel_id": sleutel_id,
                "nieuw_handtekening": handtekening,
            },
        )
        for regel in regels:
            if regel.seq % CHECKPOINT_ELKE == 0:
                sleutel_id, handtekening = self.ondertekenaar(
                    checkpoint_gegevens(regel.seq, regel.hash, regel.tijdstip)
                )
                self.session.add(
                    AuditCheckpointRij(
                        seq=regel.seq,
                        hash=regel.hash,
                        tijdstip=regel.tijdstip,
                        sleutel_id=sleutel_id,
                        handtekening=handtekening,
                    )
                )
        return regels

    def kop(self) -> tuple[int, str, datetime | None, str | None]:
        """The stored head: sequence number, hash, moment and signature (None: unsigned)."""
        self.spoel()
        rij = self.session.execute(
            select(_KOP.c.seq, _KOP.c.hash, _KOP.c.tijdstip, _KOP.c.handtekening).where(
                _KOP.c.id == 1
            )
        ).one()
        return int(rij.seq), str(rij.hash), rij.tijdstip, rij.handtekening

    def regels(self) -> Iterator[AuditRegel]:
        """Every entry in the order of its sequence number, streamed."""
        self.spoel()
        resultaat = self.session.execute(
            select(*_KOLOMMEN).order_by(AuditRij.seq).execution_options(yield_per=1_000)
        )
        for rij in resultaat:
            yield AuditRegel(*rij)

    def checkpoints(self) -> list[Checkpoint]:
        self.spoel()
        return [
            Checkpoint(rij.seq, rij.hash, rij.tijdstip, rij.handtekening)
            for rij in self.session.scalars(
                select(AuditCheckpointRij).order_by(AuditCheckpointRij.seq)
            )
        ]

    def over_lijsten(self, gebeurtenissen: list[str], lijst_ids: list[str]) -> list[AuditRegel]:
        """The entries of these kinds about these lists (``"lijst"`` in their content)."""
        if not lijst_ids:
            return []
        self.spoel()
        # schrijf_audit writes compact JSON with sorted keys, so the pair reads exactly so
        over = or_(*(AuditRij.inhoud.contains(f'"lijst":"{i}"') for i in lijst_ids))
        return [
            AuditRegel(*rij)
            for rij in self.session.execute(
                select(*_KOLOMMEN)
                .where(AuditRij.gebeurtenis.in_(gebeurtenissen), over)
                .order_by(AuditRij.seq)
            )
        ]

    def over(self, insz_hashes: list[str]) -> list[AuditRegel]:
        """The entries about a person, under any of the keys their INSZ was hashed with."""
        self.spoel()
        return [
            AuditRegel(*rij)
            for rij in self.session.execute(
                select(*_KOLOMMEN).where(AuditRij.insz_hash.in_(insz_hashes)).order_by(AuditRij.seq)
            )
        ]
