"""The zorgkas API (SPEC §9): applications of a fund's own members, the check, their
messages, their members on the yearly list and their file — each look audited."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request, Response

from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Node
from kbi_exchange.entrypoints.api.http import (
    json_antwoord,
)
from kbi_exchange.entrypoints.api.vsb_kern import (
    BERICHTEN_KOST,
    PREFIX,
    VsbKern,
    dag_uit,
    fout_json,
    te_druk,
)
from kbi_exchange.schemas import zorgkas_codes
from kbi_exchange.services import aanvragen, verdeling, vsb_kwaliteit


class ZorgkasRoutes(VsbKern):
    """The routes under `/api/v1/zorgkas`."""

    async def advies(self, _: Request) -> Response:
        """Gone: a question to AII belongs to a recorded application (protocol art. 3), so a
        zorgkas learns AII's answer through `POST /api/v1/zorgkas/aanvragen` only."""
        return fout_json(
            "gone: a question to AII belongs to a care-budget application; record it with "
            f"POST {PREFIX}/aanvragen and read AII's answer there",
            410,
        )

    async def aanvraag_toevoegen(self, request: Request) -> Response:
        """Record an application for this zorgkas: AII asked (not for under-18s), decided."""
        client = await self._client(request)
        if isinstance(client, Response):
            return client
        velden = await self._lees(request, ("insz", "opening"))
        if isinstance(velden, Response):
            return velden
        opening = dag_uit("opening", velden["opening"])
        if isinstance(opening, str):
            return fout_json(opening, 400)
        aanvraag = await self._met_aii(
            lambda: aanvragen.dien_in(
                uow=uow(self.settings, Node.VSB),
                bron=self._bron_(),
                insz=velden["insz"],
                opening=opening,
                zorgkas=str(client.zorgkas),
                zorgkassen=zorgkas_codes(),
                door=self._actor(client),
                nu=lambda: datetime.now(UTC),
            )
        )
        if isinstance(aanvraag, Response):
            return aanvraag
        return json_antwoord(self._aanvraag(aanvraag), 201)

    async def aanvragen(self, request: Request) -> Response:
        """This zorgkas's applications, oldest first; ``?wachtend=true``: undecided only."""
        client = await self._client(request)
        if isinstance(client, Response):
            return client
        wachtend = request.query_params.get("wachtend", "false").lower()
        if wachtend not in ("true", "false"):
            return fout_json("'wachtend': true or false", 400)
        gevonden = await self._in_draad(
            lambda: aanvragen.overzicht(
                uow=uow(self.settings, Node.VSB),
                zorgkas=None,
                onbeslist=wachtend == "true",
                door=self._actor(client),
                nu=datetime.now(UTC),
            )
        )
        if isinstance(gevonden, Response):
            return gevonden
        return json_antwoord({"aanvragen": [self._aanvraag(a) for a in gevonden]})

    async def berichten(self, request: Request) -> Response:
        """This zorgkas's messages: decisions rectified after AII corrected its data."""
        client = await self._client(request)
        if isinstance(client, Response):
            return client
        if not self.begrenzer.allow(client.id, cost=BERICHTEN_KOST):
            return te_druk()
        gevonden = await self._in_draad(
            lambda: vsb_kwaliteit.berichten(
                uow=uow(self.settings, Node.VSB),
                door=self._actor(client),
                nu=datetime.now(UTC),
            )
        )
        if isinstance(gevonden, Response):
            return gevonden
        return json_antwoord({"berichten": [b.json() for b in gevonden]})

    async def aanvraag(self, aanvraag_id: str, request: Request) -> Response:
        """One of this zorgkas's applications: AII's answer, the decision, the letter."""
        client = await self._client(request)
        if isinstance(client, Response):
            return client
        gevonden = await self._in_draad(
            lambda: aanvragen.toon(
                uow=uow(self.settings, Node.VSB),
                aanvraag_id=aanvraag_id[:64],
                door=self._actor(client),
                nu=datetime.now(UTC),
            )
        )
        if isinstance(gevonden, Response):
            return gevonden
        return json_antwoord(self._aanvraag(gevonden))

    async def lijst(self, jaar: int, request: Request) -> Response:
        """This zorgkas's members on the list of a year, and the files it was sent."""
        client = await self._client(request)
        if isinstance(client, Response):
            return client
        if not 2000 <= jaar <= 9999:
            return fout_json("jaar: a year of four digits", 400)
        gevonden = await self._in_draad(
            lambda: verdeling.leden_op_lijst(
                uow=uow(self.settings, Node.VSB),
                jaar=jaar,
                door=self._actor(client),
                nu=datetime.now(UTC),
            )
        )
        if isinstance(gevonden, Response):
            return gevonden
        inszen, zendingen = gevonden
        return json_antwoord(
            {
                "jaar": jaar,
                "zorgkas": client.zorgkas,
                "inszen": inszen,
                "bestanden": [z.json() for z in zendingen],
            }
        )

    async def bestand(self, zending_id: str, request: Request) -> Response:
        """One of this zorgkas's files, as sent: CMS, signed by VSB, encrypted for it."""
        client = await self._client(request)
        if isinstance(client, Response):
            return client
        gevonden = await self._in_draad(
            lambda: verdeling.zending_bestand(
                uow=uow(self.settings, Node.VSB),
                zending_id=zending_id[:64],
                door=self._actor(client),
                nu=datetime.now(UTC),
            )
        )
        if isinstance(gevonden, Response):
            return gevonden
        zending, inhoud = gevonden
        return Response(
            inhoud,
            media_type="application/pkcs7-mime",
            headers={"Content-Disposition": f'attachment; filename="{zending.bestand_naam}"'},
        )

    # --- transparency -------------------------------------------------------------------

    # --- liveness and health ----------------------------------------------------------------
