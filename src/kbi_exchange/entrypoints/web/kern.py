"""What every page shares: the templates, the session cookie and its CSRF token, forms read
within bounds, use cases called off the event loop with their refusals shown as pages, and the
security headers. A page authenticates and calls a use case with the actor; whether the actor
may do it is decided there (`domain.access.vereist`), never here."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from kbi_exchange import __version__
from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Actor, Gebruiker, Node, toont
from kbi_exchange.domain.dates import OngeldigeTijd, dag_in_brussel, datum_uit_tekst
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.entrypoints.api.http import lees_begrensd
from kbi_exchange.services import websessies
from kbi_exchange.services.authentication import AuthenticationGuard
from kbi_exchange.settings import Settings

SESSIE_COOKIE = "kbi_sessie"
# before a log-in there is no session to tie a form to: a random value in a cookie of its own
# that the form must repeat (double submit)
AANMELD_COOKIE = "kbi_aanmelden"
MAX_FORMULIER = 64 * 1024
MAX_VELDEN = 40
MAX_VELD = 2_000

T = TypeVar("T")
# ASCII digits only: str.isdigit() also takes "²", which int() refuses
CIJFERS = re.compile(r"[0-9]+")

BEVEILIGING = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class PaginaFout(Exception):
    """A page refused: its status and a message for the person (Dutch), shown as a page."""

    def __init__(self, status: int, boodschap: str) -> None:
        super().__init__(boodschap)
        self.status = status
        self.boodschap = boodschap


@dataclass(frozen=True, slots=True)
class Menu:
    """A link in the menu: shown to whom the use case behind its page would serve (display
    only; the use case decides again when the page calls it)."""

    pad: str
    tekst: str
    use_case: Callable[..., object]
    node: Node | None = None
    # a zorgkas's own view (its members on the list): not in VSB staff's menu
    zorgkas_eigen: bool = False


@dataclass(slots=True)
class Bezoek:
    """Who is looking at a page: the person and their session's token (for its CSRF token)."""

    gebruiker: Gebruiker
    token: str
    actor: Actor = field(init=False)

    def __post_init__(self) -> None:
        self.actor = Actor.persoon(self.gebruiker)

    @property
    def csrf(self) -> str:
        return csrf_voor(self.token)


def csrf_voor(token: str) -> str:
    """A session's CSRF token: derived from its cookie's token, which no other site can read."""
    return hmac.new(token.encode(), b"kbi-exchange csrf", hashlib.sha256).hexdigest()


