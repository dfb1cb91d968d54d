"""What both nodes publish without log-in (SPEC §12, art. 10): the protocol's summary and the
state this node's own record gives it, read at most every `GELDIG` seconds, one read at a
time however many ask, off the event loop."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response

from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.transparantie import transparantie
from kbi_exchange.entrypoints.api.http import json_antwoord
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services import protocol
from kbi_exchange.settings import Settings

GELDIG = 2.0


class Transparantie:
    """``GET /api/v1/protocol`` on one node."""

    def __init__(self, settings: Settings, node: Node) -> None:
        self.settings = settings
        self.node = node
        self._gelezen: tuple[float, dict[str, Any] | None] | None = None
        self._taak: asyncio.Task[dict[str, Any] | None] | None = None

    async def __call__(self, _: Request) -> Response:
        """The protocol's public summary and its state now, as this node records it."""
        nu = time.monotonic()
        if self._gelezen is None or nu - self._gelezen[0] > GELDIG:
            taak = self._taak
            if taak is None or taak.done():
                taak = self._taak = asyncio.get_running_loop().create_task(
                    asyncio.to_thread(self._lees)
                )
            self._gelezen = (nu, await asyncio.shield(taak))  # a failure is kept 2 s too
        if self._gelezen[1] is None:
            return json_antwoord({"detail": "temporarily unavailable"}, 503, {"Retry-After": "2"})
        return json_antwoord(self._gelezen[1], headers={"Cache-Control": "max-age=2"})

    def _lees(self) -> dict[str, Any] | None:
        try:
            staat = protocol.status(
                uow=uow(self.settings, self.node),
                definitie=protocol_definitie(),
                nu=datetime.now(UTC),
            )
        except Exception:  # the database cannot be read: say so, name nothing
            return None
        return {**transparantie(protocol_definitie(), staat), "node": self.node.value}
