"""The people of a node in its database."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import AiiGebruikerRij
from kbi_exchange.adapters.db.types import GebruikerKolommen
from kbi_exchange.adapters.db.vsb_models import VsbGebruikerRij
from kbi_exchange.domain.access import Gebruiker, Node, Rol

MODEL: dict[Node, type[AiiGebruikerRij] | type[VsbGebruikerRij]] = {
    Node.AII: AiiGebruikerRij,
    Node.VSB: VsbGebruikerRij,
}


class SqlGebruikers:
    """People of one node; never commits."""

    def __init__(self, session: Session, node: Node) -> None:
        self.session = session
        self.node = node
        self.model = MODEL[node]

    def rij(self, naam: str) -> GebruikerKolommen | None:
        return cast(GebruikerKolommen | None, self.session.get(self.model, naam))

    def gebruiker(self, rij: GebruikerKolommen) -> Gebruiker:
        return Gebruiker(rij.naam, self.node, Rol(rij.rol), rij.zorgkas)

    def voeg_toe(self, gebruiker: Gebruiker, wachtwoord_hash: str, aangemaakt_op: datetime) -> None:
        self.session.add(
            self.model(
                naam=gebruiker.naam,
                rol=gebruiker.rol.value,
                zorgkas=gebruiker.zorgkas,
                wachtwoord_hash=wachtwoord_hash,
                mislukte_pogingen=0,
                geblokkeerd_tot=None,
                aangemaakt_op=aangemaakt_op,
            )
        )

    def alle(self) -> list[GebruikerKolommen]:
        return list(self.session.scalars(select(self.model).order_by(self.model.naam)))
