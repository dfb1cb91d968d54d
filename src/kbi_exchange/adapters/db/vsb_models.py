"""The VSB node's tables. VSB is a separate controller: its own database, never AII's."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kbi_exchange.adapters.db.types import GebruikerKolommen, metadata


class VsbBase(DeclarativeBase):
    metadata = metadata()


class VsbGebruikerRij(GebruikerKolommen, VsbBase):
    """A person on the VSB node."""
