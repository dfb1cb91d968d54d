"""the audit log as a Merkle tree (issue 23): the head carries the tree's root (signed with it
from the next entry on) and its right edge; the other node's heads witnessed here are kept

The root and edge of the entries already there are computed here, from their chain hashes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import Sleutel, UtcDateTime
from kbi_exchange.domain.audit import blad
from kbi_exchange.domain.merkle import Rand

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_kop", sa.Column("wortel", sa.String(length=64), nullable=True))
    op.add_column("audit_kop", sa.Column("boom_rand", sa.Text(), nullable=True))
    verbinding = op.get_bind()
    boom = Rand()
    # streamed (a log of millions of entries is never held), up to the head: the tree is the
    # one the head's next signature covers
    hashes = verbinding.execute(
        sa.text(
            "SELECT hash FROM audit WHERE seq <= (SELECT seq FROM audit_kop WHERE id = 1) "
            "ORDER BY seq"
        ).execution_options(stream_results=True, yield_per=10_000)
    )
    for (hash_,) in hashes:
        boom.voeg_toe(blad(hash_))
    verbinding.execute(
        sa.text("UPDATE audit_kop SET wortel = :wortel, boom_rand = :rand WHERE id = 1"),
        {"wortel": boom.wortel().hex(), "rand": boom.bewaar()},
    )
    op.create_table(
        "getuigde_kop",
        sa.Column("id", Sleutel, autoincrement=True, nullable=False),
        sa.Column("seq", Sleutel, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("wortel", sa.String(length=64), nullable=False),
        sa.Column("tijdstip", UtcDateTime(timezone=True), nullable=False),
        sa.Column("sleutel_id", sa.String(length=16), nullable=False),
        sa.Column("handtekening", sa.String(length=200), nullable=False),
        sa.Column("ontvangen_op", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_getuigde_kop")),
        sa.UniqueConstraint("seq", "wortel", name=op.f("uq_getuigde_kop_seq_wortel")),
    )
    op.create_index(op.f("ix_getuigde_kop_seq"), "getuigde_kop", ["seq"])


def downgrade() -> None:
    op.drop_index(op.f("ix_getuigde_kop_seq"), table_name="getuigde_kop")
    op.drop_table("getuigde_kop")
    with op.batch_alter_table("audit_kop", schema=None) as batch_op:
        batch_op.drop_column("boom_rand")
        batch_op.drop_column("wortel")
