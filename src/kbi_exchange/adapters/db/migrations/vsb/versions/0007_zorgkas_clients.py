"""machine clients of the zorgkas API, each bound to a zorgkas

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("naam", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("doelen", sa.String(length=200), nullable=False),
        sa.Column("afzender", sa.String(length=100), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ingetrokken_op", UtcDateTime(timezone=True), nullable=True),
        sa.Column("zorgkas", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("naam", name=op.f("uq_client_naam")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_client_token_sha256")),
    )


def downgrade() -> None:
    op.drop_table("client")
