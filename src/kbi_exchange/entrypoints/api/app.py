"""The FastAPI application of the AII node."""

from __future__ import annotations

import queue
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import request_response

from kbi_exchange import __version__
from kbi_exchange.adapters.db.migrate import is_actueel
from kbi_exchange.bootstrap import aii_uow, engine, sleutels
from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.jaarlijst import LijstFout
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.entrypoints.api.begrenzer import Begrenzer
from kbi_exchange.entrypoints.api.schemas import (
    AdviesAntwoord,
    AdviesVraag,
    BatchAntwoord,
    BatchVraag,
)
from kbi_exchange.entrypoints.api.schrijver import DatabaseFout, ProcesSchrijver
from kbi_exchange.entrypoints.api.werk import Opdracht
from kbi_exchange.entrypoints.soap.dienst import (
    MAX_BERICHT,
    NAAM,
    afzender,
    fault,
    lees,
    repliek,
    wsdl_tekst,
    xsd_tekst,
)
from kbi_exchange.entrypoints.soap.dienst import Fout as SoapFout
from kbi_exchange.services.advies_dienst import Bericht, weigering
from kbi_exchange.services.clients import client_voor_token
from kbi_exchange.services.jaarlijst_levering import haal_lijst_op
from kbi_exchange.settings import Settings

XML = "text/xml; charset=utf-8"

MAX_VRAAG = 64 * 1024
MAX_BATCH = 4 * 2**20
MAX_VRAGEN = 10_000

# One place maps a refusal to its HTTP status (SPEC §7); an answer, also with a warning, is 200.
HTTP_STATUS: dict[Code, int] = {
    Code.INSZ_ONGELDIG: 400,
    Code.ONGELDIGE_VRAAG: 400,
    Code.GEEN_WETTELIJKE_CONTEXT: 403,
    Code.AUTORISATIE: 403,
    Code.BRON_ONBESCHIKBAAR: 503,
}


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _status(bericht: Bericht) -> int:
    return HTTP_STATUS.get(bericht.weigering, 200) if bericht.weigering else 200


class Overbelast(Exception):
    """Too many questions are waiting: answer 99996 at once instead of queueing."""


def _overbelast() -> Response:
    bericht = weigering(
        None,
        None,
        None,
        Uitzondering.fout(
            Code.BRON_ONBESCHIKBAAR, "De bron is tijdelijk overbelast; probeer later opnieuw."
        ),
    )
    return _json(bericht.body, 503, {"Retry-After": "1"})


def _niet_aangemeld(diagnose: str) -> Response:
    bericht = weigering(None, None, None, Uitzondering.fout(Code.AUTORISATIE, diagnose))
    return _json(bericht.body, 401, {"WWW-Authenticate": 'Bearer realm="kbi-exchange"'})


def _ongeldig(diagnose: str, status: int = 400) -> Response:
    return _json(
        weigering(None, None, None, Uitzondering.fout(Code.ONGELDIGE_VRAAG, diagnose)).body, status
    )


async def _lees(request: Request, maximum: int) -> object | Response:
    """The JSON body, or the refusal: too large (413) or not JSON (400)."""
    lengte = request.headers.get("content-length")
    if lengte is not None and lengte.isdigit() and int(lengte) > maximum:
        return _ongeldig(f"Het verzoek is groter dan {maximum} bytes.", 413)
    ruw = await request.body()
    if len(ruw) > maximum:
        return _ongeldig(f"Het verzoek is groter dan {maximum} bytes.", 413)
    try:
        gelezen: object = orjson.loads(ruw)
    except orjson.JSONDecodeError:
        return _ongeldig("Het verzoek is geen geldige JSON.")
    return gelezen


def _token(request: Request) -> str | None:
    soort, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if soort.lower() == "bearer" and token.strip() else None


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


