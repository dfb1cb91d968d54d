"""The advice as a MAGDA-style SOAP 1.1 service: the message, its WSDL and XSD."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import Request, Response

from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.entrypoints.api.aii_kern import (
    NIET_AANGEMELD,
    OVERBELAST,
    SOAP_PAD,
    XML,
    AiiKern,
    Overbelast,
)
from kbi_exchange.entrypoints.api.http import (
    lees_begrensd,
)
from kbi_exchange.entrypoints.soap.service import (
    MAX_BERICHT,
    NAAM,
    Afzender,
    Fout,
    SoapVerzoek,
    fault,
    ontleed,
    repliek,
    wsdl_tekst,
    xsd_tekst,
)
from kbi_exchange.services.advies import VerzoekGeweigerd
from kbi_exchange.services.bericht import Bericht, Kanaal


class SoapRoutes(AiiKern):
    """The SOAP operation and its WSDL; a refusal is an uitzondering in a 200 reply."""

    # --- SOAP -----------------------------------------------------------------------------

    async def soap(self, request: Request) -> Response:
        actie = request.headers.get("soapaction")
        if actie is not None and actie.strip('"') != NAAM:
            return Response(fault(f"unknown SOAPAction {actie[:60]!r}"), 500, media_type=XML)
        client = await self._aanmelden(request)
        if isinstance(client, Response) and client.status_code == 503:
            return self._soap_repliek(Afzender(None, None, None), None, [OVERBELAST], retry=True)
        ruw = await lees_begrensd(request, MAX_BERICHT)
        if ruw is None:
            return Response(fault(f"message larger than {MAX_BERICHT} bytes"), 500, media_type=XML)
        try:
            verzoek: SoapVerzoek = await asyncio.to_thread(ontleed, ruw)
        except Fout as fout:
            return Response(fault(str(fout)), 500, media_type=XML)
        if isinstance(client, Response):  # not authenticated: counted, never audited one by one
            return self._soap_repliek(verzoek.vrager, None, [NIET_AANGEMELD])
        weigeren = None
        if verzoek.schemafout is not None:
            weigeren = Uitzondering.fout(Code.ONGELDIGE_VRAAG, verzoek.schemafout)
        elif verzoek.vrager.identificatie != client.afzender:
            weigeren = Uitzondering.fout(
                Code.AFZENDER_ONJUIST,
                "De Afzender in de Context komt niet overeen met de geregistreerde client.",
            )
        try:
            if weigeren is not None:
                await self._via_schrijver(VerzoekGeweigerd(client, weigeren, Kanaal.SOAP))
                return self._soap_repliek(verzoek.vrager, None, [weigeren])
            # a message holds up to 100 questions: each counts against the client's rate
            if not self.begrenzer.allow(client.id, cost=max(1, len(verzoek.vragen))):
                raise Overbelast
            antwoorden = await self._beantwoord(client, list(verzoek.vragen), Kanaal.SOAP)
        except Overbelast:
            return self._soap_repliek(verzoek.vrager, None, [OVERBELAST], retry=True)
        return self._soap_repliek(verzoek.vrager, antwoorden, [])

    def _soap_repliek(
        self,
        vrager: Afzender,
        antwoorden: list[Bericht] | None,
        uitzonderingen: list[Uitzondering],
        *,
        retry: bool = False,
    ) -> Response:
        """A 200 reply: a refusal is an uitzondering in it (a Fault only for bad messages)."""
        antwoord = repliek(
            eigen_identificatie=self.settings.aii_identification,
            vrager=vrager,
            nu=datetime.now(UTC),
            antwoorden=antwoorden,
            uitzonderingen=uitzonderingen,
        )
        return Response(
            antwoord, 200, media_type=XML, headers={"Retry-After": "1"} if retry else None
        )

    def wsdl(self, request: Request) -> Response:
        if "xsd" in request.query_params:
            return Response(xsd_tekst(), media_type=XML)
        # the published address comes from the settings, never from the caller's Host header
        return Response(wsdl_tekst(self.settings.public_url + SOAP_PAD), media_type=XML)