def _omgeving() -> Environment:
    omgeving = Environment(
        loader=PackageLoader("kbi_exchange.entrypoints.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    omgeving.filters["moment"] = lambda m: (
        m.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if m else "—"
    )
    omgeving.globals["versie"] = __version__
    return omgeving


TEMPLATES = _omgeving()


def veld(formulier: Mapping[str, str], naam: str, *, label: str, maximum: int = MAX_VELD) -> str:
    """A required form field, stripped; a missing, empty or too long one is refused by name."""
    waarde = formulier.get(naam, "").strip()
    if not waarde:
        raise PaginaFout(400, f"Vul het veld ‘{label}’ in.")
    if len(waarde) > maximum:
        raise PaginaFout(400, f"Het veld ‘{label}’ is te lang: hoogstens {maximum} tekens.")
    return waarde


def dag(waarde: str, *, label: str) -> date:
    try:
        return datum_uit_tekst(waarde[:32])
    except OngeldigeTijd:
        raise PaginaFout(
            400, f"‘{label}’ is geen geldige datum: schrijf ze als JJJJ-MM-DD."
        ) from None


def jaar(waarde: str | None, *, standaard: int) -> int:
    if waarde is None or waarde == "":
        return standaard
    if not (CIJFERS.fullmatch(waarde) and len(waarde) == 4 and 2000 <= int(waarde) <= 9999):
        raise PaginaFout(400, "Een jaar is een getal van vier cijfers, zoals 2025.")
    return int(waarde)


class Paginas:
    """The pages of one node: settings, the person behind each request, forms, rendering."""

    MENU: tuple[Menu, ...] = ()

    def __init__(self, settings: Settings, node: Node, wacht: AuthenticationGuard) -> None:
        self.settings = settings
        self.node = node
        # failed log-ins count with the API's failed authentications (one security event per
        # address and window, reported by the app)
        self.wacht = wacht

    # --- who is asking ------------------------------------------------------------------

    async def bezoek(self, request: Request) -> Bezoek | None:
        token = request.cookies.get(SESSIE_COOKIE)
        if not token:
            return None
        gebruiker = await self.in_draad(
            lambda: websessies.wie(uow=uow(self.settings, self.node), token=token, nu=nu())
        )
        return Bezoek(gebruiker, token) if gebruiker is not None else None

    async def vereist_bezoek(self, request: Request) -> Bezoek:
        """The person logged in; else they are sent to the log-in page and back."""
        bezoek = await self.bezoek(request)
        if bezoek is None:
            # back to the page after log-in; a form's address is no page: its form's page is
            raise NaarAanmelden(request.url.path if request.method == "GET" else "/start")
        return bezoek

    # --- forms --------------------------------------------------------------------------

    async def formulier(self, request: Request, bezoek: Bezoek | None) -> dict[str, str]:
        """A posted form, read within bounds, with its CSRF token checked first: of the
        session, or before log-in of the log-in cookie."""
        van_deze_site(request)
        soort = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if soort != "application/x-www-form-urlencoded":
            raise PaginaFout(415, "Verstuur dit formulier vanuit de pagina zelf.")
        ruw = await lees_begrensd(request, MAX_FORMULIER)
        if ruw is None:
            raise PaginaFout(413, f"Het formulier is groter dan {MAX_FORMULIER // 1024} KiB.")
        try:
            paren = parse_qsl(
                ruw.decode("utf-8"),
                keep_blank_values=True,
                strict_parsing=False,
                max_num_fields=MAX_VELDEN,
            )
        except (UnicodeDecodeError, ValueError):
            raise PaginaFout(400, "Het formulier kon niet gelezen worden.") from None
        velden: dict[str, str] = {}
        for naam, waarde in paren:
            if naam in velden:
                raise PaginaFout(400, f"Het veld ‘{naam[:40]}’ komt twee keer voor.")
            velden[naam] = waarde
        verwacht = bezoek.csrf if bezoek is not None else request.cookies.get(AANMELD_COOKIE, "")
        gegeven = velden.pop("csrf", "")
        if not zelfde(gegeven, verwacht):
            raise PaginaFout(
                403,
                "Het formulier is verlopen of niet van deze site (CSRF-controle). "
                "Open de pagina opnieuw en probeer nog eens.",
            )
        return velden

    # --- use cases ----------------------------------------------------------------------

    async def in_draad(self, werk: Callable[[], T]) -> T:
        """Run blocking work (a use case, the database) in a thread; a refusal is a page."""
        try:
            return await asyncio.to_thread(werk)
        except KbiFout as fout:
            raise PaginaFout(fout.status, str(fout)) from None

    # --- rendering ----------------------------------------------------------------------

    def toon(
        self,
        request: Request,
        sjabloon: str,
        bezoek: Bezoek | None,
        status: int = 200,
        **waarden: Any,
    ) -> HTMLResponse:
        menu = [
            m
            for m in self.MENU
            if bezoek is not None
            and (m.node is None or m.node is self.node)
            and (not m.zorgkas_eigen or bezoek.gebruiker.zorgkas is not None)
            and toont(bezoek.actor, m.use_case)
        ]
        html = TEMPLATES.get_template(sjabloon).render(
            node=self.node.value,
            node_naam="AII — Kruispuntbank Inburgering"
            if self.node is Node.AII
            else "VSB — Vlaamse Sociale Bescherming",
            bezoek=bezoek,
            menu=menu,
            pad=request.url.path,
            csrf=bezoek.csrf if bezoek is not None else "",
            **waarden,
        )
        return HTMLResponse(html, status_code=status, headers=BEVEILIGING)

    def fout(self, request: Request, fout: PaginaFout, bezoek: Bezoek | None) -> HTMLResponse:
        return self.toon(request, "fout.html", bezoek, status=fout.status, boodschap=fout.boodschap)


def van_deze_site(request: Request) -> None:
    """Refuse a form posted from another site (its `Origin`), before anything is read."""
    oorsprong = request.headers.get("origin")
    if oorsprong and oorsprong != "null" and urlsplit(oorsprong).netloc != request.url.netloc:
        raise PaginaFout(403, "Dit formulier komt niet van deze site en wordt geweigerd.")


def zelfde(gegeven: str, verwacht: str) -> bool:
    """Two secrets compared in constant time."""
    return bool(verwacht) and hmac.compare_digest(gegeven.encode(), verwacht.encode())


class NaarAanmelden(Exception):
    """No session: to the log-in page, and back to ``pad`` after it."""

    def __init__(self, pad: str) -> None:
        super().__init__(pad)
        self.pad = pad


def naar(pad: str) -> RedirectResponse:
    """After a form: to the page that shows its result (303, so a reload does not post again)."""
    return RedirectResponse(pad, status_code=303, headers=BEVEILIGING)


def naar_aanmelden(pad: str) -> RedirectResponse:
    return naar(f"/login?volgende={quote(pad, safe='/')}")


def veilig_pad(pad: str | None) -> str:
    """Where to go after log-in: a path on this site only (no open redirect)."""
    if not pad or not pad.startswith("/") or pad.startswith("//") or "\\" in pad:
        return "/start"
    return pad[:200]


def nieuw_aanmeldtoken() -> str:
    return secrets.token_urlsafe(32)


def nu() -> datetime:
    return datetime.now(UTC)


def vandaag() -> date:
    """Today in Brussels: the day the agencies work on."""
    return dag_in_brussel(nu())
