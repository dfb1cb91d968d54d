"""People of a node: adding them, and authenticating `--as NAME` (SPEC §11)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from kbi_exchange.domain.access import (
    ROLLEN_VAN_NODE,
    Account,
    Actor,
    Gebruiker,
    Permissie,
    Rol,
    vereist,
)
from kbi_exchange.domain.fouten import Forbidden, Ongeldig, Unauthenticated
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services.ports import GebruikersWerk

MIN_LENGTE = 12
MAX_POGINGEN = 5
BLOKKERING = timedelta(minutes=15)
_NAAM = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class GebruikerFout(Ongeldig):
    """A person cannot be added as asked."""


class AuthenticatieMislukt(Unauthenticated):
    """Wrong name or password, or a locked account: the message never says which."""


@vereist(Permissie.TOEGANG_BEHEER)
def voeg_gebruiker_toe(
    *,
    door: Actor,
    uow: GebruikersWerk,
    naam: str,
    rol: str,
    zorgkas: str | None,
    wachtwoord: str,
    nu: datetime,
) -> Gebruiker:
    """Add a person with one role on the unit of work's node; the password is hashed (Argon2id)."""
    with uow:
        node = uow.gebruikers.node
        if node is not door.node:
            raise Forbidden(f"{door.naam} acts on the {door.node.value} node, not on {node.value}")
        if not _NAAM.match(naam):
            raise GebruikerFout(
                "a name is 2–64 of a-z, 0-9, '.', '_' or '-', starting alphanumeric"
            )
        try:
            rol_ = Rol(rol)
        except ValueError:
            raise GebruikerFout(f"unknown role {rol!r}; roles: {', '.join(Rol)}") from None
        if rol_ not in ROLLEN_VAN_NODE[node]:
            toegelaten = ", ".join(sorted(ROLLEN_VAN_NODE[node]))
            raise GebruikerFout(f"role {rol_} does not exist on the {node} node ({toegelaten})")
        if (rol_ is Rol.ZORGKAS_HANDLER) != (zorgkas is not None):
            raise GebruikerFout("zorgkas is required for, and only for, a zorgkas-handler")
        if zorgkas is not None and zorgkas not in zorgkas_codes():
            raise GebruikerFout(
                f"unknown zorgkas {zorgkas!r}; codes: {', '.join(sorted(zorgkas_codes()))}"
            )
        if len(wachtwoord) < MIN_LENGTE:
            raise GebruikerFout(f"a password has at least {MIN_LENGTE} characters")
        if uow.gebruikers.account(naam) is not None:
            raise GebruikerFout(f"{naam} already exists on the {node} node")
        gebruiker = Gebruiker(naam, node, rol_, zorgkas)
        uow.gebruikers.voeg_toe(gebruiker, uow.wachtwoorden.hash(wachtwoord), nu)
        uow.commit()
    return gebruiker


def authenticeer(*, uow: GebruikersWerk, naam: str, wachtwoord: str, nu: datetime) -> Gebruiker:
    """Check a person's password; after repeated failures the account is locked for a while."""
    with uow:
        account = uow.gebruikers.account(naam)
        geblokkeerd = (
            account is not None
            and account.geblokkeerd_tot is not None
            and account.geblokkeerd_tot > nu
        )
        juist = uow.wachtwoorden.verify(account.wachtwoord_hash if account else None, wachtwoord)
        if account is None or geblokkeerd or not juist:
            if account is not None and not geblokkeerd:
                pogingen = account.mislukte_pogingen + 1
                if pogingen >= MAX_POGINGEN:
                    account = replace(account, mislukte_pogingen=0, geblokkeerd_tot=nu + BLOKKERING)
                else:
                    account = replace(account, mislukte_pogingen=pogingen)
                uow.gebruikers.bewaar(account)
                uow.commit()
            raise AuthenticatieMislukt(f"authentication failed for {naam}")
        nieuw_hash = (
            uow.wachtwoorden.hash(wachtwoord)
            if uow.wachtwoorden.needs_rehash(account.wachtwoord_hash)
            else account.wachtwoord_hash
        )
        uow.gebruikers.bewaar(replace(account, mislukte_pogingen=0, wachtwoord_hash=nieuw_hash))
        uow.commit()
    return account.gebruiker


@vereist(Permissie.TOEGANG_BEHEER)
def gebruikers(*, door: Actor, uow: GebruikersWerk) -> list[Account]:
    """The people of the unit of work's node, their roles and lockouts."""
    with uow:
        return uow.gebruikers.alle()
