"""Alembic environment of the VSB node's database."""

from kbi_exchange.adapters.db.alembic_env import voer_uit
from kbi_exchange.adapters.db.vsb_models import VsbBase

voer_uit(VsbBase.metadata)
