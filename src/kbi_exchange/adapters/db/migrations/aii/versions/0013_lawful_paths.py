"""lawful paths (issue 20): a protocol step records when the other node took it (a notice
runs 12 months from its receipt); the processors register holds both parties' processors,
each with when it was told to or received from the other party

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIJ = "aii"


def upgrade() -> None:
    op.add_column("protocol_gebeurtenis", sa.Column("ontvangen_op", UtcDateTime(timezone=True)))
    # a notice recorded before this revision ran from the moment it was recorded
    op.execute("UPDATE protocol_gebeurtenis SET ontvangen_op = op WHERE soort = 'opgezegd'")
    with op.batch_alter_table("verwerker") as batch:
        batch.add_column(sa.Column("partij", sa.String(length=8)))
        batch.add_column(sa.Column("gemeld_op", UtcDateTime(timezone=True)))
        batch.add_column(sa.Column("ontvangen_op", UtcDateTime(timezone=True)))
    op.execute(sa.text("UPDATE verwerker SET partij = :partij").bindparams(partij=PARTIJ))
    with op.batch_alter_table("verwerker") as batch:
        batch.alter_column("partij", existing_type=sa.String(length=8), nullable=False)
        batch.drop_constraint("uq_verwerker_naam", type_="unique")
        batch.create_unique_constraint("uq_verwerker_partij_naam", ["partij", "naam"])


def downgrade() -> None:
    with op.batch_alter_table("verwerker") as batch:
        batch.drop_constraint("uq_verwerker_partij_naam", type_="unique")
        batch.create_unique_constraint("uq_verwerker_naam", ["naam"])
        batch.drop_column("ontvangen_op")
        batch.drop_column("gemeld_op")
        batch.drop_column("partij")
    with op.batch_alter_table("protocol_gebeurtenis") as batch:
        batch.drop_column("ontvangen_op")
