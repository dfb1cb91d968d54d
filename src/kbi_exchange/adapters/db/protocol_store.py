"""The protocol's recorded life on a node's database (SPEC §12): only ever appended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import ProtocolGebeurtenisRow
from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.domain.protocol import ProtocolGebeurtenis, Soort, Stroom


class SqlProtocol:
    """Within one transaction; never commits. ``rij`` is the node's table (AII's by default,
    `VsbProtocolGebeurtenisRow` on the VSB node)."""

    def __init__(self, session: Session, rij: type[Any] = ProtocolGebeurtenisRow) -> None:
        self.session = session
        self.rij = rij

    def gebeurtenissen(self) -> list[ProtocolGebeurtenis]:
        # read with Core, not the ORM: every write group of the advice service reads this
        tabel = self.rij.__table__
        stmt = select(*tabel.columns).order_by(tabel.c.op, tabel.c.id)
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
                ontvangen_op=moment_uit_db(r.ontvangen_op) if r.ontvangen_op else None,
                geweigerd=r.geweigerd,
            )
            for r in self.session.connection().execute(stmt)
        ]

    def ontvangen(self, gebeurtenis_id: str, moment: datetime) -> None:
        """Record when the other party's node took one of this node's steps."""
        rij = self.session.get(self.rij, gebeurtenis_id)
        if rij is None:
            raise LookupError(f"no protocol step {gebeurtenis_id}")
        rij.ontvangen_op = moment
        schrijf_door(self.session)

    def geweigerd(self, gebeurtenis_id: str, reden: str) -> None:
        """Record that the other party's node refused one of this node's steps for good."""
        rij = self.session.get(self.rij, gebeurtenis_id)
        if rij is None:
            raise LookupError(f"no protocol step {gebeurtenis_id}")
        rij.geweigerd = reden
        schrijf_door(self.session)

    def voeg_toe(self, g: ProtocolGebeurtenis) -> None:
        self.session.add(
            self.rij(
                id=g.id,
                soort=g.soort.value,
                op=g.op,
                door=g.door,
                reden=g.reden,
                partij=g.partij,
                stroom=g.stroom.value if g.stroom else None,
                datum=g.datum,
                ontvangen_op=g.ontvangen_op,
                geweigerd=g.geweigerd,
            )
        )
        schrijf_door(self.session)
