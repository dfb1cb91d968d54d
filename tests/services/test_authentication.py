"""Authentication before the writer (SPEC §7): the client register and the per-address guard."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.client import Client
from kbi_exchange.services.authentication import AuthenticationGuard, ClientRegister
from kbi_exchange.services.clients import token_hash

MOMENT = datetime(2026, 1, 15, tzinfo=UTC)


class Klok:
    def __init__(self) -> None:
        self.nu = 0.0

    def __call__(self) -> float:
        return self.nu


def _client(token: str) -> Client:
    return Client("c-1", "vsb", frozenset({Doel.ZORGBUDGET}), "VSB", token_hash(token))


def test_a_revoked_token_stops_working_within_max_age_and_unknown_ones_cost_few_reads() -> None:
    klok = Klok()
    actief = {token_hash("goed"): _client("goed")}
    gelezen = 0

    async def laad() -> dict[str, Client]:
        nonlocal gelezen
        gelezen += 1
        return dict(actief)

    register = ClientRegister(laad, max_age=1.0, min_age=0.25, clock=klok)

    async def scenario() -> None:
        assert await register.authenticate("goed") is not None
        for i in range(1_000):  # a flood of unknown tokens within one moment
            assert await register.authenticate(f"random-{i}") is None
        assert gelezen == 1
        actief.clear()  # revoked
        klok.nu = 0.5
        assert await register.authenticate("goed") is not None  # within max_age: still known
        klok.nu = 1.01
        assert await register.authenticate("goed") is None
        assert gelezen == 2

    asyncio.run(scenario())


def test_a_client_added_a_moment_ago_is_known_after_min_age() -> None:
    klok = Klok()
    actief: dict[str, Client] = {}

    async def laad() -> dict[str, Client]:
        return dict(actief)

    register = ClientRegister(laad, max_age=1.0, min_age=0.25, clock=klok)

    async def scenario() -> None:
        assert await register.authenticate("nieuw") is None
        actief[token_hash("nieuw")] = _client("nieuw")
        klok.nu = 0.3
        assert await register.authenticate("nieuw") is not None

    asyncio.run(scenario())


def test_an_address_past_its_burst_is_blocked_and_refills_at_its_rate() -> None:
    klok = Klok()
    wacht = AuthenticationGuard(burst=3, per_second=1, window=60, now=lambda: MOMENT, clock=klok)
    for _ in range(3):
        assert not wacht.blocked("10.0.0.1")
        wacht.failed("10.0.0.1")
    assert wacht.blocked("10.0.0.1")
    assert not wacht.blocked("10.0.0.2")
    klok.nu = 1.0
    assert not wacht.blocked("10.0.0.1")


def test_failures_are_reported_once_per_address_and_window() -> None:
    klok = Klok()
    wacht = AuthenticationGuard(burst=5, per_second=1, window=60, now=lambda: MOMENT, clock=klok)
    for _ in range(7):
        wacht.failed("10.0.0.1")
    wacht.failed("10.0.0.2")
    assert wacht.due() == []
    klok.nu = 60
    assert sorted((g.address, g.count) for g in wacht.due()) == [("10.0.0.1", 7), ("10.0.0.2", 1)]
    assert wacht.due() == []


def test_many_addresses_cannot_grow_the_guard_beyond_its_bound() -> None:
    wacht = AuthenticationGuard(
        burst=5, per_second=1, window=60, now=lambda: MOMENT, clock=Klok(), max_addresses=100
    )
    for i in range(10_000):
        wacht.failed(f"10.0.{i // 256}.{i % 256}")
    gebeurtenissen = wacht.due(everything=True)
    assert sum(g.count for g in gebeurtenissen) == 10_000
    assert len(wacht._buckets) <= 100
