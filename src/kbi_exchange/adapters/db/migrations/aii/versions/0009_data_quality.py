"""data quality (art. 7): VSB's reports and the rectifications a correction gives rise to

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import Sleutel, UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "melding",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("referte", sa.String(length=36), nullable=True),
        sa.Column("gemeld_door", sa.String(length=64), nullable=False),
        sa.Column("gemeld_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("import_id", sa.String(length=36), nullable=True),
        sa.Column("gecorrigeerd_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("gecorrigeerd_door", sa.String(length=100), nullable=True),
        sa.Column("bevinding", sa.Text(), nullable=True),
        sa.Column("gesloten_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("gesloten_door", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_melding")),
    )
    op.create_index(op.f("ix_melding_insz"), "melding", ["insz"])
    op.create_index(op.f("ix_melding_status"), "melding", ["status"])
    op.create_table(
        "rectificatie",
        sa.Column("seq", Sleutel, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("melding_id", sa.String(length=36), nullable=False),
        sa.Column("stroom", sa.String(length=4), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("gemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("referte", sa.String(length=36), nullable=True),
        sa.Column("beslissing_id", sa.String(length=36), nullable=True),
        sa.Column("datum", sa.Date(), nullable=True),
        sa.Column("gekend_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("feit_ids", sa.Text(), nullable=False),
        sa.Column("oud", sa.Text(), nullable=True),
        sa.Column("nieuw", sa.Text(), nullable=True),
        sa.Column("jaar", sa.Integer(), nullable=True),
        sa.Column("lijst_id", sa.String(length=36), nullable=True),
        sa.Column("op_lijst", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["melding_id"], ["melding.id"], name=op.f("fk_rectificatie_melding_id_melding")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_rectificatie")),
        sa.UniqueConstraint("id", name=op.f("uq_rectificatie_id")),
        sa.UniqueConstraint(
            "melding_id", "beslissing_id", name=op.f("uq_rectificatie_melding_id_beslissing_id")
        ),
        sa.UniqueConstraint(
            "melding_id", "lijst_id", name=op.f("uq_rectificatie_melding_id_lijst_id")
        ),
    )
    op.create_index(op.f("ix_rectificatie_client"), "rectificatie", ["client"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rectificatie_client"), table_name="rectificatie")
    op.drop_table("rectificatie")
    op.drop_index(op.f("ix_melding_status"), table_name="melding")
    op.drop_index(op.f("ix_melding_insz"), table_name="melding")
    op.drop_table("melding")
