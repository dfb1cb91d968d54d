"""registers: processors (art. 6) and recipients other than a zorgkas (art. 4)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "verwerker",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("naam", sa.String(length=100), nullable=False),
        sa.Column("taak", sa.Text(), nullable=False),
        sa.Column("gegevens", sa.String(length=200), nullable=False),
        sa.Column("overeenkomst", sa.String(length=1000), nullable=False),
        sa.Column("overeenkomst_datum", sa.Date(), nullable=False),
        sa.Column("locatie", sa.String(length=1000), nullable=False),
        sa.Column("geregistreerd_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("geregistreerd_door", sa.String(length=100), nullable=False),
        sa.Column("beeindigd_op", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verwerker")),
        sa.UniqueConstraint("naam", name=op.f("uq_verwerker_naam")),
    )
    op.create_table(
        "ontvanger",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("naam", sa.String(length=100), nullable=False),
        sa.Column("doel", sa.Text(), nullable=False),
        sa.Column("rechtsgrond", sa.Text(), nullable=False),
        sa.Column("gegevens", sa.String(length=200), nullable=False),
        sa.Column("geregistreerd_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("geregistreerd_door", sa.String(length=100), nullable=False),
        sa.Column("aan_aii_gemeld_op", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ontvanger")),
        sa.UniqueConstraint("naam", name=op.f("uq_ontvanger_naam")),
    )


def downgrade() -> None:
    op.drop_table("ontvanger")
    op.drop_table("verwerker")
