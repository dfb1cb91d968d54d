"""What every node's Alembic `env.py` does: migrate on the given connection, or the URL's."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, MetaData

from kbi_exchange.adapters.db.engine import maak_engine


def _run(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def voer_uit(target_metadata: MetaData) -> None:
    """Run the migrations of a node whose tables are ``target_metadata``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, target_metadata)
        return
    engine = maak_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as verbinding:
        _run(verbinding, target_metadata)
    engine.dispose()
