"""The audit log's rows: appended one after another behind the chain's head row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import (
    AuditCheckpointRow,
    AuditKopRow,
    AuditRow,
    GetuigdeKopRow,
)
from kbi_exchange.adapters.db.driver import omzetter, voeg_rijen_toe
from kbi_exchange.adapters.db.vsb_models import (
    VsbAuditCheckpointRow,
    VsbAuditKopRow,
    VsbAuditRow,
    VsbGetuigdeKopRow,
)
from kbi_exchange.domain.access import Actor
from kbi_exchange.domain.audit import (
    CHECKPOINT_ELKE,
    AuditGebeurtenis,
    AuditKop,
    AuditPost,
    Checkpoint,
    GetekendeKop,
    KopOntbreekt,
    NieuweAuditPost,
    blad,
    checkpoint_gegevens,
    keten,
    kop_gegevens,
)
from kbi_exchange.domain.audit_inhoud import AuditInhoud, nieuwe_regel
from kbi_exchange.domain.merkle import Rand
from kbi_exchange.services.ports import AuditKeys

_NAMEN = (
    "seq",
    "tijdstip",
    "gebeurtenis",
    "actor",
    "insz_hash",
    "inhoud",
    "inhoud_sha256",
    "vorige_hash",
    "hash",
)


class AuditTabellen:
    """One node's audit tables and the statements every writing group runs, built once."""

    def __init__(
        self,
        node: str,
        audit: type[Any],
        checkpoint: type[Any],
        kop: type[Any],
        getuigd: type[Any],
    ) -> None:
        self.node = node  # named in the head's signature
        self.audit = cast(Table, audit.__table__)
        self.getuigd = cast(Table, getuigd.__table__)
        self.checkpoint = cast(Table, checkpoint.__table__)
        self.kop = cast(Table, kop.__table__)
        self.kolommen = [self.audit.c[naam] for naam in _NAMEN]
        kop_t = self.kop
        # locks the head row and reads it in one round trip (RETURNING: PostgreSQL, SQLite ≥ 3.35)
        self.vergrendel_kop = (
            update(kop_t)
            .where(kop_t.c.id == 1)
            .values(seq=kop_t.c.seq)
            .returning(kop_t.c.seq, kop_t.c.hash, kop_t.c.boom_rand)
        )
        self.zet_kop = (
            update(kop_t)
            .where(kop_t.c.id == 1)
            .values(
                seq=bindparam("nieuw_seq"),
                hash=bindparam("nieuw_hash"),
                tijdstip=bindparam("nieuw_tijdstip"),
                sleutel_id=bindparam("nieuw_sleutel_id"),
                handtekening=bindparam("nieuw_handtekening"),
                wortel=bindparam("nieuw_wortel"),
                boom_rand=bindparam("nieuw_rand"),
            )
        )


AII_AUDIT = AuditTabellen("aii", AuditRow, AuditCheckpointRow, AuditKopRow, GetuigdeKopRow)
VSB_AUDIT = AuditTabellen(
    "vsb", VsbAuditRow, VsbAuditCheckpointRow, VsbAuditKopRow, VsbGetuigdeKopRow
)


