"""Log-ins on the web pages on fakes (SPEC §11): a session by its token's hash only, ended at
log-out, when idle, when old, or when its person is gone; lockout as with `--as`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.websessie import HOOGSTENS, INACTIEF
from kbi_exchange.services.clients import token_hash
from kbi_exchange.services.users import MAX_POGINGEN, AuthenticatieMislukt, voeg_gebruiker_toe
from kbi_exchange.services.websessies import meld_aan, meld_af, open_sessie, wie
from tests.fakes import FakeGebruikers

WACHTWOORD = "correct horse battery"
NU = datetime(2026, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def mensen() -> FakeGebruikers:
    mensen = FakeGebruikers(Node.VSB)
    voeg_gebruiker_toe(
        door=Actor.os_account(Node.VSB, "test"),
        uow=mensen,
        naam="zoe",
        rol="zorgkas-handler",
        zorgkas="CM",
        wachtwoord=WACHTWOORD,
        nu=NU,
    )
    return mensen


def test_a_log_in_opens_a_session_known_by_its_hash_only(mensen: FakeGebruikers) -> None:
    token, gebruiker = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    assert gebruiker.zorgkas == "CM"
    assert len(token) >= 43  # 256 bits, url-safe
    assert list(mensen.bewaarde_sessies) == [token_hash(token)]
    assert token not in repr(mensen.bewaarde_sessies)
    assert wie(uow=mensen, token=token, nu=NU + timedelta(minutes=5)) == gebruiker


def test_a_wrong_password_opens_nothing_and_locks_after_the_limit(mensen: FakeGebruikers) -> None:
    for _ in range(MAX_POGINGEN):
        with pytest.raises(AuthenticatieMislukt):
            meld_aan(uow=mensen, naam="zoe", wachtwoord="wrong password!", nu=NU)
    # locked now: even the right password is refused, with the same message
    with pytest.raises(AuthenticatieMislukt, match="authentication failed for zoe"):
        meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    assert mensen.bewaarde_sessies == {}


def test_a_session_ends_at_log_out_when_idle_and_when_old(mensen: FakeGebruikers) -> None:
    token, _ = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    meld_af(uow=mensen, token=token)
    assert wie(uow=mensen, token=token, nu=NU) is None

    token, _ = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    assert wie(uow=mensen, token=token, nu=NU + INACTIEF) is not None  # at the limit
    assert wie(uow=mensen, token=token, nu=NU + 2 * INACTIEF + timedelta(seconds=1)) is None
    assert mensen.bewaarde_sessies == {}  # the idle one is gone, not only refused

    # used every 20 minutes, a session still ends after HOOGSTENS
    token, _ = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    moment = NU
    while moment + timedelta(minutes=20) <= NU + HOOGSTENS:
        moment += timedelta(minutes=20)
        assert wie(uow=mensen, token=token, nu=moment) is not None
    assert wie(uow=mensen, token=token, nu=NU + HOOGSTENS + timedelta(minutes=1)) is None


def test_a_session_of_a_person_gone_ends(mensen: FakeGebruikers) -> None:
    token, _ = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    mensen.bewaard.clear()
    assert wie(uow=mensen, token=token, nu=NU) is None
    assert mensen.bewaarde_sessies == {}


@pytest.mark.parametrize("token", [None, "", "x" * 129, "not-a-token", "' OR 1=1 --"])
def test_junk_tokens_find_no_one_and_change_nothing(mensen: FakeGebruikers, token: str) -> None:
    meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    voor = dict(mensen.bewaarde_sessies)
    assert wie(uow=mensen, token=token, nu=NU) is None
    meld_af(uow=mensen, token=token)
    assert mensen.bewaarde_sessies == voor


def test_an_identity_provider_opens_a_session_for_known_people_only(
    mensen: FakeGebruikers,
) -> None:
    token = open_sessie(uow=mensen, naam="zoe", via="oidc", nu=NU)
    assert wie(uow=mensen, token=token, nu=NU) is not None
    assert next(iter(mensen.bewaarde_sessies.values())).via == "oidc"
    with pytest.raises(AuthenticatieMislukt):
        open_sessie(uow=mensen, naam="someone-else", via="oidc", nu=NU)


def test_stale_sessions_are_cleared_when_someone_logs_in(mensen: FakeGebruikers) -> None:
    oud, _ = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=NU)
    later = NU + HOOGSTENS + timedelta(hours=1)
    nieuw, _ = meld_aan(uow=mensen, naam="zoe", wachtwoord=WACHTWOORD, nu=later)
    assert set(mensen.bewaarde_sessies) == {token_hash(nieuw)}
    assert oud != nieuw
