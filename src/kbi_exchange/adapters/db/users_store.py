"""The people of a node in its database."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import AiiGebruikerRow
from kbi_exchange.adapters.db.types import GebruikerColumns
from kbi_exchange.adapters.db.vsb_models import VsbGebruikerRow
from kbi_exchange.domain.access import Account, Gebruiker, Node, Rol

MODEL: dict[Node, type[AiiGebruikerRow] | type[VsbGebruikerRow]] = {
    Node.AII: AiiGebruikerRow,
    Node.VSB: VsbGebruikerRow,
}


class SqlGebruikers:
    """People of one node; never commits."""

    def __init__(self, session: Session, node: Node) -> None:
        self.session = session
        self.node = node
        self.model = MODEL[node]

    def _account(self, rij: GebruikerColumns) -> Account:
        return Account(
            Gebruiker(rij.naam, self.node, Rol(rij.rol), rij.zorgkas),
            rij.wachtwoord_hash,
            rij.mislukte_pogingen,
            rij.geblokkeerd_tot,
            rij.aangemaakt_op,
        )

    def account(self, naam: str) -> Account | None:
        rij = cast(GebruikerColumns | None, self.session.get(self.model, naam))
        return self._account(rij) if rij is not None else None

    def bewaar(self, account: Account) -> None:
        """Write back what may change: the password's hash and the failed log-ins."""
        rij = cast(GebruikerColumns, self.session.get(self.model, account.gebruiker.naam))
        rij.wachtwoord_hash = account.wachtwoord_hash
        rij.mislukte_pogingen = account.mislukte_pogingen
        rij.geblokkeerd_tot = account.geblokkeerd_tot

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

    def alle(self) -> list[Account]:
        return [
            self._account(cast(GebruikerColumns, rij))
            for rij in self.session.scalars(select(self.model).order_by(self.model.naam))
        ]
