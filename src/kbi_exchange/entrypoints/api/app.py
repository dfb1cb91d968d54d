"""The FastAPI application of the AII node: REST, batch and SOAP parse and render here only.

Every request is authenticated before any work is queued (`services.authentication`); the
questions of an authenticated client go to the advice service in the group-commit writer
(`adapters.group_commit`), whose answers come back only after their audit entries committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import request_response

from kbi_exchange import __version__
from kbi_exchange.adapters import strict_json
from kbi_exchange.adapters.group_commit import WriterBusy, WriterUnavailable
from kbi_exchange.bootstrap import advies_schrijver, aii_uow, database_gereed, keys
from kbi_exchange.domain.access import Actor, Node, client_permissies
from kbi_exchange.domain.client import Client
from kbi_exchange.domain.fouten import Forbidden, KbiFout
from kbi_exchange.domain.protocol import GeenWettelijkeContext
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.entrypoints.api.http import (
    BodyNotReceived,
    body_not_received,
    fout_antwoord,
    lees_begrensd,
)
from kbi_exchange.entrypoints.api.http import adres as _adres
from kbi_exchange.entrypoints.api.http import bearer_token as _token
from kbi_exchange.entrypoints.api.http import json_antwoord as _json
from kbi_exchange.entrypoints.api.incidenten import PartijOntvanger
from kbi_exchange.entrypoints.api.openbaar import Transparantie
from kbi_exchange.entrypoints.api.schemas import (
    AdviesAntwoord,
    AdviesVraag,
    BatchAntwoord,
    BatchVraag,
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
from kbi_exchange.services import incidenten, kwaliteit
from kbi_exchange.services.advies import (
    Bericht,
    Kanaal,
    MislukteAanmeldingen,
    Opdracht,
    VerzoekGeweigerd,
    Vragen,
    weigering,
)
from kbi_exchange.services.authentication import AuthenticationGuard, ClientRegister
from kbi_exchange.services.clients import actieve_clients
from kbi_exchange.services.lijst_levering import haal_lijst_op
from kbi_exchange.services.rate_limit import RateLimiter
from kbi_exchange.settings import Settings

XML = "text/xml; charset=utf-8"
SOAP_PAD = "/soap/GeefAdviesInburgeringsplicht"

MAX_VRAAG = 64 * 1024
MAX_BATCH = 4 * 2**20
MAX_VRAGEN = 10_000
MAX_MELDING = 16 * 1024
MAX_SEQ = 2**63 - 1  # the largest sequence number a database column holds
RECTIFICATIES_KOST = 100  # tokens of the client's bucket per fetch of rectifications
# A batch goes to the writer in parts of this many questions, at most this many at a time: a
# 10 000-question batch then shares the writer with every other caller instead of holding it.
DEEL = 250
DELEN_TEGELIJK = 2
# How long a health report is reused: a flood of health checks costs nothing.
HEALTH_GELDIG = 2.0

log = logging.getLogger(__name__)

# One place maps a refusal to its HTTP status (SPEC §7); an answer, also with a warning, is 200.
HTTP_STATUS: dict[Code, int] = {
    Code.INSZ_ONGELDIG: 400,
    Code.ONGELDIGE_VRAAG: 400,
    Code.GEEN_WETTELIJKE_CONTEXT: 403,
    Code.AUTORISATIE: 403,
    Code.BRON_ONBESCHIKBAAR: 503,
}
OVERBELAST = Uitzondering.fout(
    Code.BRON_ONBESCHIKBAAR, "De bron is tijdelijk overbelast; probeer later opnieuw."
)
NIET_AANGEMELD = Uitzondering.fout(Code.AUTORISATIE, "Ontbrekende of ongeldige authenticatie.")


def _actor(client: Client) -> Actor:
    """An authenticated machine client as the use cases see it: what its purposes allow."""
    return Actor.client(
        client.naam, Node.AII, beperkt_tot=client_permissies(d.value for d in client.doelen)
    )


class Overbelast(Exception):
    """Answer 99996 at once: the writer's queue is full, or the database cannot be used.

    Not audited: nothing was committed, looked up for the caller or disclosed.
    """


def _status(bericht: Bericht) -> int:
    return HTTP_STATUS.get(bericht.weigering, 200) if bericht.weigering else 200


def _overbelast() -> Response:
    return _json(weigering(None, None, None, OVERBELAST).json(), 503, {"Retry-After": "1"})


def _niet_aangemeld() -> Response:
    return _json(
        weigering(None, None, None, NIET_AANGEMELD).json(),
        401,
        {"WWW-Authenticate": 'Bearer realm="kbi-exchange"'},
    )


def _ongeldig(diagnose: str, status: int = 400) -> Response:
    return _json(
        weigering(None, None, None, Uitzondering.fout(Code.ONGELDIGE_VRAAG, diagnose)).json(),
        status,
    )


def _te_groot(maximum: int) -> Response:
    return _ongeldig(f"Het verzoek is groter dan {maximum} bytes.", 413)


def _als_batch(geweigerd: Response) -> Response:
    """A refusal of a whole batch: no answers, and the uitzondering at batch level."""
    body = orjson.loads(geweigerd.body)
    return _json(
        {"antwoorden": [], "uitzonderingen": body["uitzonderingen"]},
        geweigerd.status_code,
        {
            k: v
            for k, v in geweigerd.headers.items()
            if k.lower() in {"retry-after", "www-authenticate"}
        },
    )


def _geen_json(fout: strict_json.JsonError) -> str:
    """The diagnose (Dutch, as every uitzondering's) of a body that is not strict JSON."""
    if isinstance(fout, strict_json.RepeatedKey):
        return "Het verzoek is ongeldig: een sleutel komt twee keer voor in hetzelfde object."
    return "Het verzoek is geen geldige JSON."


def _batch_vragen(ruw: bytes) -> list[object] | str:
    """The questions of a batch body, or why it is not one (CPU work: off the event loop)."""
    try:
        gelezen: object = strict_json.loads(ruw)
    except strict_json.JsonError as fout:
        return _geen_json(fout)
    vragen = gelezen.get("vragen") if isinstance(gelezen, dict) else None
    if not isinstance(vragen, list) or len(vragen) > MAX_VRAGEN:
        return f"Een batch is een object met 'vragen': een lijst van hoogstens {MAX_VRAGEN}."
    return vragen


class AiiApi:
    """The handlers, on one node's settings and keys. Database writes run in the writer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = keys(settings)
        self.schrijver = advies_schrijver(settings)
        # the unit of work is made in the thread too: the first one checks the schema
        self.clients = ClientRegister(
            lambda: asyncio.to_thread(lambda: actieve_clients(aii_uow(settings)))
        )
        self.wacht = AuthenticationGuard(
            burst=settings.auth_failures_burst,
            per_second=settings.auth_failures_per_second,
            window=settings.security_event_window_seconds,
            now=lambda: datetime.now(UTC),
        )
        self.partij = PartijOntvanger(settings, Node.AII)
        self.begrenzer = RateLimiter(
            settings.advies_per_seconde_per_client, settings.advies_piek_per_client
        )
        self._health: tuple[float, dict[str, str]] | None = None
        self.protocol = Transparantie(settings, Node.AII)
        self._health_taak: asyncio.Task[dict[str, str]] | None = None
        self._melder: asyncio.Task[None] | None = None

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        await self.schrijver.start()
        with contextlib.suppress(Exception):  # an unreadable database is reported per request
            await self.clients.refresh()
        self._melder = asyncio.get_running_loop().create_task(self._meld_periodiek())

    async def stop(self) -> None:
        melder, self._melder = self._melder, None
        if melder is not None:
            melder.cancel()
            if melder.get_loop() is asyncio.get_running_loop():
                with contextlib.suppress(asyncio.CancelledError):
                    await melder
        await self._meld(alles=True)
        await self.schrijver.stop()

    async def _meld_periodiek(self) -> None:
        """Record failed authentications once their window has ended."""
        while True:
            await asyncio.sleep(min(5.0, self.settings.security_event_window_seconds))
            await self._meld()

    async def _meld(self, *, alles: bool = False) -> None:
        gebeurtenissen = [
            *self.wacht.due(everything=alles),
            *self.partij.wacht.due(everything=alles),
        ]
        if not gebeurtenissen:
            return
        try:
            await self.schrijver.ask(MislukteAanmeldingen(tuple(gebeurtenissen)))
        except (WriterBusy, WriterUnavailable) as fout:
            log.warning("security events not recorded: %s", type(fout).__name__)

    # --- shared steps -------------------------------------------------------------------

    async def _aanmelden(self, request: Request) -> Client | Response:
        """The caller's client; else 401, or 99996 for an address past its failures."""
        try:
            client = await self.clients.authenticate(_token(request))
        except Exception:  # the clients cannot be read: the database is unavailable
            return _overbelast()
        if client is not None:
            return client
        adres = _adres(request)
        geblokkeerd = self.wacht.blocked(adres)
        self.wacht.failed(adres)
        return _overbelast() if geblokkeerd else _niet_aangemeld()

    async def _via_schrijver(self, opdracht: Opdracht) -> Any:
        try:
            return await self.schrijver.ask(opdracht)
        except (WriterBusy, WriterUnavailable):
            raise Overbelast from None

    async def _beantwoord(
        self, client: Client, vragen: list[object], kanaal: Kanaal
    ) -> list[Bericht]:
        """Answers in order; a large batch goes in parts that share the writer with others."""
        delen = [tuple(vragen[i : i + DEEL]) for i in range(0, len(vragen), DEEL)] or [()]
        if len(delen) == 1:
            return list(await self._via_schrijver(Vragen(client, delen[0], kanaal)))
        uitkomsten: list[list[Bericht]] = [[] for _ in delen]
        tegelijk = asyncio.Semaphore(DELEN_TEGELIJK)

        async def deel(i: int) -> None:
            async with tegelijk:
                uitkomsten[i] = await self._via_schrijver(Vragen(client, delen[i], kanaal))

        # Parts already answered stay recorded if a later one fails: a retry with the same
        # refertes gets their stored answers.
        await asyncio.gather(*(deel(i) for i in range(len(delen))))
        return [bericht for deel_ in uitkomsten for bericht in deel_]

    # --- REST -----------------------------------------------------------------------------

    async def advies(self, request: Request) -> Response:
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        ruw = await lees_begrensd(request, MAX_VRAAG)
        if ruw is None:
            return _te_groot(MAX_VRAAG)
        try:
            vraag: object = strict_json.loads(ruw)
        except strict_json.JsonError as fout:
            return _ongeldig(_geen_json(fout))
        if not self.begrenzer.allow(client.id):
            return _overbelast()
        try:
            berichten = await self._beantwoord(client, [vraag], Kanaal.REST)
        except Overbelast:
            return _overbelast()
        return _json(berichten[0].json(), _status(berichten[0]))

    async def batch(self, request: Request) -> Response:
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return _als_batch(client)
        ruw = await lees_begrensd(request, MAX_BATCH)
        if ruw is None:
            return _als_batch(_te_groot(MAX_BATCH))
        vragen = await asyncio.to_thread(_batch_vragen, ruw)
        if isinstance(vragen, str):
            return _als_batch(_ongeldig(vragen))
        if not self.begrenzer.allow(client.id, cost=max(1, len(vragen))):
            return _als_batch(_overbelast())
        try:
            berichten = await self._beantwoord(client, vragen, Kanaal.REST)
        except Overbelast:
            return _als_batch(_overbelast())
        return _json({"antwoorden": [b.json() for b in berichten], "uitzonderingen": []})

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
            eigen_identificatie=self.settings.aii_identificatie,
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
                door=_actor(client),
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

    # --- data quality (art. 7) -------------------------------------------------------------

    async def _client_en_body(self, request: Request) -> tuple[Client, Any] | Response:
        client = await self._aanmelden(request)
        if isinstance(client, Response):
            return client
        if not self.begrenzer.allow(client.id):
            return _overbelast()
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
                    door=_actor(client),
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
                    door=_actor(client),
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
            return _overbelast()
        try:
            gevonden, volgende = await asyncio.to_thread(
                lambda: kwaliteit.haal_rectificaties(
                    door=_actor(client),
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
            return _overbelast()
        nu = datetime.now(UTC)

        def tel() -> dict[str, int]:
            werk = aii_uow(self.settings)
            return {
                "incidenten": incidenten.aantal_achterstallig(uow=werk, nu=nu),
                "meldingen": len(kwaliteit.achterstallig(uow=werk, nu=nu)),
            }

        return _json({"achterstallig": await asyncio.to_thread(tel)})

    # --- transparency -------------------------------------------------------------------

    # --- liveness and health ----------------------------------------------------------------

    async def live(self, _: Request) -> Response:
        """Liveness: the process answers (no database, no keys); the benchmarks' ceiling."""
        return _json({"status": "live"})

    async def health(self, _: Request) -> Response:
        """Database, writer and signing key, checked at most once per `HEALTH_GELDIG` seconds
        and off the event loop; the report names no error (it is open to anyone)."""
        nu = time.monotonic()
        if self._health is None or nu - self._health[0] > HEALTH_GELDIG:
            taak = self._health_taak
            if taak is None or taak.done():
                taak = self._health_taak = asyncio.get_running_loop().create_task(
                    asyncio.to_thread(self._controleer)
                )
            self._health = (nu, await asyncio.shield(taak))
        controles = {
            **self._health[1],
            "writer": "ok" if self.schrijver.pid is not None else "not running",
        }
        gezond = all(v == "ok" for v in controles.values())
        return _json(
            {"status": "ok" if gezond else "unavailable", **controles}, 200 if gezond else 503
        )

    def _controleer(self) -> dict[str, str]:
        controles = {"database": database_gereed(self.settings)}
        try:
            self.keys.signing_key()  # read once per process, then kept
            controles["signing_key"] = "ok"
        except Exception:
            controles["signing_key"] = "unavailable"
        return controles


def maak_app(settings: Settings) -> FastAPI:
    """The AII node's web service on the databases and keys of ``settings``."""
    app = FastAPI(
        title="kbi-exchange — AII node",
        version=__version__,
        description=(
            "Individual advice on the civic integration obligation (protocol KBI–VSB 2021, "
            "flow F1). An `OK` means *no non-compliance known to the KBI*: the KBI does not "
            "decide the Brussels obligation (ordonnantie 11 mei 2017)."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        # no redirect to the path with(out) its slash: it would be built from the Host header
        redirect_slashes=False,
        exception_handlers={BodyNotReceived: body_not_received},
    )
    api = AiiApi(settings)
    app.state.api = api
    app.router.on_startup.append(api.start)
    app.router.on_shutdown.append(api.stop)

    @app.exception_handler(RequestValidationError)
    async def _geen_422(_: Request, fout: RequestValidationError) -> Response:
        return _ongeldig("Het verzoek is ongeldig.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, fout: StarletteHTTPException) -> Response:
        return _json({"detail": fout.detail}, fout.status_code)

    app.add_api_route(
        "/api/v1/advies",
        api.advies,
        methods=["POST"],
        summary="Does this person comply with the civic integration obligation on this date?",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": AdviesVraag.model_json_schema()}},
            }
        },
        responses={code: {"model": AdviesAntwoord} for code in (200, 400, 401, 403, 413, 503)},
    )
    app.add_api_route(
        "/api/v1/advies/batch",
        api.batch,
        methods=["POST"],
        summary="Up to 10 000 questions, each answered or refused on its own, in order",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": BatchVraag.model_json_schema()}},
            }
        },
        responses={code: {"model": BatchAntwoord} for code in (200, 400, 401, 413, 503)},
    )
    app.add_api_route(
        "/api/v1/lijsten/{jaar}",
        api.lijst,
        methods=["GET"],
        summary="The delivered yearly list of a year: CMS, signed by AII, encrypted for VSB",
        response_class=Response,
        responses={
            200: {"content": {"application/pkcs7-mime": {}}},
            401: {"model": AdviesAntwoord},
            403: {"model": AdviesAntwoord},
            404: {"description": "No delivered list for that year"},
            503: {"model": AdviesAntwoord},
        },
    )
    app.add_api_route(
        "/api/v1/meldingen",
        api.melding,
        methods=["POST"],
        status_code=201,
        summary="Report an error in a person's data (art. 7): AII acts within 2 weeks",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["insz", "omschrijving"],
                            "additionalProperties": False,
                            "properties": {
                                "id": {"type": "string", "maxLength": 36},
                                "insz": {"type": "string"},
                                "omschrijving": {"type": "string", "maxLength": 2000},
                                "referte": {"type": "string", "maxLength": 36},
                            },
                        }
                    }
                },
            }
        },
    )
    app.add_api_route(
        "/api/v1/meldingen/{melding_id}",
        api.melding_status,
        methods=["GET"],
        summary="A report this client sent: status, due date, AII's finding once closed",
    )
    app.add_api_route(
        "/api/v1/rectificaties",
        api.rectificaties,
        methods=["GET"],
        summary="Rectified answers to this client's questions (after ?na=N), each audited",
    )
    app.add_api_route(
        "/api/v1/incidenten",
        api.partij.ontvang,
        methods=["POST"],
        status_code=201,
        summary="VSB's incident notification (art. 9): CMS SignedData signed by VSB",
        include_in_schema=True,
    )
    app.add_api_route(
        "/api/v1/waarschuwingen",
        api.waarschuwingen,
        methods=["GET"],
        summary="AII's overdue incident notifications and data-quality reports, counted",
    )
    app.add_api_route(
        "/api/v1/protocol/stappen",
        api.partij.stap,
        methods=["POST"],
        status_code=201,
        summary="VSB's step in the protocol's life (a lapse, a notice): CMS signed by VSB",
    )
    app.add_api_route(
        "/api/v1/verwerkers",
        api.partij.verwerker,
        methods=["POST"],
        status_code=201,
        summary="A processor of VSB's, added or ended (art. 6, 9): CMS signed by VSB",
    )
    app.add_api_route(
        "/api/v1/ontvangers",
        api.partij.ontvanger,
        methods=["POST"],
        status_code=201,
        summary="VSB notifies a recipient other than a zorgkas (art. 4): CMS signed by VSB",
    )
    app.add_api_route(
        "/api/v1/protocol",
        api.protocol,
        methods=["GET"],
        summary="The protocol's public summary and state (no log-in; checked at most every 2 s)",
    )
    app.add_api_route(
        "/api/v1/live",
        api.live,
        methods=["GET"],
        summary="The process answers (no database, no keys)",
    )
    app.add_api_route(
        "/api/v1/health",
        api.health,
        methods=["GET"],
        summary="Database, writer process and signing key usable (checked at most every 2 s)",
    )
    app.add_api_route(
        SOAP_PAD,
        api.soap,
        methods=["POST"],
        summary="MAGDA-style SOAP 1.1 service (see its WSDL)",
        include_in_schema=False,
    )
    app.add_api_route(
        SOAP_PAD,
        api.wsdl,
        methods=["GET"],
        summary="?wsdl: the WSDL; ?xsd: the XSD",
        include_in_schema=False,
    )
    _direct(
        app,
        {
            api.advies,
            api.batch,
            api.soap,
            api.live,
            api.health,
            api.melding,
            api.partij.ontvang,
        },
    )
    return app


def _direct(app: FastAPI, handlers: set[Callable[..., Any]]) -> None:
    """Let these routes call their handler straight with the Request.

    They read and check their own bodies (size, JSON, shape); FastAPI's per-request dependency
    solving and parameter parsing around them cost more than the whole of that. The routes
    keep their OpenAPI description; only the dispatch changes.
    """
    for route in app.routes:
        if isinstance(route, APIRoute) and route.endpoint in handlers:
            route.app = request_response(route.endpoint)


def maak_app_uit_omgeving() -> FastAPI:
    """The app for `uvicorn --factory` worker processes: settings from KBI_HOME and the env."""
    from kbi_exchange.settings import load_settings  # noqa: PLC0415 - only worker processes

    return maak_app(load_settings())
