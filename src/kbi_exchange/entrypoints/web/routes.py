"""The pages of each node, added to its app beside the API (`kbi serve`): every page through
one wrapper that turns a refusal into a page and sends who is not logged in to the
log-in page. The pages are not in the API's OpenAPI description."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.requests import ClientDisconnect

from kbi_exchange.adapters.aii_client import AiiClient
from kbi_exchange.domain.access import Node
from kbi_exchange.entrypoints.api.http import BodyNotReceived
from kbi_exchange.entrypoints.web.aii import AII_MENU, AiiPaginas
from kbi_exchange.entrypoints.web.aii_import import ImportPaginas
from kbi_exchange.entrypoints.web.gedeeld import GEDEELD_MENU, GedeeldePaginas
from kbi_exchange.entrypoints.web.kern import NaarAanmelden, PaginaFout, Paginas, naar_aanmelden
from kbi_exchange.entrypoints.web.openbaar import OpenbarePaginas
from kbi_exchange.entrypoints.web.vsb import VSB_MENU, VsbPaginas
from kbi_exchange.services.authentication import AuthenticationGuard
from kbi_exchange.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


class AiiWeb(OpenbarePaginas, AiiPaginas, ImportPaginas, GedeeldePaginas):
    MENU = AII_MENU + GEDEELD_MENU


class VsbWeb(OpenbarePaginas, VsbPaginas, GedeeldePaginas):
    MENU = VSB_MENU + GEDEELD_MENU


def _pagina(paginas: Paginas, handler: Handler) -> Handler:
    async def pagina(request: Request) -> Response:
        try:
            return await handler(request)
        except PaginaFout as fout:
            return paginas.fout(request, fout, None)
        except NaarAanmelden as weg:
            return naar_aanmelden(weg.pad)
        except (BodyNotReceived, ClientDisconnect):  # too slow, or gone: 408, not a defect
            return paginas.fout(
                request,
                PaginaFout(408, "Het formulier kwam niet (volledig) aan; probeer opnieuw."),
                None,
            )
        except Exception as fout:  # a defect: said plainly, named in the log without data
            log.error("page %s failed: %s", request.url.path, type(fout).__name__)
            return paginas.fout(
                request,
                PaginaFout(500, "Er ging iets mis aan onze kant; probeer later opnieuw."),
                None,
            )

    return pagina


def _voeg_toe(app: FastAPI, paginas: Paginas, routes: list[tuple[str, str, Handler]]) -> None:
    for pad, methode, handler in routes:
        app.add_route(pad, _pagina(paginas, handler), methods=[methode], include_in_schema=False)


def _openbaar(p: OpenbarePaginas) -> list[tuple[str, str, Handler]]:
    return [
        ("/", "GET", p.index),
        ("/static/kbi.css", "GET", p.stijlblad),
        ("/protocol", "GET", p.protocol),
        ("/login", "GET", p.aanmelden_formulier),
        ("/login", "POST", p.aanmelden),
        ("/login/oidc", "GET", p.oidc_begin),
        ("/login/oidc/terug", "GET", p.oidc_terug),
        ("/logout", "POST", p.afmelden),
        ("/start", "GET", p.start),
    ]


def _gedeeld(p: GedeeldePaginas) -> list[tuple[str, str, Handler]]:
    return [
        ("/audit", "GET", p.auditlog),
        ("/incidenten", "GET", p.incidenten),
        ("/incidenten", "POST", p.incident_toevoegen),
        ("/registers", "GET", p.registers),
        ("/clients", "GET", p.clients),
        ("/clients", "POST", p.client_toevoegen),
        ("/clients/{naam}/intrekken", "POST", p.client_intrekken),
    ]


def voeg_aii_paginas_toe(app: FastAPI, settings: Settings, wacht: AuthenticationGuard) -> AiiWeb:
    p = AiiWeb(settings, Node.AII, wacht)
    _voeg_toe(
        app,
        p,
        [
            *_openbaar(p),
            *_gedeeld(p),
            ("/aii/dossiers", "GET", p.dossiers),
            ("/aii/lijsten", "GET", p.lijsten),
            ("/aii/lijsten", "POST", p.lijst_maken),
            ("/aii/lijsten/{lijst_id}", "POST", p.lijst_stap),
            ("/aii/meldingen", "GET", p.meldingen),
            ("/aii/herspeel", "GET", p.herspeel),
            ("/aii/import", "GET", p.importeren),
            ("/aii/import", "POST", p.import_starten),
            ("/aii/import/{import_id}", "GET", p.import_stand),
        ],
    )
    return p


def voeg_vsb_paginas_toe(
    app: FastAPI, settings: Settings, wacht: AuthenticationGuard, bron: Callable[[], AiiClient]
) -> VsbWeb:
    p = VsbWeb(settings, Node.VSB, wacht)
    p.bron = bron
    _voeg_toe(
        app,
        p,
        [
            *_openbaar(p),
            *_gedeeld(p),
            ("/zorgkas/aanvragen", "GET", p.aanvragen),
            ("/zorgkas/aanvragen", "POST", p.aanvraag_toevoegen),
            ("/zorgkas/aanvragen/{aanvraag_id}", "GET", p.aanvraag),
            ("/zorgkas/lijst", "GET", p.lijst),
            ("/zorgkas/bestanden/{zending_id}", "GET", p.bestand),
            ("/zorgkas/meldingen", "GET", p.meldingen),
            ("/zorgkas/meldingen", "POST", p.melding_toevoegen),
            ("/vsb/verdeling", "GET", p.verdeling),
            ("/zorgkas/premie", "GET", p.premie),
        ],
    )
    return p
