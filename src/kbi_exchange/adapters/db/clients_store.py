"""The machine clients of the advice service, on the AII node's database."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import ClientRow
from kbi_exchange.adapters.db.types import ClientColumns
from kbi_exchange.adapters.db.vsb_models import VsbClientRow
from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.client import Client, ClientOverzicht


def _client(rij: ClientColumns) -> Client:
    return Client(
        rij.id,
        rij.naam,
        frozenset(Doel(d) for d in rij.doelen.split(",") if d),
        rij.afzender,
        rij.token_sha256,
        getattr(rij, "zorgkas", None),
    )


def _overzicht(rij: ClientColumns) -> ClientOverzicht:
    return ClientOverzicht(_client(rij), rij.aangemaakt_op, rij.ingetrokken_op)


class SqlClients:
    """Clients within one transaction (never commits): the AII node's of the advice service,
    or (``vsb``) the VSB node's of the zorgkas API, each bound to a zorgkas."""

    def __init__(self, session: Session, *, vsb: bool = False) -> None:
        self.session = session
        # both share the client columns (`ClientColumns`); VSB's add the zorgkas
        self.model = cast(type[ClientColumns], VsbClientRow if vsb else ClientRow)

    def zoek(self, naam_of_id: str) -> ClientOverzicht | None:
        rij = self.session.scalar(
            select(self.model).where(
                (self.model.naam == naam_of_id) | (self.model.id == naam_of_id)
            )
        )
        return _overzicht(rij) if rij is not None else None

    def voeg_toe(self, client: Client, aangemaakt_op: datetime) -> None:
        extra = {"zorgkas": client.zorgkas} if self.model is VsbClientRow else {}
        self.session.add(
            self.model(  # type: ignore[call-arg]
                **extra,
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
            update(self.model).where(self.model.id == client_id).values(ingetrokken_op=moment)
        )

    def alle(self) -> list[ClientOverzicht]:
        return [
            _overzicht(rij)
            for rij in self.session.scalars(select(self.model).order_by(self.model.naam))
        ]

    def actief(self) -> dict[str, Client]:
        """Every client that is not revoked, by the SHA-256 of its token."""
        rijen = self.session.scalars(select(self.model).where(self.model.ingetrokken_op.is_(None)))
        return {rij.token_sha256: _client(rij) for rij in rijen}
