"""The FastAPI application of the VSB node (SPEC §9, §14): health, OpenAPI, and the zorgkas API.

Each zorgkas client is bound to one zorgkas and sees that zorgkas's applications, members on
the list and files only; another zorgkas's are "not found", exactly as what does not exist.
Every request is authenticated before any work (failed authentications limited per address
and audited in aggregate, as on the AII node), rate-limited per client, and every look is
audited by the services it calls. Database work and the calls to AII run off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kbi_exchange import __version__
from kbi_exchange.adapters import strict_json
from kbi_exchange.adapters.aii_client import AiiClient
from kbi_exchange.bootstrap import aii_client, database_gereed, uow
from kbi_exchange.domain.aanvraag import Aanvraag
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.client import Client
from kbi_exchange.domain.dates import OngeldigeTijd, datum_uit_tekst
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.entrypoints.api.http import (
    BodyNotReceived,
    adres,
    bearer_token,
    body_not_received,
    fout_antwoord,
    json_antwoord,
    lees_begrensd,
)
from kbi_exchange.entrypoints.api.incidenten import PartijOntvanger
from kbi_exchange.entrypoints.api.openbaar import Transparantie
from kbi_exchange.schemas import zorgkas_codes, zorgkas_namen
from kbi_exchange.services import aanvragen, verdeling, vsb_kwaliteit
from kbi_exchange.services.audit import meld_mislukte_aanmeldingen
from kbi_exchange.services.authentication import AuthenticationGuard, ClientRegister
from kbi_exchange.services.clients import actieve_clients
from kbi_exchange.services.rate_limit import RateLimiter
from kbi_exchange.settings import Settings

BERICHTEN_KOST = 10  # tokens per look at the messages (each look is audited)
MAX_BODY = 16 * 1024
AII_TEGELIJK = 4
AII_WACHTRIJ = 32
HEALTH_GELDIG = 2.0
PREFIX = "/api/v1/zorgkas"

log = logging.getLogger(__name__)


def _fout(detail: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_antwoord({"detail": detail}, status, headers)


def _niet_aangemeld() -> Response:
    return _fout(
        "missing or invalid credentials", 401, {"WWW-Authenticate": 'Bearer realm="kbi-exchange"'}
    )


def _te_druk() -> Response:
    return _fout("too many requests; try again later", 429, {"Retry-After": "1"})


def _velden(ruw: bytes, namen: tuple[str, ...]) -> dict[str, str] | str:
    """A JSON object with exactly these string fields, or why not."""
    try:
        gelezen: object = strict_json.loads(ruw)
    except strict_json.JsonError as fout:
        return f"the body: {fout}"
    if not isinstance(gelezen, dict):
        return "the body is not a JSON object"
    onbekend = sorted(set(gelezen) - set(namen))
    if onbekend:
        return f"unknown field {onbekend[0]!r}; expected {', '.join(namen)}"
    for naam in namen:
        if not isinstance(gelezen.get(naam), str):
            return f"{naam!r}: required, a string"
    return {naam: gelezen[naam] for naam in namen}


def _dag(veld: str, waarde: str) -> date | str:
    try:
        return datum_uit_tekst(waarde)
    except OngeldigeTijd as fout:
        return f"{veld!r}: {fout}"


class VsbApi:
    """The handlers, on the VSB node's settings and keys."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # the unit of work is made in the thread too: the first one checks the schema
        self.clients = ClientRegister(
            lambda: asyncio.to_thread(lambda: actieve_clients(uow(settings, Node.VSB)))
        )
        # calls to AII (up to ~25 s each when it is slow) get threads of their own, so that a
        # slow AII never starves the database work, the log-ins included; past a queue of
        # AII_WACHTRIJ waiting calls a request is refused at once
        self._aii_pool = ThreadPoolExecutor(AII_TEGELIJK, thread_name_prefix="aii")
        self._aii_bezig = 0
        self.wacht = AuthenticationGuard(
            burst=settings.auth_failures_burst,
            per_second=settings.auth_failures_per_second,
            window=settings.security_event_window_seconds,
            now=lambda: datetime.now(UTC),
        )
        self.partij = PartijOntvanger(settings, Node.VSB)
        self.protocol = Transparantie(settings, Node.VSB)
        self.begrenzer = RateLimiter(
            settings.vsb_api_per_second_per_client, settings.vsb_api_burst_per_client
        )
        self._bron: AiiClient | None = None
        self._health: tuple[float, dict[str, str]] | None = None
        self._melder: asyncio.Task[None] | None = None

    # --- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        with contextlib.suppress(Exception):  # an unreadable database is reported per request
            await self.clients.refresh()
        self._melder = asyncio.get_running_loop().create_task(self._meld_periodiek())

    async def stop(self) -> None:
        melder, self._melder = self._melder, None
        if melder is not None:
            melder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await melder
        await self._meld(alles=True)
        if self._bron is not None:
            self._bron.close()
        self._aii_pool.shutdown(wait=False, cancel_futures=True)

    async def _meld_periodiek(self) -> None:
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
            await asyncio.to_thread(
                meld_mislukte_aanmeldingen,
                uow=uow(self.settings, Node.VSB),
                gebeurtenissen=gebeurtenissen,
                gebeurtenis=AuditGebeurtenis.VSB_AANMELDING_MISLUKT,
                nu=datetime.now(UTC),
            )
        except Exception as fout:  # the database is unavailable: say so, lose no request
            log.warning("security events not recorded: %s", type(fout).__name__)

    # --- shared steps -------------------------------------------------------------------

    async def _client(self, request: Request) -> Client | Response:
        """The zorgkas client; else 401, or 429 for an address past its failures or a client
        past its rate."""
        try:
            client = await self.clients.authenticate(bearer_token(request))
        except Exception:  # the clients cannot be read
            return _fout("the service is temporarily unavailable", 503, {"Retry-After": "1"})
        if client is None or client.zorgkas is None:
            herkomst = adres(request)
            geblokkeerd = self.wacht.blocked(herkomst)
            self.wacht.failed(herkomst)
            return _te_druk() if geblokkeerd else _niet_aangemeld()
        if not self.begrenzer.allow(client.id):
            return _te_druk()
        return client

    @staticmethod
    def _actor(client: Client) -> Actor:
        """The zorgkas's machine client as the use cases see it: a handler of its zorgkas."""
        return Actor.client(f"client:{client.naam}", Node.VSB, zorgkas=client.zorgkas)

    def _bron_(self) -> AiiClient:
        if self._bron is None:
            self._bron = aii_client(self.settings)
        return self._bron

    async def _lees(self, request: Request, namen: tuple[str, ...]) -> dict[str, str] | Response:
        ruw = await lees_begrensd(request, MAX_BODY)
        if ruw is None:
            return _fout(f"the body is larger than {MAX_BODY} bytes", 413)
        velden = _velden(ruw, namen)
        return _fout(velden, 400) if isinstance(velden, str) else velden

    def _aanvraag(self, aanvraag: Aanvraag) -> dict[str, Any]:
        return aanvraag.json(zorgkas_namen().get(aanvraag.zorgkas, aanvraag.zorgkas))

    async def _met_aii(self, werk: Callable[[], Any]) -> Any:
        """`_in_draad` for work that calls AII: on the AII threads, a bounded queue."""
        if self._aii_bezig >= AII_TEGELIJK + AII_WACHTRIJ:
            return _fout("too many questions to AII at once; try again", 503, {"Retry-After": "1"})
        self._aii_bezig += 1
        try:
            return await self._in_draad(werk, self._aii_pool)
        finally:
            self._aii_bezig -= 1

    async def _in_draad(self, werk: Callable[[], Any], pool: Executor | None = None) -> Any:
        """Run blocking work (database, AII) in a thread; map the known refusals."""
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, werk)
        except KbiFout as fout:
            return fout_antwoord(fout)

    # --- the zorgkas API ----------------------------------------------------------------

    async def advies(self, _: Request) -> Response:
        """Gone: a question to AII belongs to a recorded application (protocol art. 3), so a
        zorgkas learns AII's answer through `POST /api/v1/zorgkas/aanvragen` only."""
        return _fout(
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
        opening = _dag("opening", velden["opening"])
        if isinstance(opening, str):
            return _fout(opening, 400)
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
            return _fout("'wachtend': true or false", 400)
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
            return _te_druk()
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
            return _fout("jaar: a year of four digits", 400)
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

    async def live(self, _: Request) -> Response:
        return json_antwoord({"status": "live"})

    async def health(self, _: Request) -> Response:
        """The database, checked at most every 2 s off the event loop; names no error."""
        nu = time.monotonic()
        if self._health is None or nu - self._health[0] > HEALTH_GELDIG:
            database = await asyncio.to_thread(database_gereed, self.settings, Node.VSB)
            self._health = (nu, {"database": database})
        controles = {
            **self._health[1],
            "aii": "unavailable" if self._bron and self._bron.breaker.open else "ok",
        }
        gezond = controles["database"] == "ok"
        return json_antwoord(
            {"status": "ok" if gezond else "unavailable", **controles}, 200 if gezond else 503
        )


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
    app.router.on_startup.append(api.start)
    app.router.on_shutdown.append(api.stop)

    @app.exception_handler(RequestValidationError)
    async def _geen_422(_: Request, fout: RequestValidationError) -> Response:
        plaats = ".".join(str(p) for p in fout.errors()[0].get("loc", ())) if fout.errors() else ""
        return _fout(f"invalid request{': ' + plaats if plaats else ''}", 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, fout: StarletteHTTPException) -> Response:
        return _fout(str(fout.detail), fout.status_code)

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
    # gone since every question to AII belongs to an application: a clear 410, undocumented
    app.add_api_route(f"{PREFIX}/advies", api.advies, methods=["POST"], include_in_schema=False)
    return app


def maak_app_uit_omgeving() -> FastAPI:
    """The app for `uvicorn --factory` worker processes: settings from KBI_HOME and the env."""
    from kbi_exchange.settings import load_settings  # noqa: PLC0415 - only worker processes

    return maak_app(load_settings())
