"""yearly list

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lijst",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("enig_jaar", sa.Integer(), nullable=True),
        sa.Column("vervangt", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("aantal", sa.Integer(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("gemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("gemaakt_door", sa.String(length=64), nullable=False),
        sa.Column(
            "goedgekeurd_op",
            UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("goedgekeurd_door", sa.String(length=64), nullable=True),
        sa.Column("vervangen_op", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lijst")),
        sa.UniqueConstraint("enig_jaar", name=op.f("uq_lijst_enig_jaar")),
        sa.UniqueConstraint("vervangt", name=op.f("uq_lijst_vervangt")),
    )
    with op.batch_alter_table("lijst", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lijst_jaar"), ["jaar"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lijst", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lijst_jaar"))

    op.drop_table("lijst")
