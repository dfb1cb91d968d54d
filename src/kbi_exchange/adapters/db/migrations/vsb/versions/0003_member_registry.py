"""member registry

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import Sleutel, UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leden_import",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("bestand", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column("gestart_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("voltooid_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("regels", sa.Integer(), nullable=False),
        sa.Column("leden_nieuw", sa.Integer(), nullable=False),
        sa.Column("leden_gewijzigd", sa.Integer(), nullable=False),
        sa.Column("leden_ongewijzigd", sa.Integer(), nullable=False),
        sa.Column("regels_geweigerd", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leden_import")),
    )
    op.create_table(
        "lid",
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("inhoud_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("insz", name=op.f("pk_lid")),
    )
    op.create_table(
        "lid_versie",
        sa.Column("id", Sleutel, autoincrement=True, nullable=False),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("inhoud", sa.Text(), nullable=False),
        sa.Column("opgenomen_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["leden_import.id"], name=op.f("fk_lid_versie_import_id_leden_import")
        ),
        sa.ForeignKeyConstraint(["insz"], ["lid.insz"], name=op.f("fk_lid_versie_insz_lid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lid_versie")),
    )
    with op.batch_alter_table("lid_versie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lid_versie_insz"), ["insz", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lid_versie", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lid_versie_insz"))
    op.drop_table("lid_versie")
    op.drop_table("lid")
    op.drop_table("leden_import")
