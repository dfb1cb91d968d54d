"""The protocol's recorded life on a node's database (SPEC §12): only ever appended."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import ProtocolGebeurtenisRij
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.domain.protocol import ProtocolGebeurtenis, Soort, Stroom


class SqlProtocol:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def gebeurtenissen(self) -> list[ProtocolGebeurtenis]:
        stmt = select(ProtocolGebeurtenisRij).order_by(
            ProtocolGebeurtenisRij.op, ProtocolGebeurtenisRij.id
        )
        return [
            ProtocolGebeurtenis(
                id=r.id,
                soort=Soort(r.soort),
                op=moment_uit_db(r.op),
                door=r.door,
                reden=r.reden,
                partij=r.partij,
                stroom=Stroom(r.stroom) if r.stroom else None,
                datum=r.datum,
            )
            for r in self.session.scalars(stmt)
        ]

    def voeg_toe(self, g: ProtocolGebeurtenis) -> None:
        self.session.add(
            ProtocolGebeurtenisRij(
                id=g.id,
                soort=g.soort.value,
                op=g.op,
                door=g.door,
                reden=g.reden,
                partij=g.partij,
                stroom=g.stroom.value if g.stroom else None,
                datum=g.datum,
            )
        )
        self.session.flush()
