"""retention: when a decision record's or a list's personal content was removed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("beslissing", sa.Column("gewist_op", UtcDateTime(timezone=True), nullable=True))
    op.add_column("lijst", sa.Column("gewist_op", UtcDateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_beslissing_gegeven_op"), "beslissing", ["gegeven_op"])
    op.create_index(op.f("ix_audit_tijdstip"), "audit", ["tijdstip"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_tijdstip"), table_name="audit")
    op.drop_index(op.f("ix_beslissing_gegeven_op"), table_name="beslissing")
    with op.batch_alter_table("lijst") as batch:
        batch.drop_column("gewist_op")
    with op.batch_alter_table("beslissing") as batch:
        batch.drop_column("gewist_op")
