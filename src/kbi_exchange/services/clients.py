"""Machine clients of the advice service (SPEC §7, §14): random tokens, stored as hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime

from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud import ClientInhoud
from kbi_exchange.domain.client import Client, ClientOverzicht
from kbi_exchange.domain.fouten import Ongeldig
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services.ports import ClientenWerk

_NAAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


class ClientFout(Ongeldig):
    """A client cannot be added or revoked as asked."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@vereist(Permissie.CLIENT_BEHEER)
def voeg_client_toe(
    *,
    uow: ClientenWerk,
    naam: str,
    doelen: list[str],
    afzender: str | None,
    nu: datetime,
    door: Actor,
    zorgkas: str | None = None,
) -> tuple[Client, str]:
    """Register a client; returns it with its token, which is shown once and never stored.

    With ``zorgkas`` it is a client of the VSB node's zorgkas API, bound to that zorgkas; it
    asks for the zorgbudget only.
    """
    if not _NAAM.match(naam):
        raise ClientFout("a client name is 2–64 of A-Z, a-z, 0-9, '.', '_' or '-'")
    if zorgkas is not None:
        if zorgkas not in zorgkas_codes():
            raise ClientFout(
                f"unknown zorgkas {zorgkas!r}; codes: {', '.join(sorted(zorgkas_codes()))}"
            )
        doelen, afzender = [Doel.ZORGBUDGET.value], afzender or f"zorgkas-{zorgkas}"
    if not doelen:
        raise ClientFout("doel: give at least one purpose")
    try:
        toegestaan = frozenset(Doel(d) for d in doelen)
    except ValueError:
        raise ClientFout(f"unknown purpose; purposes: {', '.join(Doel)}") from None
    with uow as werk:
        if werk.clients.zoek(naam) is not None:
            raise ClientFout(f"a client named {naam} exists already")
        token = secrets.token_urlsafe(32)
        client = Client(
            str(uuid.uuid4()), naam, toegestaan, afzender or naam, token_hash(token), zorgkas
        )
        werk.clients.voeg_toe(client, nu)
        inhoud: ClientInhoud = {
            "client": naam,
            "doelen": ",".join(sorted(d.value for d in toegestaan)),
            "afzender": client.afzender,
        }
        if zorgkas:
            inhoud["zorgkas"] = zorgkas
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_CLIENT_TOEGEVOEGD
            if zorgkas
            else AuditGebeurtenis.CLIENT_TOEGEVOEGD,
            actor=door.naam,
            tijdstip=nu,
            inhoud=inhoud,
        )
        werk.commit()
    return client, token


@vereist(Permissie.CLIENT_BEHEER)
def trek_client_in(*, uow: ClientenWerk, naam: str, nu: datetime, door: Actor) -> Client:
    """Revoke a client: its token stops working within a second (the servers' cache)."""
    with uow as werk:
        gevonden = werk.clients.zoek(naam)
        if gevonden is None:
            raise ClientFout(f"no client {naam}")
        if gevonden.ingetrokken_op is None:
            werk.clients.trek_in(gevonden.client.id, nu)
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.VSB_CLIENT_INGETROKKEN
                if gevonden.client.zorgkas
                else AuditGebeurtenis.CLIENT_INGETROKKEN,
                actor=door.naam,
                tijdstip=nu,
                inhoud={"client": gevonden.client.naam},
            )
            werk.commit()
    return gevonden.client


@vereist(Permissie.CLIENT_BEHEER)
def alle_clients(*, door: Actor, uow: ClientenWerk) -> list[ClientOverzicht]:
    """Every client, by name (never a token)."""
    with uow as werk:
        return werk.clients.alle()


def actieve_clients(uow: ClientenWerk) -> dict[str, Client]:
    """Every client that is not revoked, by the SHA-256 of its token."""
    with uow as werk:
        return werk.clients.actief()
