"""web sessions (issue 22): a person's log-in on the node's pages, known by the SHA-256 hash of
its cookie's token only

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "websessie",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("naam", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("gezien_op", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_websessie")),
    )
    op.create_index(op.f("ix_websessie_naam"), "websessie", ["naam"])


def downgrade() -> None:
    op.drop_index(op.f("ix_websessie_naam"), table_name="websessie")
    op.drop_table("websessie")
