"""list delivery and receipt

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
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
    with op.batch_alter_table("lijst", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bestand_naam", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("bestand", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("bestand_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("geleverd_op", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("geleverd_door", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("ontvangen_op", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ontvangen_door", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("ontvangstbewijs", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lijst", schema=None) as batch_op:
        batch_op.drop_column("ontvangstbewijs")
        batch_op.drop_column("ontvangen_door")
        batch_op.drop_column("ontvangen_op")
        batch_op.drop_column("geleverd_door")
        batch_op.drop_column("geleverd_op")
        batch_op.drop_column("bestand_sha256")
        batch_op.drop_column("bestand")
        batch_op.drop_column("bestand_naam")