class SqlAudit:
    """A node's audit log within one transaction; never commits.

    Entries wait in memory until `spoel`, just before the unit of work commits: then the
    chain's head row is locked, the entries take their sequence numbers and hashes, and all are
    written together — so the write lock is held for a moment, not for the whole request.
    """

    def __init__(self, session: Session, tabellen: AuditTabellen, sleutels: AuditKeys) -> None:
        self.session = session
        self.t = tabellen
        # hash the INSZ of an entry, sign checkpoints and the head
        self.sleutels = sleutels
        self._wachtend: list[NieuweAuditPost] = []

    def record(
        self,
        gebeurtenis: AuditGebeurtenis,
        actor: Actor | str,
        tijdstip: datetime,
        inhoud: AuditInhoud,
        *,
        insz: str | None = None,
    ) -> None:
        """`services.ports.AuditLog.record`: the entry waits for the commit."""
        self._wachtend.append(
            nieuwe_regel(
                gebeurtenis=gebeurtenis,
                actor=actor,
                tijdstip=tijdstip,
                inhoud=inhoud,
                insz=insz,
                insz_hashes=self.sleutels.insz_hashes,
            )
        )

    def insz_hashes(self, insz: str) -> list[str]:
        return self.sleutels.insz_hashes(insz)

    def handtekening_klopt(self, gegevens: bytes, handtekening: str) -> bool:
        return self.sleutels.verify_signature(gegevens, handtekening)

    def onderteken(self, gegevens: bytes) -> tuple[str, str]:
        return self.sleutels.sign(gegevens)

    def vergrendel(self) -> None:
        """Take the chain's head row now, not at commit: a unit of work that must see what
        other writers committed, and keep its own rows in the order it commits them, waits
        here for the writers before it (the lock is held until it commits or rolls back)."""
        if self.session.connection().execute(self.t.vergrendel_kop).one_or_none() is None:
            raise KopOntbreekt("the audit log's head row is missing: nothing can be appended")

    def spoel(self) -> list[AuditPost]:
        """Chain and write the waiting entries and the new head (before the commit).

        The head is UPDATEd before it is read, so that a second writer (another process,
        either database) waits here instead of reading a head that is about to change.
        """
        if not self._wachtend:
            return []
        verbinding = self.session.connection()
        kop = verbinding.execute(self.t.vergrendel_kop).one_or_none()
        if kop is None:
            raise KopOntbreekt("the audit log's head row is missing: nothing can be appended")
        regels = keten(int(kop.seq), str(kop.hash), self._wachtend)
        boom = Rand.lees(int(kop.seq), kop.boom_rand)
        for r in regels:
            boom.voeg_toe(blad(r.hash))
        wortel = boom.wortel().hex()
        naar_db = omzetter(verbinding)
        self._wachtend = []
        voeg_rijen_toe(
            verbinding,
            self.t.audit,
            _NAMEN,
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
        laatste = regels[-1]
        sleutel_id, handtekening = self.sleutels.sign(
            kop_gegevens(laatste.seq, laatste.hash, laatste.tijdstip, wortel, self.t.node)
        )
        verbinding.execute(
            self.t.zet_kop,
            {
                "nieuw_seq": laatste.seq,
                "nieuw_hash": laatste.hash,
                "nieuw_tijdstip": laatste.tijdstip,
                "nieuw_sleutel_id": sleutel_id,
                "nieuw_handtekening": handtekening,
                "nieuw_wortel": wortel,
                "nieuw_rand": boom.bewaar(),
            },
        )
        for regel in regels:
            if regel.seq % CHECKPOINT_ELKE == 0:
                sleutel_id, handtekening = self.sleutels.sign(
                    checkpoint_gegevens(regel.seq, regel.hash, regel.tijdstip)
                )
                verbinding.execute(
                    insert(self.t.checkpoint).values(
                        seq=regel.seq,
                        hash=regel.hash,
                        tijdstip=regel.tijdstip,
                        sleutel_id=sleutel_id,
                        handtekening=handtekening,
                    )
                )
        return regels

    def kop(self) -> AuditKop | None:
        """The stored head (None: its row is gone)."""
        self.spoel()
        kop = self.t.kop
        rij = self.session.execute(
            select(
                kop.c.seq,
                kop.c.hash,
                kop.c.tijdstip,
                kop.c.handtekening,
                kop.c.wortel,
                kop.c.boom_rand,
                kop.c.sleutel_id,
            ).where(kop.c.id == 1)
        ).one_or_none()
        if rij is None:
            return None
        return AuditKop(
            int(rij.seq),
            str(rij.hash),
            rij.tijdstip,
            rij.handtekening,
            rij.wortel,
            rij.boom_rand,
            rij.sleutel_id,
        )

    def bladen(self, tot: int) -> Iterator[bytes]:
        """The Merkle tree's leaves of the first ``tot`` entries (fewer: the log is shorter),
        streamed: a proof over millions of entries never holds them all."""
        self.spoel()
        a = self.t.audit
        hashes = self.session.scalars(
            select(a.c.hash)
            .where(a.c.seq <= tot)
            .order_by(a.c.seq)
            .execution_options(yield_per=10_000)
        )
        for h in hashes:
            yield blad(h)

    def post(self, seq: int) -> AuditPost | None:
        self.spoel()
        rij = self.session.execute(
            select(*self.t.kolommen).where(self.t.audit.c.seq == seq)
        ).one_or_none()
        return AuditPost(*rij) if rij is not None else None

    def getuig(
        self,
        kop: GetekendeKop,
        tijdstip: datetime,
        sleutel_id: str,
        handtekening: str,
        ontvangen_op: datetime,
    ) -> bool:
        """Keep a head of the other node's log (its signature checked by the caller); False
        when this very head was witnessed before."""
        g = self.t.getuigd
        bestaand = self.session.execute(
            select(g.c.id).where(g.c.seq == kop.seq, g.c.wortel == kop.wortel)
        ).first()
        if bestaand is not None:
            return False
        self.session.execute(
            insert(g).values(
                seq=kop.seq,
                hash=kop.hash,
                wortel=kop.wortel,
                tijdstip=tijdstip,
                sleutel_id=sleutel_id,
                handtekening=handtekening,
                ontvangen_op=ontvangen_op,
            )
        )
        return True

    def getuigd(self, seq: int, wortel: str) -> bool:
        g = self.t.getuigd
        return (
            self.session.execute(select(g.c.id).where(g.c.seq == seq, g.c.wortel == wortel)).first()
            is not None
        )

    def grootste_getuigde_kop(self) -> dict[str, Any] | None:
        g = self.t.getuigd
        rij = self.session.execute(
            select(g).order_by(g.c.seq.desc(), g.c.id.desc()).limit(1)
        ).first()
        return None if rij is None else _getuigd_als_dict(rij)

    def getuigde_koppen(self, na: int, hoeveel: int) -> list[dict[str, Any]]:
        """The other node's heads witnessed here, by size, after size ``na``."""
        g = self.t.getuigd
        return [
            _getuigd_als_dict(r)
            for r in self.session.execute(
                select(g).where(g.c.seq > na).order_by(g.c.seq, g.c.id).limit(hoeveel)
            )
        ]

    def posten(self) -> Iterator[AuditPost]:
        """Every entry in the order of its sequence number, streamed."""
        self.spoel()
        resultaat = self.session.execute(
            select(*self.t.kolommen).order_by(self.t.audit.c.seq).execution_options(yield_per=1_000)
        )
        for rij in resultaat:
            yield AuditPost(*rij)

    def checkpoints(self) -> list[Checkpoint]:
        self.spoel()
        cp = self.t.checkpoint
        return [
            Checkpoint(rij.seq, rij.hash, rij.tijdstip, rij.handtekening)
            for rij in self.session.execute(select(cp).order_by(cp.c.seq))
        ]

    def over_lijsten(
        self, gebeurtenissen: list[str], lijst_ids: list[str], *, sleutel: str = "lijst"
    ) -> list[AuditPost]:
        """The entries of these kinds about these lists or files (``sleutel`` in their
        content: ``"lijst"``, ``"zending"`` for a zorgkas file, ``"aanvraag"``), whether it
        holds one id or a list of them."""
        if not lijst_ids:
            return []
        self.spoel()
        # every entry's content is compact JSON with sorted keys: "key":"id" or "key":[...,"id",...]
        audit = self.t.audit
        over = or_(
            *(
                audit.c.inhoud.contains(f'"{sleutel}":"{i}"')
                | (audit.c.inhoud.contains(f'"{sleutel}":[') & audit.c.inhoud.contains(f'"{i}"'))
                for i in lijst_ids
            )
        )
        return [
            AuditPost(*rij)
            for rij in self.session.execute(
                select(*self.t.kolommen)
                .where(audit.c.gebeurtenis.in_(gebeurtenissen), over)
                .order_by(audit.c.seq)
            )
        ]

    def over(self, insz_hashes: list[str]) -> list[AuditPost]:
        """The entries about a person, under any of the keys their INSZ was hashed with."""
        self.spoel()
        return [
            AuditPost(*rij)
            for rij in self.session.execute(
                select(*self.t.kolommen)
                .where(self.t.audit.c.insz_hash.in_(insz_hashes))
                .order_by(self.t.audit.c.seq)
            )
        ]


def _getuigd_als_dict(r: Any) -> dict[str, Any]:
    return {
        "seq": int(r.seq),
        "hash": r.hash,
        "wortel": r.wortel,
        "tijdstip": r.tijdstip,
        "sleutel_id": r.sleutel_id,
        "handtekening": r.handtekening,
        "ontvangen_op": r.ontvangen_op,
    }
