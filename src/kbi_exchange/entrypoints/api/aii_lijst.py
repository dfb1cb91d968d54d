"""The yearly list pulled by VSB (SPEC §8.4): the delivered `.p7m` of a year, audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import Request, Response

from kbi_exchange.bootstrap import aii_uow
from kbi_exchange.domain.fouten import Forbidden, KbiFout
from kbi_exchange.domain.protocol import GeenWettelijkeContext
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.entrypoints.api.aii_kern import AiiKern, actor_van
from kbi_exchange.entrypoints.api.http import (
    fout_antwoord,
)
from kbi_exchange.entrypoints.api.http import json_antwoord as _json
from kbi_exchange.services.bericht import weigering
from kbi_exchange.services.lijst_levering import haal_lijst_op


class LijstRoutes(AiiKern):
    """`GET /api/v1/lijsten/{jaar}`."""

    # --- the yearly list --------------------------------------------------------------------

    async def lijst(self, jaar: int, request: Request) -> Response:
        """The delivered yearly list of ``jaar`` as its ``.p7m`` (SPEC §8.4), audited."""
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        if not 2000 <= jaar <= 9999:
            return _json({"detail": "jaar: a year of four digits"}, 400)
        try:
            bestand = await asyncio.to_thread(
                haal_lijst_op,
                door=actor_van(client),
                uow=aii_uow(self.settings),
                jaar=jaar,
                nu=datetime.now(UTC),
            )
        except Forbidden as fout:  # the protocol's state (40001), or not its purpose (40006)
            code = (
                Code.GEEN_WETTELIJKE_CONTEXT
                if isinstance(fout, GeenWettelijkeContext)
                else Code.AUTORISATIE
            )
            geweigerd = weigering(None, None, None, Uitzondering.fout(code, str(fout)))
            return _json(geweigerd.json(), 403)
        except KbiFout as fout:
            return fout_antwoord(fout)
        return Response(
            bestand.inhoud,
            media_type="application/pkcs7-mime",
            headers={"Content-Disposition": f'attachment; filename="{bestand.naam}"'},
        )
