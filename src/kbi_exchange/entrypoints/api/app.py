"""The FastAPI application of the AII node: the routes of each part (`aii_advies`,
`aii_soap`, `aii_lijst`, `aii_kwaliteit`, what they share and health in `aii_kern`), described
for OpenAPI and dispatched straight where the handler reads its own body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import request_response

from kbi_exchange import __version__
from kbi_exchange.entrypoints.api.aii_advies import AdviesRoutes
from kbi_exchange.entrypoints.api.aii_kern import SOAP_PAD, ongeldig
from kbi_exchange.entrypoints.api.aii_kwaliteit import KwaliteitRoutes
from kbi_exchange.entrypoints.api.aii_lijst import LijstRoutes
from kbi_exchange.entrypoints.api.aii_soap import SoapRoutes
from kbi_exchange.entrypoints.api.http import (
    BodyNotReceived,
    body_not_received,
)
from kbi_exchange.entrypoints.api.http import json_antwoord as _json
from kbi_exchange.entrypoints.api.metrics import Meter, metrics
from kbi_exchange.entrypoints.api.schemas import (
    AdviesAntwoord,
    AdviesVraag,
    BatchAntwoord,
    BatchVraag,
)
from kbi_exchange.entrypoints.web.routes import voeg_aii_paginas_toe
from kbi_exchange.settings import Settings


class AiiApi(AdviesRoutes, SoapRoutes, LijstRoutes, KwaliteitRoutes):
    """Every handler of the AII node's web service."""


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
    # every request counted and timed by its route's template; `GET /metrics` (loopback only)
    app.add_middleware(Meter, node="aii")
    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.router.on_startup.append(api.start)
    app.router.on_shutdown.append(api.stop)

    @app.exception_handler(RequestValidationError)
    async def _geen_422(_: Request, fout: RequestValidationError) -> Response:
        return ongeldig("Het verzoek is ongeldig.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, fout: StarletteHTTPException) -> Response:
        return _json({"detail": fout.detail}, fout.status_code)

    _advies_routes(app, api)
    _kwaliteit_routes(app, api)
    _partij_routes(app, api)
    _openbaar_routes(app, api)
    voeg_aii_paginas_toe(app, settings, api.wacht)
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


def _advies_routes(app: FastAPI, api: AiiApi) -> None:
    """The advice over REST and in batches, and the yearly list's pull."""
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


def _kwaliteit_routes(app: FastAPI, api: AiiApi) -> None:
    """Data quality: a report, its status, the rectifications (art. 7)."""
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


def _partij_routes(app: FastAPI, api: AiiApi) -> None:
    """What VSB's node tells AII's, signed (art. 4, 6, 9; the protocol's steps; its audit
    heads to witness), the overdue count VSB reads, and VSB's heads witnessed here."""
    app.add_api_route(
        "/api/v1/audit/koppen",
        api.partij.kop,
        methods=["POST"],
        status_code=201,
        summary="A signed head of VSB's audit log to witness, with a consistency proof: CMS "
        "signed by VSB",
    )
    app.add_api_route(
        "/api/v1/audit/koppen",
        api.partij.koppen,
        methods=["GET"],
        summary="VSB's audit heads witnessed here (?na=N), for VSB's `kbi audit verify`",
    )
    app.add_api_route(
        "/api/v1/audit/koppen/laatste",
        api.partij.laatste_kop,
        methods=["GET"],
        summary="The largest head of VSB's audit log witnessed here",
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


def _openbaar_routes(app: FastAPI, api: AiiApi) -> None:
    """The public summary, liveness and health, and the SOAP service with its WSDL."""
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
    from kbi_exchange.adapters import json_log  # noqa: PLC0415 - only worker processes
    from kbi_exchange.adapters.process import freeze_heap  # noqa: PLC0415
    from kbi_exchange.settings import load_settings  # noqa: PLC0415

    json_log.configure_from_env("aii")
    app = maak_app(load_settings())
    # once started (and its writer forked), what start-up built is left out of the collector
    app.router.on_startup.append(freeze_heap)
    return app
