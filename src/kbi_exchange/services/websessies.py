"""Log-ins on a node's web pages (SPEC §11): a session opened for a person after their
password (or their agency's identity provider) said who they are, found again by its cookie's
token, ended at log-out or when idle or old past its limits."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from kbi_exchange.domain.access import Gebruiker
from kbi_exchange.domain.websessie import BIJWERKEN_NA, WebSessie
from kbi_exchange.services.clients import token_hash
from kbi_exchange.services.ports import GebruikersWerk
from kbi_exchange.services.users import AuthenticatieMislukt, authenticeer

# a cookie's token: 256 random bits, as a machine client's
TOKEN_BYTES = 32
MAX_TOKEN = 128


def meld_aan(
    *, uow: GebruikersWerk, naam: str, wachtwoord: str, nu: datetime
) -> tuple[str, Gebruiker]:
    """A person's name and password checked (lockout after repeated failures, `users`), and a
    session opened: its token for the cookie, and who it is."""
    gebruiker = authenticeer(uow=uow, naam=naam, wachtwoord=wachtwoord, nu=nu)
    return open_sessie(uow=uow, naam=gebruiker.naam, via="wachtwoord", nu=nu), gebruiker


def open_sessie(*, uow: GebruikersWerk, naam: str, via: str, nu: datetime) -> str:
    """A session for a person of this node whom something else authenticated (``via``): the
    token for the cookie. A name the node does not know opens nothing."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with uow:
        if uow.gebruikers.account(naam) is None:
            raise AuthenticatieMislukt(f"authentication failed for {naam}")
        uow.gebruikers.verwijder_verlopen_sessies(nu)
        uow.gebruikers.bewaar_sessie(WebSessie(token_hash(token), naam, nu, nu, via))
        uow.commit()
    return token


def wie(*, uow: GebruikersWerk, token: str | None, nu: datetime) -> Gebruiker | None:
    """The person whose live session ``token`` is, or None (unknown, ended, idle or old past
    its limits, or the person gone). Its last use is written at most once a minute."""
    if not token or len(token) > MAX_TOKEN:
        return None
    with uow:
        sessie = uow.gebruikers.sessie(token_hash(token))
        if sessie is None:
            return None
        account = uow.gebruikers.account(sessie.naam)
        if account is None or sessie.verlopen(nu):
            uow.gebruikers.verwijder_sessie(sessie.token_hash)
            uow.commit()
            return None
        if nu - sessie.gezien_op >= BIJWERKEN_NA:
            uow.gebruikers.bewaar_sessie(replace(sessie, gezien_op=nu))
            uow.commit()
    return account.gebruiker


def meld_af(*, uow: GebruikersWerk, token: str | None) -> None:
    """End the session of ``token`` (nothing when there is none)."""
    if not token or len(token) > MAX_TOKEN:
        return
    with uow:
        uow.gebruikers.verwijder_sessie(token_hash(token))
        uow.commit()
