"""Alembic environment of the AII node's database."""

from kbi_exchange.adapters.db.aii_models import AiiBase
from kbi_exchange.adapters.db.alembic_env import voer_uit

voer_uit(AiiBase.metadata)
