"""incidents (art. 6, 9): the party's own, with their deadlines, and the other party's

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partij", sa.String(length=8), nullable=False),
        sa.Column("vastgesteld_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("betrokkenen", sa.Integer(), nullable=False),
        sa.Column("categorieen", sa.String(length=200), nullable=False),
        sa.Column("datalek", sa.Boolean(), nullable=False),
        sa.Column("geregistreerd_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("geregistreerd_door", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("partij_gemeld_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("vtc_gemeld_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("vtc_referentie", sa.String(length=200), nullable=True),
        sa.Column("gesloten_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("ontvangen_op", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )


def downgrade() -> None:
    op.drop_table("incident")
