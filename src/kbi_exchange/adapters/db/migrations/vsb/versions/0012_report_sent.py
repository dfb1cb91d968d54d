"""a report VSB records before it sends it, under its own id: when AII took it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("melding", sa.Column("verstuurd_op", UtcDateTime(timezone=True), nullable=True))
    # reports recorded before this revision were recorded once AII had them
    op.execute("UPDATE melding SET verstuurd_op = gemeld_op")


def downgrade() -> None:
    with op.batch_alter_table("melding") as batch:
        batch.drop_column("verstuurd_op")
