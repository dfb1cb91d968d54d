"""lawful paths (issue 20): a protocol step records when the other node took it (a notice
runs 12 months from its receipt); the processors register holds both parties' processors,
each with when it was told to or received from the other party

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kbi_exchange.adapters.db.types import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIJ = "aii"


def upgrade() -> None:
    op.add_column("protocol_gebeurtenis", sa.Column("ontvangen_op", UtcDateTime(timezone=True)))
    op.add_column("protocol_gebeurtenis", sa.Column("geweigerd", sa.String(length=500)))
    _vorige_stappen()
    op.create_table(
        "lijst_sleutel",
        sa.Column("lijst_id", sa.String(length=36), nullable=False),
        sa.Column("insz_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("lijst_id", "insz_hash", name=op.f("pk_lijst_sleutel")),
    )
    op.create_index(op.f("ix_lijst_sleutel_insz_hash"), "lijst_sleutel", ["insz_hash"])
    with op.batch_alter_table("verwerker") as batch:
        batch.add_column(sa.Column("partij", sa.String(length=8)))
        batch.add_column(sa.Column("gemeld_op", UtcDateTime(timezone=True)))
        batch.add_column(sa.Column("ontvangen_op", UtcDateTime(timezone=True)))
    op.execute(sa.text("UPDATE verwerker SET partij = :partij").bindparams(partij=PARTIJ))
    with op.batch_alter_table("verwerker") as batch:
        batch.alter_column("partij", existing_type=sa.String(length=8), nullable=False)
        batch.drop_constraint("uq_verwerker_naam", type_="unique")
        batch.create_unique_constraint("uq_verwerker_partij_naam", ["partij", "naam"])


def _vorige_stappen() -> None:
    """Steps recorded before this revision: a notice ran from the moment it was recorded; a
    suspension and its resumption are history the other node need not replay. Still to tell:
    a suspension in force now, an end, a lapse."""
    verbinding = op.get_bind()
    rijen = verbinding.execute(
        sa.text("SELECT id, soort, door FROM protocol_gebeurtenis ORDER BY op, id")
    ).all()
    geschorst: str | None = None
    for id_, soort, _ in rijen:
        geschorst = id_ if soort == "geschorst" else None if soort == "hervat" else geschorst
    te_vertellen = {
        id_
        for id_, soort, door in rijen
        if soort in ("beeindigd", "grond_vervalt") and not door.startswith("partij:")
    } | ({geschorst} if geschorst else set())
    for id_, _, _ in rijen:
        if id_ not in te_vertellen:
            verbinding.execute(
                sa.text("UPDATE protocol_gebeurtenis SET ontvangen_op = op WHERE id = :id"),
                {"id": id_},
            )


def downgrade() -> None:
    op.drop_index(op.f("ix_lijst_sleutel_insz_hash"), table_name="lijst_sleutel")
    op.drop_table("lijst_sleutel")
    with op.batch_alter_table("verwerker") as batch:
        batch.drop_constraint("uq_verwerker_partij_naam", type_="unique")
        batch.create_unique_constraint("uq_verwerker_naam", ["naam"])
        batch.drop_column("ontvangen_op")
        batch.drop_column("gemeld_op")
        batch.drop_column("partij")
    with op.batch_alter_table("protocol_gebeurtenis") as batch:
        batch.drop_column("geweigerd")
        batch.drop_column("ontvangen_op")
