"""A machine client of a node's web service: what it may ask for, and as whom it sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kbi_exchange.domain.advies import Doel


@dataclass(frozen=True, slots=True)
class Client:
    """An authenticated caller: its purposes, its sender identification, its token's hash."""

    id: str
    naam: str
    doelen: frozenset[Doel]
    afzender: str
    token_sha256: str
    zorgkas: str | None = None  # a client of the VSB node's zorgkas API sees this zorgkas only


@dataclass(frozen=True, slots=True)
class FailedAuthentications:
    """A security event: so many failed authentications from one address in one window."""

    address: str
    count: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class ClientOverzicht:
    """A client as listed: since when, and whether and when it was revoked."""

    client: Client
    aangemaakt_op: datetime
    ingetrokken_op: datetime | None
