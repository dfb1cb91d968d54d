"""The registers on a node's database: processors, and recipients other than a zorgkas."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.domain.registers import Ontvanger, Verwerker

_VERWERKER = (
    "id",
    "partij",
    "naam",
    "taak",
    "overeenkomst",
    "overeenkomst_datum",
    "locatie",
    "geregistreerd_op",
    "geregistreerd_door",
    "beeindigd_op",
    "gemeld_op",
    "ontvangen_op",
)
_ONTVANGER = (
    "id",
    "naam",
    "doel",
    "rechtsgrond",
    "geregistreerd_op",
    "geregistreerd_door",
    "aan_aii_gemeld_op",
)


class SqlRegisters:
    """Within one transaction; never commits. ``verwerker`` and ``ontvanger`` are the node's
    tables."""

    def __init__(self, session: Session, verwerker: type[Any], ontvanger: type[Any]) -> None:
        self.session = session
        self.verwerker_rij = verwerker
        self.ontvanger_rij = ontvanger

    def _bewaar(self, model: type[Any], velden: tuple[str, ...], ding: Any) -> None:
        rij = self.session.get(model, ding.id) or model(id=ding.id)
        for veld in velden:
            setattr(rij, veld, getattr(ding, veld))
        rij.gegevens = ",".join(ding.gegevens)
        self.session.add(rij)
        schrijf_door(self.session)

    def bewaar_verwerker(self, verwerker: Verwerker) -> None:
        self._bewaar(self.verwerker_rij, _VERWERKER, verwerker)

    def bewaar_ontvanger(self, ontvanger: Ontvanger) -> None:
        self._bewaar(self.ontvanger_rij, _ONTVANGER, ontvanger)

    def verwerkers(self) -> list[Verwerker]:
        m = self.verwerker_rij
        return [
            Verwerker(
                gegevens=tuple(rij.gegevens.split(",")), **{v: getattr(rij, v) for v in _VERWERKER}
            )
            for rij in self.session.scalars(select(m).order_by(m.partij, m.naam))
        ]

    def ontvangers(self) -> list[Ontvanger]:
        m = self.ontvanger_rij
        return [
            Ontvanger(
                gegevens=tuple(rij.gegevens.split(",")), **{v: getattr(rij, v) for v in _ONTVANGER}
            )
            for rij in self.session.scalars(select(m).order_by(m.naam))
        ]
