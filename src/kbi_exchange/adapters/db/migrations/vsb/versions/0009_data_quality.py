"""data quality (art. 7): VSB's reports to AII, the rectifications it received and applied,
and the messages that tell a zorgkas what changed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

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
        sa.Column("aanvraag_id", sa.String(length=36), nullable=True),
        sa.Column("referte", sa.String(length=36), nullable=True),
        sa.Column("gemeld_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("gemeld_door", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("vervalt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("bevinding", sa.Text(), nullable=True),
        sa.Column("gesloten_op", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_melding")),
    )
    op.create_index(op.f("ix_melding_insz"), "melding", ["insz"])
    op.create_table(
        "rectificatie",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("melding_id", sa.String(length=36), nullable=False),
        sa.Column("referte", sa.String(length=36), nullable=True),
        sa.Column("aanvraag_id", sa.String(length=36), nullable=True),
        sa.Column("oud", sa.Text(), nullable=False),
        sa.Column("nieuw", sa.Text(), nullable=False),
        sa.Column("ontvangen_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("uitkomst", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectificatie")),
    )
    op.create_index(op.f("ix_rectificatie_seq"), "rectificatie", ["seq"])
    op.create_table(
        "zorgkas_bericht",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("zorgkas", sa.String(length=8), nullable=False),
        sa.Column("soort", sa.String(length=24), nullable=False),
        sa.Column("aanvraag_id", sa.String(length=36), nullable=True),
        sa.Column("inhoud", sa.Text(), nullable=False),
        sa.Column("gemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zorgkas_bericht")),
    )
    op.create_index(
        op.f("ix_zorgkas_bericht_zorgkas"), "zorgkas_bericht", ["zorgkas", "gemaakt_op"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_zorgkas_bericht_zorgkas"), table_name="zorgkas_bericht")
    op.drop_table("zorgkas_bericht")
    op.drop_index(op.f("ix_rectificatie_seq"), table_name="rectificatie")
    op.drop_table("rectificatie")
    op.drop_index(op.f("ix_melding_insz"), table_name="melding")
    op.drop_table("melding")
