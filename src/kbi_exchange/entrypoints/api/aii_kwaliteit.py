"""Data quality over the API (art. 7): VSB's reports, their status, the rectifications of
earlier answers; and what AII owes VSB past its deadlines."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response

from kbi_exchange.adapters import strict_json
from kbi_exchange.bootstrap import aii_uow
from kbi_exchange.domain.client import Client
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.protocol import GeenWettelijkeContext
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.entrypoints.api.aii_kern import (
    MAX_MELDING,
    MAX_SEQ,
    RECTIFICATIES_KOST,
    AiiKern,
    actor_van,
    overbelast,
)
from kbi_exchange.entrypoints.api.http import (
    fout_antwoord,
    lees_begrensd,
)
from kbi_exchange.entrypoints.api.http import json_antwoord as _json
from kbi_exchange.services import incidenten, kwaliteit
from kbi_exchange.services.bericht import weigering


class KwaliteitRoutes(AiiKern):
    """The data-quality routes and the overdue count."""

    # --- data quality (art. 7) -------------------------------------------------------------

    async def _client_en_body(self, request: Request) -> tuple[Client, Any] | Response:
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        if not self.begrenzer.allow(client.id):
            return overbelast()
        ruw = await lees_begrensd(request, MAX_MELDING)
        if ruw is None:
            return _json({"detail": f"the body is larger than {MAX_MELDING} bytes"}, 413)
        try:
            return client, strict_json.loads(ruw) if ruw else None
        except strict_json.JsonError as fout:
            return _json({"detail": f"the body: {fout}"}, 400)

    async def melding(self, request: Request) -> Response:
        """A data-quality report of VSB about a person's data: 201 with its id and due date."""
        gelezen = await self._client_en_body(request)
        if isinstance(gelezen, Response):
            return gelezen
        client, body = gelezen
        if not isinstance(body, dict):
            return _json({"detail": "expected an object with insz and omschrijving"}, 400)
        onbekend = sorted(set(body) - {"id", "insz", "omschrijving", "referte"})
        if onbekend:
            return _json({"detail": f"unknown fields: {', '.join(onbekend)}"}, 400)
        nu = datetime.now(UTC)
        try:
            melding, nieuw = await asyncio.to_thread(
                lambda: kwaliteit.ontvang(
                    door=actor_van(client),
                    uow=aii_uow(self.settings),  # made in the thread: the first checks the schema
                    insz=body.get("insz"),
                    omschrijving=body.get("omschrijving"),
                    referte=body.get("referte"),
                    nu=nu,
                    melding_id=body.get("id"),
                )
            )
        except KbiFout as fout:
            return fout_antwoord(fout)
        return _json(melding.json(nu, met_insz=False), 201 if nieuw else 200)

    async def melding_status(self, melding_id: str, request: Request) -> Response:
        """A report the caller sent: its status, due date and, once closed, AII's finding."""
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        nu = datetime.now(UTC)
        try:
            melding = await asyncio.to_thread(
                lambda: kwaliteit.status_voor(
                    door=actor_van(client),
                    uow=aii_uow(self.settings),
                    melding_id=melding_id[:36],
                    nu=nu,
                )
            )
        except KbiFout as fout:
            return fout_antwoord(fout)
        return _json(melding.json(nu, met_insz=False))

    async def rectificaties(self, request: Request, na: int = 0) -> Response:
        """The caller's rectifications of F1 answers after sequence number ``na``, oldest
        first, each audited before it leaves; ``volgende`` is the ``na`` of the next call."""
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        if not 0 <= na <= MAX_SEQ:
            return _json({"detail": f"na: a sequence number from 0 to {MAX_SEQ}"}, 400)
        # each fetch may audit up to MAX_PER_KEER rows: it costs accordingly
        if not self.begrenzer.allow(client.id, cost=RECTIFICATIES_KOST):
            return overbelast()
        try:
            gevonden, volgende = await asyncio.to_thread(
                lambda: kwaliteit.haal_rectificaties(
                    door=actor_van(client),
                    uow=aii_uow(self.settings),
                    na=na,
                    nu=datetime.now(UTC),
                )
            )
        except GeenWettelijkeContext as fout:
            geweigerd = weigering(
                None, None, None, Uitzondering.fout(Code.GEEN_WETTELIJKE_CONTEXT, str(fout))
            )
            return _json(geweigerd.json(), 403)
        except KbiFout as fout:
            return fout_antwoord(fout)
        return _json(
            {
                "rectificaties": [{**r.json(), "seq": seq} for seq, r in gevonden],
                "volgende": volgende,
            }
        )

    async def waarschuwingen(self, request: Request) -> Response:
        """What AII owes VSB and has not done in time (a client of AII's, VSB, asks): its
        incident notifications and data-quality reports past their deadlines, counted."""
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        if not self.begrenzer.allow(client.id):
            return overbelast()
        nu = datetime.now(UTC)

        def tel() -> dict[str, int]:
            werk = aii_uow(self.settings)
            return {
                "incidenten": incidenten.aantal_achterstallig(uow=werk, nu=nu),
                "meldingen": len(kwaliteit.achterstallig(uow=werk, nu=nu)),
            }

        return _json({"achterstallig": await asyncio.to_thread(tel)})