class AiiApi:
    """The handlers, on one node's settings and keys. Database work runs in the writer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sleutels = sleutels(settings)
        self.schrijver = ProcesSchrijver(settings)
        self.begrenzer = Begrenzer(
            settings.advies_per_seconde_per_client, settings.advies_piek_per_client
        )

    async def _via_schrijver(self, opdracht: Opdracht) -> Any:
        """Run work in the writer; a full queue or an unavailable database is 99996."""
        try:
            return await self.schrijver.vraag(opdracht)
        except queue.Full:
            raise Overbelast from None
        except DatabaseFout:  # nothing was committed, so nothing was sent or disclosed
            raise Overbelast from None

    async def advies(self, request: Request) -> Response:
        vraag = await _lees(request, MAX_VRAAG)
        if isinstance(vraag, Response):
            return vraag
        token = _token(request)
        if not self.begrenzer.mag(token):
            return _overbelast()
        try:
            berichten = await self._via_schrijver(("vragen", token, [vraag]))
        except Overbelast:
            return _overbelast()
        if berichten is None:
            return _niet_aangemeld("Ontbrekende of ongeldige authenticatie.")
        return _json(berichten[0].body, _status(berichten[0]))

    async def batch(self, request: Request) -> Response:
        gelezen = await _lees(request, MAX_BATCH)
        if isinstance(gelezen, Response):
            return _als_batch(gelezen)
        vragen = gelezen.get("vragen") if isinstance(gelezen, dict) else None
        if not isinstance(vragen, list) or len(vragen) > MAX_VRAGEN:
            return _als_batch(
                _ongeldig(
                    f"Een batch is een object met 'vragen': een lijst van hoogstens {MAX_VRAGEN}."
                )
            )
        token = _token(request)
        if not self.begrenzer.mag(token, kosten=max(1, len(vragen))):
            return _als_batch(_overbelast())
        try:
            berichten = await self._via_schrijver(("vragen", token, vragen))
        except Overbelast:
            return _als_batch(_overbelast())
        if berichten is None:
            return _als_batch(_niet_aangemeld("Ontbrekende of ongeldige authenticatie."))
        return _json({"antwoorden": [b.body for b in berichten], "uitzonderingen": []})

    async def soap(self, request: Request) -> Response:
        actie = request.headers.get("soapaction")
        if actie is not None and actie.strip('"') != NAAM:
            return Response(fault(f"unknown SOAPAction {actie[:60]!r}"), 500, media_type=XML)
        lengte = request.headers.get("content-length")
        if lengte is not None and lengte.isdigit() and int(lengte) > MAX_BERICHT:
            return Response(fault(f"message larger than {MAX_BERICHT} bytes"), 500, media_type=XML)
        ruw = await request.body()
        token = _token(request)
        if not self.begrenzer.mag(token):
            return self._soap_overbelast(ruw)
        try:
            status, antwoord = await self._via_schrijver(("soap", token, ruw))
        except Overbelast:
            return self._soap_overbelast(ruw)
        return Response(antwoord, status, media_type=XML)

    def _soap_overbelast(self, ruw: bytes) -> Response:
        """Overload: 99996 in a 200 reply (a Fault only for unparseable messages), at once.

        Not audited: nothing was looked up or disclosed, and the writer is what is overloaded.
        """
        try:
            vrager = afzender(lees(ruw))
        except SoapFout as fout:
            return Response(fault(str(fout)), 500, media_type=XML)
        antwoord = repliek(
            eigen_identificatie=self.settings.aii_identificatie,
            vrager=vrager,
            nu=datetime.now(UTC),
            antwoorden=None,
            uitzonderingen=[
                Uitzondering.fout(
                    Code.BRON_ONBESCHIKBAAR,
                    "De bron is tijdelijk overbelast; probeer later opnieuw.",
                )
            ],
        )
        return Response(antwoord, 200, media_type=XML, headers={"Retry-After": "1"})

    def wsdl(self, request: Request) -> Response:
        if "xsd" in request.query_params:
            return Response(xsd_tekst(), media_type=XML)
        adres = str(request.url.replace(query=""))
        return Response(wsdl_tekst(adres), media_type=XML)

    def lijst(self, jaar: int, request: Request) -> Response:
        """The delivered yearly list of ``jaar`` as its ``.p7m`` (SPEC §8.4), audited."""
        token = _token(request)
        if token is None:
            return _niet_aangemeld("Geen of ongeldige Bearer-token.")
        with aii_uow(self.settings) as werk:
            client = client_voor_token(werk.session, token)
        if client is None:
            return _niet_aangemeld("Geen of ongeldige Bearer-token.")
        if Doel.VERLAAGDE_PREMIE not in client.doelen:
            bericht = weigering(
                None,
                None,
                None,
                Uitzondering.fout(Code.AUTORISATIE, "De client mag VERLAAGDE_PREMIE niet vragen."),
            )
            return _json(bericht.body, 403)
        try:
            bestand = haal_lijst_op(
                uow=aii_uow(self.settings),
                sleutels=self.sleutels,
                jaar=jaar,
                client=client.naam,
                nu=datetime.now(UTC),
            )
        except LijstFout as fout:
            return _json({"detail": str(fout)}, 404)
        return Response(
            bestand.inhoud,
            media_type="application/pkcs7-mime",
            headers={"Content-Disposition": f'attachment; filename="{bestand.naam}"'},
        )

    async def live(self, _: Request) -> Response:
        """Liveness: the process answers (no database, no keys); the benchmarks' ceiling."""
        return _json({"status": "live"})

    def health(self) -> Response:
        controles: dict[str, str] = {}
        try:
            db = engine(self.settings.aii_database_url)
            with db.connect() as verbinding:
                verbinding.execute(text("SELECT 1"))
            controles["database"] = "ok" if is_actueel(db, "aii") else "not migrated"
        except Exception as fout:  # health reports a failure, it does not raise one
            controles["database"] = f"unavailable: {type(fout).__name__}"
        controles["writer"] = "ok" if self.schrijver.pid is not None else "not running"
        try:
            self.sleutels.onderteken(b"health")
            controles["signing_key"] = "ok"
        except Exception as fout:
            controles["signing_key"] = f"unavailable: {type(fout).__name__}"
        gezond = all(v == "ok" for v in controles.values())
        return _json(
            {"status": "ok" if gezond else "unavailable", **controles}, 200 if gezond else 503
        )


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
    )
    api = AiiApi(settings)
    app.state.schrijver = api.schrijver
    app.router.on_startup.append(api.schrijver.start)
    app.router.on_shutdown.append(api.schrijver.stop)

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
        responses={code: {"model": BatchAntwoord} for code in (200, 400, 401, 413)},
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
        },
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
        summary="Database, writer process and signing key usable",
    )
    app.add_api_route(
        "/soap/GeefAdviesInburgeringsplicht",
        api.soap,
        methods=["POST"],
        summary="MAGDA-style SOAP 1.1 service (see its WSDL)",
        include_in_schema=False,
    )
    app.add_api_route(
        "/soap/GeefAdviesInburgeringsplicht",
        api.wsdl,
        methods=["GET"],
        summary="?wsdl: the WSDL; ?xsd: the XSD",
        include_in_schema=False,
    )
    _direct(app, {api.advies, api.batch, api.soap, api.live})
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
