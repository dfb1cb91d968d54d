"""The machine clients of the advice service, on the AII node's database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import ClientRij
from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.client import Client, ClientOverzicht


def _client(rij: ClientRij) -> Client:
    return Client(
        rij.id,
        rij.naam,
        frozenset(Doel(d) for d in rij.doelen.split(",") if d),
        rij.afzender,
        rij.token_sha256,
    )


def _overzicht(rij: ClientRij) -> ClientOverzicht:
    return ClientOverzicht(_client(rij), rij.aangemaakt_op, rij.ingetrokken_op)


class SqlClients:
    """Clients within one transaction (never commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def zoek(self, naam_of_id: str) -> ClientOverzicht | None:
        rij = self.session.scalar(
            select(ClientRij).where((ClientRij.naam == naam_of_id) | (ClientRij.id == naam_of_id))
        )
        return _overzicht(rij) if rij is not None else None

    def voeg_toe(self, client: Client, aangemaakt_op: datetime) -> None:
        self.session.add(
            ClientRij(
                id=client.id,
                naam=client.naam,
                token_sha256=client.token_sha256,
                doelen=",".join(sorted(d.value for d in client.doelen)),
                afzender=client.afzender,
                aangemaakt_op=aangemaakt_op,
                ingetrokken_op=None,
            )
        )
        self.session.flush()

    def trek_in(self, client_id: str, moment: datetime) -> None:
        self.session.execute(
            update(ClientRij).where(ClientRij.id == client_id).values(ingetrokken_op=moment)
        )

    def alle(self) -> list[ClientOverzicht]:
        return [
            _overzicht(rij)
            for rij in self.session.scalars(select(ClientRij).order_by(ClientRij.naam))
        ]

    def actief(self) -> dict[str, Client]:
        """Every client that is not revoked, by the SHA-256 of its token."""
        rijen = self.session.scalars(select(ClientRij).where(ClientRij.ingetrokken_op.is_(None)))
        return {rij.token_sha256: _client(rij) for rij in rijen}
