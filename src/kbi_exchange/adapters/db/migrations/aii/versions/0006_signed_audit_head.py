"""signed audit head

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_kop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tijdstip", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sleutel_id", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("handtekening", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_kop", schema=None) as batch_op:
        batch_op.drop_column("handtekening")
        batch_op.drop_column("sleutel_id")
        batch_op.drop_column("tijdstip")
