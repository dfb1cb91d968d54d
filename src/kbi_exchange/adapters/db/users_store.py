"""The people of a node in its database."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import AiiGebruikerRow, AiiWebSessieRow
from kbi_exchange.adapters.db.types import GebruikerColumns, WebSessieColumns
from kbi_exchange.adapters.db.vsb_models import VsbGebruikerRow, VsbWebSessieRow
from kbi_exchange.domain.access import Account, Gebruiker, Node, Rol
from kbi_exchange.domain.websessie import HOOGSTENS, INACTIEF, WebSessie

MODEL: dict[Node, type[AiiGebruikerRow] | type[VsbGebruikerRow]] = {
    Node.AII: AiiGebruikerRow,
    Node.VSB: VsbGebruikerRow,
}
SESSIE: dict[Node, type[AiiWebSessieRow] | type[VsbWebSessieRow]] = {
    Node.AII: AiiWebSessieRow,
    Node.VSB: VsbWebSessieRow,
}


class SqlGebruikers:
    """People of one node; never commits."""

    def __init__(self, session: Session, node: Node) -> None:
        self.session = session
        self.node = node
        self.model = MODEL[node]
        self.sessies = SESSIE[node]

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

    # --- web sessions ---------------------------------------------------------------------

    def sessie(self, token_hash: str) -> WebSessie | None:
        rij = cast(WebSessieColumns | None, self.session.get(self.sessies, token_hash))
        if rij is None:
            return None
        return WebSessie(rij.token_hash, rij.naam, rij.aangemaakt_op, rij.gezien_op, rij.via)

    def bewaar_sessie(self, sessie: WebSessie) -> None:
        """A new session, or a known one's last use."""
        rij = cast(WebSessieColumns | None, self.session.get(self.sessies, sessie.token_hash))
        if rij is None:
            self.session.add(
                self.sessies(
                    token_hash=sessie.token_hash,
                    naam=sessie.naam,
                    via=sessie.via,
                    aangemaakt_op=sessie.aangemaakt_op,
                    gezien_op=sessie.gezien_op,
                )
            )
        else:
            rij.gezien_op = sessie.gezien_op

    def verwijder_sessie(self, token_hash: str) -> None:
        self.session.execute(delete(self.sessies).where(self.sessies.token_hash == token_hash))

    def verwijder_verlopen_sessies(self, nu: datetime) -> int:
        """Every session idle or old past its limits: its row goes (a log-out never seen)."""
        weg = self.session.execute(
            delete(self.sessies).where(
                or_(
                    self.sessies.gezien_op < nu - INACTIEF,
                    self.sessies.aangemaakt_op < nu - HOOGSTENS,
                )
            )
        )
        return int(getattr(weg, "rowcount", 0) or 0)
