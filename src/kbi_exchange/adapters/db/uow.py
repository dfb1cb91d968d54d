"""A unit of work on one node's database: one transaction, committed once."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.audit_store import SqlAudit
from kbi_exchange.adapters.db.gebruikers import SqlGebruikers
from kbi_exchange.adapters.db.kbi_store import SqlKbi
from kbi_exchange.domain.toegang import Node


class SqlUnitOfWork:
    """Repositories of one node within one transaction; rolled back unless committed."""

    def __init__(self, engine: Engine, node: Node = Node.AII) -> None:
        self.engine = engine
        self.node = node

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.gebruikers = SqlGebruikers(self.session, self.node)
        self._audit: SqlAudit | None = None
        # per-transaction memo (e.g. token → client): one snapshot, so it cannot go stale
        self.memo: dict[object, object] = {}
        return self

    @property
    def kbi(self) -> SqlKbi:
        """The KBI store: only the AII node holds it."""
        if self.node is not Node.AII:
            raise RuntimeError("the KBI store lives on the AII node only")
        return SqlKbi(self.session)

    @property
    def audit(self) -> SqlAudit:
        """The audit log of this node."""
        if self.node is not Node.AII:
            raise RuntimeError("the VSB node's audit log is not there yet")
        if self._audit is None:
            self._audit = SqlAudit(self.session)
        return self._audit

    def __exit__(self, *exc: object) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        if self._audit is not None:
            self._audit.spoel()
        self.session.commit()
