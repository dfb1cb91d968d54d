"""Who is asking, decided before any work is queued (SPEC §7, §11).

A machine client's bearer token is checked against the active clients, which are read from the
database again when they are older than `max_age` seconds (a revoked token stops working within
that time) or, for a token not among them, older than `min_age` (a client just added works
within that time). However many unknown tokens arrive, they cause at most one read of the client
table per `min_age`, and never reach the writer, the database's write path, or a rate-limit
bucket of their own. Failed authentications are limited per source address and
counted, then recorded as one aggregated security event per address and window.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime

from kbi_exchange.domain.client import Client, FailedAuthentications
from kbi_exchange.services.clients import token_hash


class ClientRegister:
    """The active clients by token hash, refreshed when older than ``max_age`` seconds.

    ``load`` reads them (in a thread: it is database I/O); one refresh runs at a time, and a
    failed refresh raises, so that a database that cannot be read is never taken for a
    register without revocations.
    """

    def __init__(
        self,
        load: Callable[[], Awaitable[dict[str, Client]]],
        *,
        max_age: float = 1.0,
        min_age: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._max_age = max_age
        self._min_age = min_age
        self._clock = clock
        self._clients: dict[str, Client] = {}
        self._loaded_at: float | None = None
        self._refreshing: asyncio.Task[None] | None = None

    async def authenticate(self, token: str | None) -> Client | None:
        """The active client holding ``token``, or None."""
        if self._loaded_at is None or self._clock() - self._loaded_at > self._max_age:
            await self.refresh()
        if not token:
            return None
        wanted = token_hash(token)
        client = self._clients.get(wanted)
        stale = self._loaded_at is None or self._clock() - self._loaded_at > self._min_age
        if client is None and stale:
            await self.refresh()
            client = self._clients.get(wanted)
        # the lookup was by hash; compare again in constant time, as with any secret
        if client is None or not hmac.compare_digest(client.token_sha256, wanted):
            return None
        return client

    async def refresh(self) -> None:
        task = self._refreshing
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            task = self._refreshing = asyncio.get_running_loop().create_task(self._reload())
        await asyncio.shield(task)

    async def _reload(self) -> None:
        started = self._clock()
        self._clients = await self._load()
        self._loaded_at = started


class AuthenticationGuard:
    """Limits failed authentications per source address, and counts them for the audit log.

    Each address has a token bucket of ``burst`` failures refilled at ``per_second``; when it
    is empty, the address is refused before its credentials are looked at. At most
    ``max_addresses`` addresses are tracked (the least recently seen goes first; its count
    is then reported early), so that a flood from many addresses cannot grow memory.
    """

    OTHER = "*"

    def __init__(
        self,
        *,
        burst: float,
        per_second: float,
        window: float,
        now: Callable[[], datetime],
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self.window = window
        self._now = now
        self._clock = clock
        self._max = max_addresses
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        # address → (count, first, last, window start on the monotonic clock)
        self._counts: OrderedDict[str, tuple[int, datetime, datetime, float]] = OrderedDict()
        self._early: list[FailedAuthentications] = []

    def blocked(self, address: str) -> bool:
        """Whether the address has used up its failures for now."""
        level = self._level(address)
        return level < 1.0

    def _level(self, address: str) -> float:
        level, then = self._buckets.get(address, (self.burst, self._clock()))
        return min(self.burst, level + (self._clock() - then) * self.per_second)

    def failed(self, address: str) -> None:
        """Count one failed authentication from ``address``."""
        now_mono = self._clock()
        self._buckets[address] = (max(0.0, self._level(address) - 1.0), now_mono)
        self._buckets.move_to_end(address)
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        moment = self._now()
        count, first, _, started = self._counts.pop(address, (0, moment, moment, now_mono))
        self._counts[address] = (count + 1, first, moment, started)
        while len(self._counts) > self._max:
            gone, (n, eerste, laatste, _) = self._counts.popitem(last=False)
            self._early.append(FailedAuthentications(gone, n, eerste, laatste))

    def due(self, *, everything: bool = False) -> list[FailedAuthentications]:
        """The events whose window has ended (``everything``: all, e.g. at shut-down)."""
        now_mono = self._clock()
        events, self._early = self._early, []
        for address, (count, first, last, started) in list(self._counts.items()):
            if everything or now_mono - started >= self.window:
                del self._counts[address]
                events.append(FailedAuthentications(address, count, first, last))
        return events
