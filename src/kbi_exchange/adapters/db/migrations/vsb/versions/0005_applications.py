"""care-budget applications with AII's answer and the decision

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aanvraag",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("insz", sa.String(length=11), nullable=False),
        sa.Column("opening", sa.Date(), nullable=False),
        sa.Column("zorgkas", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("aangemaakt_door", sa.String(length=100), nullable=False),
        sa.Column("referte", sa.String(length=36), nullable=True),
        sa.Column("niet_gevraagd", sa.String(length=24), nullable=True),
        sa.Column("advies", sa.String(length=3), nullable=True),
        sa.Column("reden_code", sa.String(length=40), nullable=True),
        sa.Column("reden_omschrijving", sa.Text(), nullable=True),
        sa.Column("uitzonderingen", sa.Text(), nullable=False),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("gevraagd_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("beslist_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("einde", sa.Date(), nullable=True),
        sa.Column("einde_reden", sa.String(length=200), nullable=True),
        sa.Column("bewaren_tot", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aanvraag")),
        sa.UniqueConstraint("referte", name=op.f("uq_aanvraag_referte")),
    )
    with op.batch_alter_table("aanvraag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aanvraag_insz"), ["insz"], unique=False)
        batch_op.create_index(batch_op.f("ix_aanvraag_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_aanvraag_bewaren_tot"), ["bewaren_tot"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_aanvraag_zorgkas"), ["zorgkas", "aangemaakt_op"], unique=False
        )


def downgrade() -> None:
    op.drop_table("aanvraag")
