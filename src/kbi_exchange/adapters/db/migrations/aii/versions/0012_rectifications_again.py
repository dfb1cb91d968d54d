"""a record can be rectified again by a later correction of the same report: the uniqueness
per report and record goes (corrections run one at a time, behind the audit head's lock), and
rectifications are looked up by record and by list entry

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rectificatie") as batch:
        batch.drop_constraint("uq_rectificatie_melding_id_beslissing_id", type_="unique")
        batch.drop_constraint("uq_rectificatie_melding_id_lijst_id", type_="unique")
    op.create_index(op.f("ix_rectificatie_beslissing_id"), "rectificatie", ["beslissing_id"])
    op.create_index(op.f("ix_rectificatie_lijst_id"), "rectificatie", ["lijst_id", "insz"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rectificatie_lijst_id"), table_name="rectificatie")
    op.drop_index(op.f("ix_rectificatie_beslissing_id"), table_name="rectificatie")
    with op.batch_alter_table("rectificatie") as batch:
        batch.create_unique_constraint(
            "uq_rectificatie_melding_id_lijst_id", ["melding_id", "lijst_id"]
        )
        batch.create_unique_constraint(
            "uq_rectificatie_melding_id_beslissing_id", ["melding_id", "beslissing_id"]
        )
