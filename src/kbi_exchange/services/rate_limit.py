"""A rate limit per authenticated client: a token bucket, checked before any work is queued."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Allows ``per_second`` questions per client on average, bursts up to ``burst``.

    Buckets are kept per client id — only authenticated callers get one, so their number is
    bounded by the number of registered clients, whatever arrives.
    """

    def __init__(
        self, per_second: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client_id: str, cost: float = 1.0) -> bool:
        """Take ``cost`` from the client's bucket; False when it holds less (refuse at once)."""
        now = self._clock()
        level, then = self._buckets.get(client_id, (self.burst, now))
        level = min(self.burst, level + (now - then) * self.per_second)
        if level < cost:
            self._buckets[client_id] = (level, now)
            return False
        self._buckets[client_id] = (level - cost, now)
        return True
