"""The FastAPI application of the VSB node: the zorgkas API (`vsb_zorgkas`), the other
party's notifications, the public summary, liveness and health (`vsb_kern`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kbi_exchange import __version__
from kbi_exchange.entrypoints.api.http import (
    BodyNotReceived,
    body_not_received,
)
from kbi_exchange.entrypoints.api.metrics import Meter, metrics
from kbi_exchange.entrypoints.api.vsb_kern import PREFIX, fout_json
from kbi_exchange.entrypoints.api.vsb_zorgkas import ZorgkasRoutes
from kbi_exchange.entrypoints.web.routes import voeg_vsb_paginas_toe
from kbi_exchange.settings import Settings


class VsbApi(ZorgkasRoutes):
    """Every handler of the VSB node's web service."""


def maak_app(settings: Settings) -> FastAPI:
    """The VSB node's web service on the database and keys of ``settings``."""
    app = FastAPI(
        title="kbi-exchange — VSB node",
        version=__version__,
        description=(
            "The zorgkas API of the VSB node (protocol KBI–VSB 2021): each client is bound to "
            "one zorgkas and sees its own applications, members on the yearly list and files "
            "only. Authenticate with `Authorization: Bearer <token>` "
            "(`kbi vsb clients add NAME --zorgkas CODE`)."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        # no redirect to the path with(out) its slash: it would be built from the Host header
        redirect_slashes=False,
        exception_handlers={BodyNotReceived: body_not_received},
    )
    api = VsbApi(settings)
    app.state.api = api
    # every request counted and timed by its route's template; `GET /metrics` (loopback only)
    app.add_middleware(Meter, node="vsb")
    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.router.on_startup.append(api.start)
    app.router.on_shutdown.append(api.stop)

    @app.exception_handler(RequestValidationError)
    async def _geen_422(_: Request, fout: RequestValidationError) -> Response:
        plaats = ".".join(str(p) for p in fout.errors()[0].get("loc", ())) if fout.errors() else ""
        return fout_json(f"invalid request{': ' + plaats if plaats else ''}", 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, fout: StarletteHTTPException) -> Response:
        return fout_json(str(fout.detail), fout.status_code)

    routes: list[tuple[str, Callable[..., Any], str, str]] = [
        (f"{PREFIX}/aanvragen", api.aanvraag_toevoegen, "POST", "Record an application"),
        (f"{PREFIX}/aanvragen", api.aanvragen, "GET", "This zorgkas's applications"),
        (f"{PREFIX}/aanvragen/{{aanvraag_id}}", api.aanvraag, "GET", "One application"),
        (f"{PREFIX}/berichten", api.berichten, "GET", "Messages: rectified decisions"),
        (f"{PREFIX}/lijsten/{{jaar}}", api.lijst, "GET", "Members on the list, and the files"),
        (f"{PREFIX}/bestanden/{{zending_id}}", api.bestand, "GET", "Download a file (.p7m)"),
        ("/api/v1/incidenten", api.partij.ontvang, "POST", "AII's incident notification"),
        ("/api/v1/verwerkers", api.partij.verwerker, "POST", "AII's processor, added or ended"),
        (
            "/api/v1/audit/koppen",
            api.partij.kop,
            "POST",
            "A signed head of AII's audit log to witness, with a consistency proof: CMS signed "
            "by AII",
        ),
        ("/api/v1/audit/koppen", api.partij.koppen, "GET", "AII's audit heads witnessed here"),
        (
            "/api/v1/audit/koppen/laatste",
            api.partij.laatste_kop,
            "GET",
            "The largest head of AII's audit log witnessed here",
        ),
        (
            "/api/v1/protocol/stappen",
            api.partij.stap,
            "POST",
            "AII's step in the protocol's life (suspension, resumption, end, lapse, notice)",
        ),
        (
            "/api/v1/protocol",
            api.protocol,
            "GET",
            "The protocol's public summary and state as VSB records it (no log-in)",
        ),
        ("/api/v1/live", api.live, "GET", "The process answers"),
        ("/api/v1/health", api.health, "GET", "The database usable (checked at most every 2 s)"),
    ]
    for pad, handler, methode, samenvatting in routes:
        app.add_api_route(pad, handler, methods=[methode], summary=samenvatting)
    voeg_vsb_paginas_toe(app, settings, api.wacht, api.bron)
    # gone since every question to AII belongs to an application: a clear 410, undocumented
    app.add_api_route(f"{PREFIX}/advies", api.advies, methods=["POST"], include_in_schema=False)
    return app


def maak_app_uit_omgeving() -> FastAPI:
    """The app for `uvicorn --factory` worker processes: settings from KBI_HOME and the env."""
    from kbi_exchange.adapters import json_log  # noqa: PLC0415 - only worker processes
    from kbi_exchange.adapters.process import freeze_heap  # noqa: PLC0415
    from kbi_exchange.settings import load_settings  # noqa: PLC0415

    json_log.configure_from_env("vsb")
    app = maak_app(load_settings())
    # once started (and its writer forked), what start-up built is left out of the collector
    app.router.on_startup.append(freeze_heap)
    return app
