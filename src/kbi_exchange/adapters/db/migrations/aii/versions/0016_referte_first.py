"""the earlier-answer lookup by its referte first (issue 23): the unique index on a decision's
(client, referte) becomes (referte, client)

Every write group looks up its questions' refertes among the client's earlier answers
(``client = ? AND referte IN (...)``). With the client first, a PostgreSQL table without
statistics yet (a new or fast-growing ``beslissing``) was read by the client alone — every
row of the only client, filtered — 7 ms for 10 000 rows and growing; with the referte first
the index answers both conditions whatever the statistics say (0.1 ms). Measured with
``benchmarks/bench_advies.py --database-url ...`` (F1 on PostgreSQL): the note of issue 23.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("beslissing") as batch:
        batch.drop_constraint("uq_beslissing_client_referte", type_="unique")
        batch.create_unique_constraint("uq_beslissing_referte_client", ["referte", "client"])


def downgrade() -> None:
    with op.batch_alter_table("beslissing") as batch:
        batch.drop_constraint("uq_beslissing_referte_client", type_="unique")
        batch.create_unique_constraint("uq_beslissing_client_referte", ["client", "referte"])
