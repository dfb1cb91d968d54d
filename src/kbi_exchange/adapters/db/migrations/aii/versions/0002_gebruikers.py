"""people of the AII node

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kbi_exchange.adapters.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gebruiker",
        sa.Column("naam", sa.String(length=64), nullable=False),
        sa.Column("rol", sa.String(length=32), nullable=False),
        sa.Column("zorgkas", sa.String(length=16), nullable=True),
        sa.Column("wachtwoord_hash", sa.String(length=255), nullable=False),
        sa.Column("mislukte_pogingen", sa.Integer(), nullable=False),
        sa.Column(
            "geblokkeerd_tot",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "aangemaakt_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("naam", name=op.f("pk_gebruiker")),
    )


def downgrade() -> None:
    op.drop_table("gebruiker")
