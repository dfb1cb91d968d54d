"""Carries a notification to the other party's node over its API (SPEC §12): an incident
(`POST /api/v1/incidenten`), a step in the protocol's life (`POST /api/v1/protocol/stappen`),
a change of processors (`POST /api/v1/verwerkers`), each either way, or an onward recipient
(`POST /api/v1/ontvangers`, VSB to AII), as CMS SignedData signed with this party's key, so
the receiver knows who sent it without a token of its own."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import PartijOnbereikbaar, PartijWeigert

INCIDENTEN = "/api/v1/incidenten"
ONTVANGERS = "/api/v1/ontvangers"
STAPPEN = "/api/v1/protocol/stappen"
VERWERKERS = "/api/v1/verwerkers"
MEDIA = "application/pkcs7-mime"


class PartyMessenger:
    def __init__(
        self,
        url: str,
        pki: Pki,
        afzender: Node,
        pad: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.pki = pki
        self.afzender = afzender
        self.pad = pad
        self.timeout = timeout
        self.transport = transport

    def stuur(self, melding: dict[str, Any]) -> dict[str, Any]:
        """Sign and send; the receiver's JSON answer (its id, and what it recorded)."""
        ondertekend = cms.sign(
            orjson.dumps(melding),
            self.pki.certificaat(self.afzender.value),
            self.pki.sleutel(self.afzender.value),
        )
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                antwoord = http.post(
                    self.url + self.pad, content=ondertekend, headers={"Content-Type": MEDIA}
                )
        except httpx.HTTPError as fout:
            raise PartijOnbereikbaar(
                f"the other party's node at {self.url} did not answer ({type(fout).__name__}); "
                "the notification is still to be sent"
            ) from None
        if antwoord.status_code not in (200, 201):
            try:
                body = antwoord.json()
            except ValueError:
                body = None
            waarom = str(body.get("detail", "")) if isinstance(body, dict) else ""
            if antwoord.status_code in (400, 409, 422):  # read and refused: for good
                raise PartijWeigert(
                    f"the other party's node refused it for good (HTTP {antwoord.status_code}"
                    f"{': ' + waarom if waarom else ''})"
                )
            raise PartijOnbereikbaar(
                f"the other party's node refused the notification (HTTP "
                f"{antwoord.status_code}{': ' + waarom if waarom else ''}); it is still to be sent"
            )
        try:
            body = antwoord.json()
        except ValueError:
            body = None
        return body if isinstance(body, dict) else {}
