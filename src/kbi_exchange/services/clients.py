"""Machine clients of the advice service (SPEC §7, §14): random tokens, stored as hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import ClientRij
from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.keys import Sleutels
from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.services.audit import schrijf_audit

_NAAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


class ClientFout(ValueError):
    """A client cannot be added or revoked as asked."""


@dataclass(frozen=True, slots=True)
class Client:
    """An authenticated caller: what it may ask for, and the sender identification it uses."""

    id: str
    naam: str
    doelen: frozenset[Doel]
    afzender: str
    token_sha256: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _client(rij: Any) -> Client:
    """A client from its row (an ORM row or a Core row with the same columns)."""
    return Client(
        rij.id,
        rij.naam,
        frozenset(Doel(d) for d in rij.doelen.split(",") if d),
        rij.afzender,
        rij.token_sha256,
    )


def voeg_client_toe(
    *,
    uow: SqlUnitOfWork,
    sleutels: Sleutels,
    naam: str,
    doelen: list[str],
    afzender: str | None,
    nu: datetime,
    door: str,
) -> tuple[Client, str]:
    """Register a client; returns it with its token, which is shown once and never stored."""
    if not _NAAM.match(naam):
        raise ClientFout("a client name is 2–64 of A-Z, a-z, 0-9, '.', '_' or '-'")
    if not doelen:
        raise ClientFout("give at least one --purpose")
    try:
        toegestaan = sorted({Doel(d) for d in doelen})
    except ValueError:
        raise ClientFout(f"unknown purpose; purposes: {', '.join(Doel)}") from None
    with uow as werk:
        session: Session = werk.session
        if session.scalar(select(ClientRij).where(ClientRij.naam == naam)) is not None:
            raise ClientFout(f"a client named {naam} exists already")
        token = secrets.token_urlsafe(32)
        rij = ClientRij(
            id=str(uuid.uuid4()),
            naam=naam,
            token_sha256=token_hash(token),
            doelen=",".join(d.value for d in toegestaan),
            afzender=afzender or naam,
            aangemaakt_op=nu,
            ingetrokken_op=None,
        )
        session.add(rij)
        session.flush()
        schrijf_audit(
            audit=werk.audit,
            sleutels=sleutels,
            gebeurtenis=AuditGebeurtenis.CLIENT_TOEGEVOEGD,
            actor=door,
            tijdstip=nu,
            inhoud={"client": naam, "doelen": rij.doelen, "afzender": rij.afzender},
        )
        werk.commit()
    return _client(rij), token


def trek_client_in(
    *, uow: SqlUnitOfWork, sleutels: Sleutels, naam: str, nu: datetime, door: str
) -> Client:
    """Revoke a client: its token stops working at once."""
    with uow as werk:
        session: Session = werk.session
        rij = session.scalar(
            select(ClientRij).where((ClientRij.naam == naam) | (ClientRij.id == naam))
        )
        if rij is None:
            raise ClientFout(f"no client {naam}")
        if rij.ingetrokken_op is None:
            rij.ingetrokken_op = nu
            schrijf_audit(
                audit=werk.audit,
                sleutels=sleutels,
                gebeurtenis=AuditGebeurtenis.CLIENT_INGETROKKEN,
                actor=door,
                tijdstip=nu,
                inhoud={"client": rij.naam},
            )
            werk.commit()
    return _client(rij)


def alle_clients(session: Session) -> list[ClientRij]:
    return list(session.scalars(select(ClientRij).order_by(ClientRij.naam)))


def actieve_clients(uow: SqlUnitOfWork) -> dict[str, Client]:
    """Every client that is not revoked, by the SHA-256 of its token."""
    with uow as werk:
        rijen = werk.session.scalars(select(ClientRij).where(ClientRij.ingetrokken_op.is_(None)))
        return {rij.token_sha256: _client(rij) for rij in rijen}
