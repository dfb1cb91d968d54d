"""A per-client rate limit: a token bucket per bearer token, checked before any work is queued."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable


class Begrenzer:
    """Allows ``per_seconde`` requests per client on average, bursts up to ``piek``."""

    def __init__(
        self, per_seconde: float, piek: float, klok: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_seconde = per_seconde
        self.piek = piek
        self._klok = klok
        self._emmers: dict[bytes, tuple[float, float]] = {}
        self._slot = threading.Lock()

    def mag(self, token: str | None, kosten: float = 1.0) -> bool:
        """Take ``kosten`` from the client's bucket; False when it is empty (refuse at once)."""
        sleutel = hashlib.sha256((token or "").encode()).digest()[:16]
        nu = self._klok()
        with self._slot:
            inhoud, toen = self._emmers.get(sleutel, (self.piek, nu))
            inhoud = min(self.piek, inhoud + (nu - toen) * self.per_seconde)
            if inhoud < kosten:
                self._emmers[sleutel] = (inhoud, nu)
                return False
            self._emmers[sleutel] = (inhoud - kosten, nu)
            return True
