"""Alembic environment of the VSB node's database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kbi_exchange.adapters.db.engine import maak_engine
from kbi_exchange.adapters.db.vsb_models import VsbBase

target_metadata = VsbBase.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = maak_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as verbinding:
        _run(verbinding)
    engine.dispose()
