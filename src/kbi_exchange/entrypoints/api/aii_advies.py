"""The advice over REST (SPEC §7): one question, or a batch of up to 10 000 answered in order."""

from __future__ import annotations

import asyncio

from fastapi import Request, Response

from kbi_exchange.adapters import strict_json
from kbi_exchange.entrypoints.api.aii_kern import (
    MAX_BATCH,
    MAX_VRAAG,
    AiiKern,
    Overbelast,
    als_batch,
    batch_vragen,
    geen_json,
    http_status,
    ongeldig,
    overbelast,
    te_groot,
)
from kbi_exchange.entrypoints.api.http import json_antwoord as _json
from kbi_exchange.entrypoints.api.http import (
    lees_begrensd,
)
from kbi_exchange.services.bericht import Kanaal


class AdviesRoutes(AiiKern):
    """`POST /api/v1/advies` and `/api/v1/advies/batch`."""

    # --- REST -----------------------------------------------------------------------------

    async def advies(self, request: Request) -> Response:
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        ruw = await lees_begrensd(request, MAX_VRAAG)
        if ruw is None:
            return te_groot(MAX_VRAAG)
        try:
            vraag: object = strict_json.loads(ruw)
        except strict_json.JsonError as fout:
            return ongeldig(geen_json(fout))
        if not self.begrenzer.allow(client.id):
            return overbelast()
        try:
            berichten = await self._beantwoord(client, [vraag], Kanaal.REST)
        except Overbelast:
            return overbelast()
        return _json(berichten[0].json(), http_status(berichten[0]))

    async def batch(self, request: Request) -> Response:
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return als_batch(client)
        ruw = await lees_begrensd(request, MAX_BATCH)
        if ruw is None:
            return als_batch(te_groot(MAX_BATCH))
        vragen = await asyncio.to_thread(batch_vragen, ruw)
        if isinstance(vragen, str):
            return als_batch(ongeldig(vragen))
        if not self.begrenzer.allow(client.id, cost=max(1, len(vragen))):
            return als_batch(overbelast())
        try:
            berichten = await self._beantwoord(client, vragen, Kanaal.REST)
        except Overbelast:
            return als_batch(overbelast())
        return _json({"antwoorden": [b.json() for b in berichten], "uitzonderingen": []})
