"""The AII node's web service, what every route shares: the settings, the writer, the
clients and their authentication, the rate limit, the answer in parts; liveness and health.

Every request is authenticated before any work is queued (`services.authentication`); the
questions of an authenticated client go to the advice service in the group-commit writer
(`adapters.group_commit`), whose answers come back only after their audit entries committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import Request, Response

from kbi_exchange.adapters import strict_json
from kbi_exchange.adapters.group_commit import WriterBusy, WriterUnavailable
from kbi_exchange.bootstrap import advies_schrijver, aii_uow, database_gereed, keys
from kbi_exchange.domain.access import Actor, Node, client_permissies
from kbi_exchange.domain.client import Client
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.entrypoints.api.http import adres as _adres
from kbi_exchange.entrypoints.api.http import bearer_token as _token
from kbi_exchange.entrypoints.api.http import json_antwoord as _json
from kbi_exchange.entrypoints.api.incidenten import PartijOntvanger
from kbi_exchange.entrypoints.api.metrics import schrijver_gemeten, tel_antwoorden
from kbi_exchange.entrypoints.api.openbaar import Transparantie
from kbi_exchange.services.advies import MislukteAanmeldingen, Opdracht, Vragen
from kbi_exchange.services.authentication import AuthenticationGuard, ClientRegister
from kbi_exchange.services.bericht import Bericht, Kanaal, weigering
from kbi_exchange.services.clients import actieve_clients
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


def actor_van(client: Client) -> Actor:
    """An authenticated machine client as the use cases see it: what its purposes allow."""
    return Actor.client(
        client.naam, Node.AII, beperkt_tot=client_permissies(d.value for d in client.doelen)
    )


class Overbelast(Exception):
    """Answer 99996 at once: the writer's queue is full, or the database cannot be used.

    Not audited: nothing was committed, looked up for the caller or disclosed.
    """


def http_status(bericht: Bericht) -> int:
    return HTTP_STATUS.get(bericht.weigering, 200) if bericht.weigering else 200


def overbelast() -> Response:
    return _json(weigering(None, None, None, OVERBELAST).json(), 503, {"Retry-After": "1"})


def niet_aangemeld() -> Response:
    return _json(
        weigering(None, None, None, NIET_AANGEMELD).json(),
        401,
        {"WWW-Authenticate": 'Bearer realm="kbi-exchange"'},
    )


def ongeldig(diagnose: str, status: int = 400) -> Response:
    return _json(
        weigering(None, None, None, Uitzondering.fout(Code.ONGELDIGE_VRAAG, diagnose)).json(),
        status,
    )


def te_groot(maximum: int) -> Response:
    return ongeldig(f"Het verzoek is groter dan {maximum} bytes.", 413)


def als_batch(geweigerd: Response) -> Response:
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


def geen_json(fout: strict_json.JsonError) -> str:
    """The diagnose (Dutch, as every uitzondering's) of a body that is not strict JSON."""
    if isinstance(fout, strict_json.RepeatedKey):
        return "Het verzoek is ongeldig: een sleutel komt twee keer voor in hetzelfde object."
    return "Het verzoek is geen geldige JSON."


def batch_vragen(ruw: bytes) -> list[object] | str:
    """The questions of a batch body, or why it is not one (CPU work: off the event loop)."""
    try:
        gelezen: object = strict_json.loads(ruw)
    except strict_json.JsonError as fout:
        return geen_json(fout)
    vragen = gelezen.get("vragen") if isinstance(gelezen, dict) else None
    if not isinstance(vragen, list) or len(vragen) > MAX_VRAGEN:
        return f"Een batch is een object met 'vragen': een lijst van hoogstens {MAX_VRAGEN}."
    return vragen


class AiiKern:
    """What the handlers share, on one node's settings and keys. Database writes run in the
    writer."""

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
            settings.advice_per_second_per_client, settings.advice_burst_per_client
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
            return overbelast()
        if client is not None:
            return client
        adres = _adres(request)
        geblokkeerd = self.wacht.blocked(adres)
        self.wacht.failed(adres)
        return overbelast() if geblokkeerd else niet_aangemeld()

    async def _via_schrijver(self, opdracht: Opdracht) -> Any:
        begin = time.perf_counter()
        try:
            uitkomst = await self.schrijver.ask(opdracht)
        except (WriterBusy, WriterUnavailable):
            raise Overbelast from None
        schrijver_gemeten("aii", self.schrijver.waiting, time.perf_counter() - begin)
        return uitkomst

    async def _beantwoord(
        self, client: Client, vragen: list[object], kanaal: Kanaal
    ) -> list[Bericht]:
        """Answers in order; a large batch goes in parts that share the writer with others."""
        delen = [tuple(vragen[i : i + DEEL]) for i in range(0, len(vragen), DEEL)] or [()]
        if len(delen) == 1:
            berichten = list(await self._via_schrijver(Vragen(client, delen[0], kanaal)))
            tel_antwoorden("aii", kanaal.value, [b.advies for b in berichten])
            return berichten
        uitkomsten: list[list[Bericht]] = [[] for _ in delen]
        tegelijk = asyncio.Semaphore(DELEN_TEGELIJK)

        async def deel(i: int) -> None:
            async with tegelijk:
                uitkomsten[i] = await self._via_schrijver(Vragen(client, delen[i], kanaal))

        # Parts already answered stay recorded if a later one fails: a retry with the same
        # refertes gets their stored answers.
        await asyncio.gather(*(deel(i) for i in range(len(delen))))
        berichten = [bericht for deel_ in uitkomsten for bericht in deel_]
        tel_antwoorden("aii", kanaal.value, [b.advies for b in berichten])
        return berichten

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
