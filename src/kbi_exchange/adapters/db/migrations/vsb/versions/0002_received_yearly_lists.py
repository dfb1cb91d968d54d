"""received yearly lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
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
        sa.Column("gemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("bestand_naam", sa.String(length=64), nullable=False),
        sa.Column("bestand_sha256", sa.String(length=64), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("ontvangen_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ontvangen_door", sa.String(length=64), nullable=False),
        sa.Column("ontvangstbewijs_naam", sa.String(length=64), nullable=True),
        sa.Column("ontvangstbewijs", sa.LargeBinary(), nullable=True),
        sa.Column("ontvangstbewijs_verstuurd", sa.Boolean(), nullable=False),
        sa.Column("vervangen_op", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lijst")),
        sa.UniqueConstraint("enig_jaar", name=op.f("uq_lijst_enig_jaar")),
        sa.UniqueConstraint("vervangt", name=op.f("uq_lijst_vervangt")),
    )
    with op.batch_alter_table("lijst", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lijst_jaar"), ["jaar"], unique=False)

    op.create_table(
        "lijst_insz",
        sa.Column("lijst_id", sa.String(length=36), nullable=False),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.ForeignKeyConstraint(
            ["lijst_id"],
            ["lijst.id"],
            name=op.f("fk_lijst_insz_lijst_id_lijst"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lijst_id", "insz", name=op.f("pk_lijst_insz")),
    )
    with op.batch_alter_table("lijst_insz", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lijst_insz_insz"), ["insz"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lijst_insz", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lijst_insz_insz"))

    op.drop_table("lijst_insz")
    with op.batch_alter_table("lijst", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lijst_jaar"))

    op.drop_table("lijst")
