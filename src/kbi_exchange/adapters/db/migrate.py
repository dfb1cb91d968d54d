"""Bringing a node's database to the newest schema with Alembic."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

NODES = ("aii", "vsb")


def alembic_config(node: str, engine: Engine | None = None) -> Config:
    if node not in NODES:
        raise ValueError(f"unknown node {node!r}")
    config = Config()
    locatie = resources.files("kbi_exchange.adapters.db").joinpath("migrations", node)
    config.set_main_option("script_location", str(locatie))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def migreer(engine: Engine, node: str) -> None:
    """Upgrade the node's database to the newest revision (does nothing when it is there)."""
    config = alembic_config(node)
    with engine.begin() as verbinding:
        config.attributes["connection"] = verbinding
        command.upgrade(config, "head")


def is_actueel(engine: Engine, node: str) -> bool:
    """True when the database is at the newest revision."""
    hoofd = ScriptDirectory.from_config(alembic_config(node)).get_current_head()
    with engine.connect() as verbinding:
        return MigrationContext.configure(verbinding).get_current_revision() == hoofd
