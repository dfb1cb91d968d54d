"""the yearly list's distribution to the zorgkassen

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zending",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lijst_id", sa.String(length=36), nullable=False),
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("zorgkas", sa.String(length=8), nullable=False),
        sa.Column("aantal", sa.Integer(), nullable=False),
        sa.Column("gemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("bestand_naam", sa.String(length=80), nullable=False),
        sa.Column("bestand", sa.LargeBinary(), nullable=False),
        sa.Column("bestand_sha256", sa.String(length=64), nullable=False),
        sa.Column("verzonden_op", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lijst_id"], ["lijst.id"], name=op.f("fk_zending_lijst_id_lijst")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zending")),
        sa.UniqueConstraint("bestand_naam", name=op.f("uq_zending_bestand_naam")),
    )
    with op.batch_alter_table("zending", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zending_zorgkas"), ["zorgkas", "jaar"], unique=False)
        batch_op.create_index(batch_op.f("ix_zending_verzonden_op"), ["verzonden_op"], unique=False)
    op.create_table(
        "verdeling",
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("zending_id", sa.String(length=36), nullable=False),
        sa.Column("zorgkas", sa.String(length=8), nullable=False),
        sa.Column("huidig", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["zending_id"], ["zending.id"], name=op.f("fk_verdeling_zending_id_zending")
        ),
        sa.PrimaryKeyConstraint("jaar", "insz", "zending_id", name=op.f("pk_verdeling")),
    )
    with op.batch_alter_table("verdeling", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verdeling_zorgkas"), ["zorgkas", "jaar", "huidig"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_verdeling_insz"), ["insz"], unique=False)
        batch_op.create_index(
            "uq_verdeling_huidig",
            ["jaar", "insz"],
            unique=True,
            sqlite_where=sa.text("huidig"),
            postgresql_where=sa.text("huidig"),
        )


def downgrade() -> None:
    op.drop_table("verdeling")
    op.drop_table("zending")
