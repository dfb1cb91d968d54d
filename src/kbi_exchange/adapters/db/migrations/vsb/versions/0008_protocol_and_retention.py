"""VSB's own record of the protocol's life (a lapsed legal basis binds VSB too), and an index
for the retention run's look at old audit entries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protocol_gebeurtenis",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("soort", sa.String(length=16), nullable=False),
        sa.Column("op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("reden", sa.String(length=500), nullable=False),
        sa.Column("partij", sa.String(length=8), nullable=True),
        sa.Column("stroom", sa.String(length=4), nullable=True),
        sa.Column("datum", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_gebeurtenis")),
    )
    op.create_index(op.f("ix_audit_tijdstip"), "audit", ["tijdstip"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_tijdstip"), table_name="audit")
    op.drop_table("protocol_gebeurtenis")
