"""The VSB node's web service, what its routes share: the settings, the clients of the
zorgkassen and their authentication, the rate limit, the calls to AII on their own threads;
liveness and health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from fastapi import Request, Response

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
    adres,
    bearer_token,
    fout_antwoord,
    json_antwoord,
    lees_begrensd,
)
from kbi_exchange.entrypoints.api.incidenten import PartijOntvanger
from kbi_exchange.entrypoints.api.openbaar import Transparantie
from kbi_exchange.schemas import zorgkas_namen
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


def fout_json(detail: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_antwoord({"detail": detail}, status, headers)


def niet_aangemeld() -> Response:
    return fout_json(
        "missing or invalid credentials", 401, {"WWW-Authenticate": 'Bearer realm="kbi-exchange"'}
    )


def te_druk() -> Response:
    return fout_json("too many requests; try again later", 429, {"Retry-After": "1"})


def body_velden(ruw: bytes, namen: tuple[str, ...]) -> dict[str, str] | str:
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


def dag_uit(veld: str, waarde: str) -> date | str:
    try:
        return datum_uit_tekst(waarde)
    except OngeldigeTijd as fout:
        return f"{veld!r}: {fout}"


class VsbKern:
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
            return fout_json("the service is temporarily unavailable", 503, {"Retry-After": "1"})
        if client is None or client.zorgkas is None:
            herkomst = adres(request)
            geblokkeerd = self.wacht.blocked(herkomst)
            self.wacht.failed(herkomst)
            return te_druk() if geblokkeerd else niet_aangemeld()
        if not self.begrenzer.allow(client.id):
            return te_druk()
        return client

    @staticmethod
    def _actor(client: Client) -> Actor:
        """The zorgkas's machine client as the use cases see it: a handler of its zorgkas."""
        return Actor.client(f"client:{client.naam}", Node.VSB, zorgkas=client.zorgkas)

    def bron(self) -> AiiClient:
        """The client of AII's advice service, made at first use (the pages share it)."""
        return self._bron_()

    def _bron_(self) -> AiiClient:
        if self._bron is None:
            self._bron = aii_client(self.settings)
        return self._bron

    async def _lees(self, request: Request, namen: tuple[str, ...]) -> dict[str, str] | Response:
        ruw = await lees_begrensd(request, MAX_BODY)
        if ruw is None:
            return fout_json(f"the body is larger than {MAX_BODY} bytes", 413)
        velden = body_velden(ruw, namen)
        return fout_json(velden, 400) if isinstance(velden, str) else velden

    def _aanvraag(self, aanvraag: Aanvraag) -> dict[str, Any]:
        return aanvraag.json(zorgkas_namen().get(aanvraag.zorgkas, aanvraag.zorgkas))

    async def _met_aii(self, werk: Callable[[], Any]) -> Any:
        """`_in_draad` for work that calls AII: on the AII threads, a bounded queue."""
        if self._aii_bezig >= AII_TEGELIJK + AII_WACHTRIJ:
            return fout_json(
                "too many questions to AII at once; try again", 503, {"Retry-After": "1"}
            )
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
