"""advice: clients, decisions, audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kbi_exchange.adapters.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "tijdstip", kbi_exchange.adapters.db.types.UtcDateTime(timezone=True), nullable=False
        ),
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
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column(
            "tijdstip", kbi_exchange.adapters.db.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("sleutel_id", sa.String(length=16), nullable=False),
        sa.Column("handtekening", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "audit_kop",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_kop")),
    )
    op.create_table(
        "beslissing",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("referte", sa.String(length=36), nullable=False),
        sa.Column("vraag_sha256", sa.String(length=64), nullable=False),
        sa.Column("insz", sa.String(length=32), nullable=False),
        sa.Column("datum", sa.String(length=32), nullable=False),
        sa.Column("doel", sa.String(length=32), nullable=False),
        sa.Column(
            "gekend_op", kbi_exchange.adapters.db.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "gegeven_op", kbi_exchange.adapters.db.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("antwoord", sa.Text(), nullable=False),
        sa.Column("feit_ids", sa.Text(), nullable=False),
        sa.Column("parameterversie", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beslissing")),
        sa.UniqueConstraint("client", "referte", name=op.f("uq_beslissing_client_referte")),
    )
    op.create_table(
        "client",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("naam", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("doelen", sa.String(length=200), nullable=False),
        sa.Column("afzender", sa.String(length=100), nullable=False),
        sa.Column(
            "aangemaakt_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "ingetrokken_op",
            kbi_exchange.adapters.db.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("naam", name=op.f("uq_client_naam")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_client_token_sha256")),
    )
    # the chain starts from a known head: sequence 0 and the all-zero hash
    op.execute("INSERT INTO audit_kop (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    op.drop_table("client")
    op.drop_table("beslissing")
    op.drop_table("audit_kop")
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_insz_hash"))

    op.drop_table("audit")
