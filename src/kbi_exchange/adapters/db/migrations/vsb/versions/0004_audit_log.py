"""the VSB node's own audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import Sleutel, UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("seq", Sleutel, autoincrement=False, nullable=False),
        sa.Column("tijdstip", UtcDateTime(timezone=True), nullable=False),
        sa.Column("gebeurtenis", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("insz_hash", sa.String(length=64), nullable=True),
        sa.Column("inhoud", sa.Text(), nullable=True),
        sa.Column("inhoud_sha256", sa.String(length=64), nullable=False),
        sa.Column("vorige_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_insz_hash"), ["insz_hash"], unique=False)
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", Sleutel, autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tijdstip", UtcDateTime(timezone=True), nullable=False),
        sa.Column("sleutel_id", sa.String(length=16), nullable=False),
        sa.Column("handtekening", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "audit_kop",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", Sleutel, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tijdstip", UtcDateTime(timezone=True), nullable=True),
        sa.Column("sleutel_id", sa.String(length=16), nullable=True),
        sa.Column("handtekening", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_kop")),
    )
    # the chain starts from a known head: sequence 0 and the all-zero hash
    op.execute("INSERT INTO audit_kop (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    op.drop_table("audit_kop")
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_insz_hash"))
    op.drop_table("audit")
