"""People, roles and passwords on fakes (SPEC §11): who may exist, lockout, Argon2id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kbi_exchange.domain.access import Actor, Node, Rol
from kbi_exchange.services.users import (
    MAX_POGINGEN,
    AuthenticatieMislukt,
    GebruikerFout,
    authenticeer,
    voeg_gebruiker_toe,
)
from tests.fakes import FakeGebruikers

WACHTWOORD = "correct horse battery"
NU = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _voeg_toe(
    mensen: FakeGebruikers,
    naam: str = "olga",
    rol: str = "aii-operator",
    zorgkas: str | None = None,
    wachtwoord: str = WACHTWOORD,
) -> None:
    voeg_gebruiker_toe(
        door=Actor.os_account(mensen.node, "test"),
        uow=mensen,
        naam=naam,
        rol=rol,
        zorgkas=zorgkas,
        wachtwoord=wachtwoord,
        nu=NU,
    )


@pytest.mark.parametrize(
    ("node", "naam", "rol", "zorgkas", "wachtwoord", "reden"),
    [
        (Node.AII, "olga", "vsb-operator", None, WACHTWOORD, "does not exist on the aii node"),
        (Node.AII, "olga", "chef", None, WACHTWOORD, "unknown role"),
        (Node.VSB, "zoe", "zorgkas-handler", None, WACHTWOORD, "zorgkas is required"),
        (Node.VSB, "zoe", "vsb-operator", "CM", WACHTWOORD, "zorgkas is required for, and only"),
        (Node.VSB, "zoe", "zorgkas-handler", "XX", WACHTWOORD, "unknown zorgkas"),
        (Node.AII, "Olga!", "aii-operator", None, WACHTWOORD, "a name is"),
        (Node.AII, "o", "aii-operator", None, WACHTWOORD, "a name is"),
        (Node.AII, "olga", "aii-operator", None, "kort", "at least 12"),
    ],
)
def test_a_person_that_cannot_exist_is_refused_with_the_reason_and_nothing_kept(
    node: Node, naam: str, rol: str, zorgkas: str | None, wachtwoord: str, reden: str
) -> None:
    mensen = FakeGebruikers(node)
    with pytest.raises(GebruikerFout, match=reden):
        _voeg_toe(mensen, naam, rol, zorgkas, wachtwoord)
    assert mensen.bewaard == {}


def test_a_person_is_kept_with_an_argon2id_hash_and_a_second_of_that_name_is_refused() -> None:
    mensen = FakeGebruikers(Node.AII)
    _voeg_toe(mensen)
    account = mensen.bewaard["olga"]
    assert account.gebruiker.rol is Rol.AII_OPERATOR
    assert account.wachtwoord_hash.startswith("$argon2id$")
    with pytest.raises(GebruikerFout, match="already exists"):
        _voeg_toe(mensen, rol="aii-approver")


def test_a_zorgkas_handler_is_bound_to_one_zorgkas_on_the_vsb_node() -> None:
    mensen = FakeGebruikers(Node.VSB)
    _voeg_toe(mensen, "zoe", "zorgkas-handler", "CM")
    assert mensen.bewaard["zoe"].gebruiker.zorgkas == "CM"


def test_repeated_failures_lock_the_account_even_for_the_right_password_for_15_minutes() -> None:
    mensen = FakeGebruikers(Node.AII)
    _voeg_toe(mensen)
    for _ in range(MAX_POGINGEN):
        with pytest.raises(AuthenticatieMislukt):
            authenticeer(uow=mensen, naam="olga", wachtwoord="wrong", nu=NU)
    with pytest.raises(AuthenticatieMislukt):
        authenticeer(uow=mensen, naam="olga", wachtwoord=WACHTWOORD, nu=NU)
    with pytest.raises(AuthenticatieMislukt):
        authenticeer(uow=mensen, naam="olga", wachtwoord=WACHTWOORD, nu=NU + timedelta(minutes=14))
    gebruiker = authenticeer(
        uow=mensen, naam="olga", wachtwoord=WACHTWOORD, nu=NU + timedelta(minutes=16)
    )
    assert gebruiker.naam == "olga"
    assert mensen.bewaard["olga"].mislukte_pogingen == 0


def test_an_unknown_person_fails_like_a_wrong_password() -> None:
    with pytest.raises(AuthenticatieMislukt, match="authentication failed for niemand"):
        authenticeer(uow=FakeGebruikers(Node.AII), naam="niemand", wachtwoord=WACHTWOORD, nu=NU)
