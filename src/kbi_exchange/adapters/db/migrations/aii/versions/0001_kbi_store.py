"""KBI store: persons, facts, withdrawals, dossier fields, imports

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kbi_exchange.adapters.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kbi_import",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("bestand", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("door", sa.String(length=100), nullable=False),
        sa.Column(
            "gestart_op", kbi_exchange.adapters.db.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "voltooid_op", kbi_exchange.adapters.db.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("regels", sa.Integer(), nullable=False),
        sa.Column("feiten_toegevoegd", sa.Integer(), nullable=False),
        sa.Column("feiten_ingetrokken", sa.Integer(), nullable=False),
        sa.Column("velden_gewijzigd", sa.Integer(), nullable=False),
        sa.Column("regels_geweigerd", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kbi_import")),
    )
    op.create_table(
        "persoon",
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column(
            "opgenomen_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("insz", name=op.f("pk_persoon")),
    )
    op.create_table(
        "dossierveld",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("veld", sa.String(length=32), nullable=False),
        sa.Column("waarde", sa.String(length=32), nullable=True),
        sa.Column(
            "opgenomen_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["kbi_import.id"], name=op.f("fk_dossierveld_import_id_kbi_import")
        ),
        sa.ForeignKeyConstraint(
            ["insz"], ["persoon.insz"], name=op.f("fk_dossierveld_insz_persoon")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossierveld")),
    )
    with op.batch_alter_table("dossierveld", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossierveld_insz"), ["insz", "id"], unique=False)

    op.create_table(
        "feit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("feit_id", sa.String(length=64), nullable=False),
        sa.Column("soort", sa.String(length=32), nullable=False),
        sa.Column("inhoud", sa.Text(), nullable=False),
        sa.Column(
            "geregistreerd_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "opgenomen_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["kbi_import.id"], name=op.f("fk_feit_import_id_kbi_import")
        ),
        sa.ForeignKeyConstraint(["insz"], ["persoon.insz"], name=op.f("fk_feit_insz_persoon")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feit")),
        sa.UniqueConstraint("insz", "feit_id", name=op.f("uq_feit_insz_feit_id")),
    )
    op.create_table(
        "feit_intrekking",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("feit_id", sa.String(length=64), nullable=False),
        sa.Column(
            "ingetrokken_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "opgenomen_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["kbi_import.id"], name=op.f("fk_feit_intrekking_import_id_kbi_import")
        ),
        sa.ForeignKeyConstraint(
            ["insz"], ["persoon.insz"], name=op.f("fk_feit_intrekking_insz_persoon")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feit_intrekking")),
        sa.UniqueConstraint("insz", "feit_id", name=op.f("uq_feit_intrekking_insz_feit_id")),
    )


def downgrade() -> None:
    op.drop_table("feit_intrekking")
    op.drop_table("feit")
    with op.batch_alter_table("dossierveld", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossierveld_insz"))

    op.drop_table("dossierveld")
    op.drop_table("persoon")
    op.drop_table("kbi_import")
