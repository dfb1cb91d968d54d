"""The pages anyone may open: the transparency page (art. 10), log-in and log-out, the start
page of whoever is logged in, and the style sheet."""

from __future__ import annotations

import asyncio
import functools
import hmac
import time
from importlib import resources
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kbi_exchange.adapters.oidc import OidcFailed, OidcProvider, OidcUnavailable
from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.transparantie import transparantie
from kbi_exchange.entrypoints.api.openbaar import GELDIG
from kbi_exchange.entrypoints.web.kern import (
    AANMELD_COOKIE,
    BEVEILIGING,
    SESSIE_COOKIE,
    PaginaFout,
    Paginas,
    naar,
    nieuw_aanmeldtoken,
    nu,
    veilig_pad,
)
from kbi_exchange.parameters import protocol_definitie, protocol_tekst
from kbi_exchange.services import protocol, websessies
from kbi_exchange.services.users import AuthenticatieMislukt

OIDC_COOKIE = "kbi_oidc"
OIDC_TERUG = "/login/oidc/terug"
TOESTANDEN = {
    "nog_niet": "nog niet in werking",
    "in_werking": "in werking",
    "geschorst": "geschorst (de gegevensstromen staan stil)",
    "opgezegd": "opgezegd (nog in werking tot het einde van de opzegtermijn)",
    "beeindigd": "beëindigd",
}


@functools.cache
def stijl() -> bytes:
    return resources.files(__package__).joinpath("static", "kbi.css").read_bytes()


class OpenbarePaginas(Paginas):
    """What needs no log-in, and the log-in itself."""

    _provider: OidcProvider | None = None
    _samengevat: tuple[float, dict[str, Any]] | None = None

    async def index(self, request: Request) -> Response:
        bezoek = await self.bezoek(request)
        return naar("/start" if bezoek else "/protocol")

    async def stijlblad(self, _: Request) -> Response:
        return Response(
            stijl(),
            media_type="text/css",
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    async def protocol(self, request: Request) -> Response:
        """The protocol's public summary, its state now and its text (no log-in)."""
        bezoek = await self._bezoek_stil(request)
        return self.toon(
            request,
            "protocol.html",
            bezoek,
            samenvatting=await self._samenvatting(),
            toestanden=TOESTANDEN,
            tekst=protocol_tekst(),
        )

    async def _samenvatting(self) -> dict[str, Any]:
        """The summary with the state now, read at most every `GELDIG` seconds (anyone may
        ask, as often as they like); when the database cannot be read, the summary alone."""
        moment = time.monotonic()
        if self._samengevat is None or moment - self._samengevat[0] > GELDIG:
            try:
                staat = await asyncio.to_thread(
                    lambda: protocol.status(
                        uow=uow(self.settings, self.node), definitie=protocol_definitie(), nu=nu()
                    )
                )
            except Exception:  # the database cannot be read: the summary still holds
                staat = None
            self._samengevat = (moment, transparantie(protocol_definitie(), staat))
        return self._samengevat[1]

    async def _bezoek_stil(self, request: Request) -> Any:
        try:
            return await self.bezoek(request)
        except Exception:  # a public page answers even when sessions cannot be read
            return None

    async def aanmelden_formulier(self, request: Request) -> Response:
        return self._aanmelden(request, volgende=request.query_params.get("volgende", ""))

    def _aanmelden(
        self, request: Request, *, volgende: str, naam: str = "", fout: str = "", status: int = 200
    ) -> Response:
        token = request.cookies.get(AANMELD_COOKIE) or nieuw_aanmeldtoken()
        antwoord = self.toon(
            request,
            "login.html",
            None,
            status=status,
            aanmeldtoken=token,
            volgende=veilig_pad(volgende),
            naam=naam[:64],
            fout=fout,
            oidc=self.oidc_naam(),
        )
        self._cookie(request, antwoord, AANMELD_COOKIE, token, max_age=3600)
        return antwoord

    def oidc_naam(self) -> str:
        instellingen = self.settings.oidc(self.node.value)
        return instellingen.label if instellingen.on else ""

    def _oidc(self) -> OidcProvider:
        instellingen = self.settings.oidc(self.node.value)
        if not instellingen.on:
            raise PaginaFout(
                404, "Aanmelden via een identiteitsdienst is op deze dienst niet ingesteld."
            )
        if self._provider is None or self._provider.settings != instellingen:
            self._provider = OidcProvider(instellingen)
        return self._provider

    @staticmethod
    def _terug(request: Request) -> str:
        return str(request.base_url).rstrip("/") + OIDC_TERUG

    async def oidc_begin(self, request: Request) -> Response:
        """To the identity provider, with a fresh state, nonce and PKCE verifier kept in a
        short-lived cookie of this path only (Lax: it must come back with the provider's
        redirect)."""
        provider = self._oidc()
        terug = self._terug(request)
        poging = await self.in_draad(lambda: provider.start(terug))
        antwoord = RedirectResponse(poging.url, status_code=303, headers=BEVEILIGING)
        antwoord.set_cookie(
            OIDC_COOKIE,
            f"{poging.state}.{poging.nonce}.{poging.verifier}",
            max_age=600,
            path="/login/oidc",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return antwoord

    async def oidc_terug(self, request: Request) -> Response:
        """The provider's answer: state checked, code exchanged, ID token checked, the claim
        mapped to a person of this node, a session opened."""
        provider = self._oidc()
        herkomst = request.client.host if request.client else "unknown"
        q = request.query_params
        state, nonce, verifier = [*request.cookies.get(OIDC_COOKIE, "").split("."), "", "", ""][:3]
        if self.wacht.blocked(herkomst):
            self.wacht.failed(herkomst)
            raise PaginaFout(
                429, "Te veel mislukte pogingen van dit adres; probeer het straks opnieuw."
            )
        if (
            q.get("error")
            or not q.get("code")
            or not state
            or not hmac.compare_digest(q.get("state", "")[:200].encode(), state.encode())
        ):
            self.wacht.failed(herkomst)
            return self._aanmelden(
                request,
                volgende="/start",
                fout=f"Aanmelden via {provider.settings.label} is niet gelukt of werd afgebroken.",
                status=401,
            )
        code, terug = q["code"][:2000], self._terug(request)
        try:
            naam = await asyncio.to_thread(
                lambda: provider.person_name(
                    code=code, redirect_uri=terug, nonce=nonce, verifier=verifier
                )
            )
            token = await asyncio.to_thread(
                lambda: websessies.open_sessie(
                    uow=uow(self.settings, self.node), naam=naam, via="oidc", nu=nu()
                )
            )
        except OidcUnavailable:
            raise PaginaFout(
                503, f"{provider.settings.label} is nu niet bereikbaar; probeer later opnieuw."
            ) from None
        except (OidcFailed, AuthenticatieMislukt):
            self.wacht.failed(herkomst)
            return self._aanmelden(
                request,
                volgende="/start",
                fout=f"Aanmelden via {provider.settings.label} mislukt: u bent daar niet gekend "
                "of niet als persoon van deze dienst.",
                status=401,
            )
        # SameSite=Strict: a cookie set on a redirect that began at another site is not sent
        # on its next hop, so the way on is a page of this site
        antwoord = self.toon(request, "verder.html", None, naar="/start")
        self._cookie(request, antwoord, SESSIE_COOKIE, token, max_age=None)
        antwoord.delete_cookie(OIDC_COOKIE, path="/login/oidc")
        return antwoord

    async def aanmelden(self, request: Request) -> Response:
        """Name and password checked (lockout after repeated failures), a session opened."""
        herkomst = request.client.host if request.client else "unknown"
        formulier = await self.formulier(request, None)
        volgende = veilig_pad(formulier.get("volgende"))
        naam = formulier.get("naam", "").strip()[:64]
        wachtwoord = formulier.get("wachtwoord", "")
        if self.wacht.blocked(herkomst):
            self.wacht.failed(herkomst)
            return self._aanmelden(
                request,
                volgende=volgende,
                naam=naam,
                fout="Te veel mislukte pogingen van dit adres; probeer het straks opnieuw.",
                status=429,
            )
        if not naam or not wachtwoord or len(wachtwoord) > 1024:
            return self._aanmelden(
                request,
                volgende=volgende,
                naam=naam,
                fout="Vul uw naam en wachtwoord in.",
                status=400,
            )
        try:
            token, _ = await self.in_draad(
                lambda: websessies.meld_aan(
                    uow=uow(self.settings, self.node), naam=naam, wachtwoord=wachtwoord, nu=nu()
                )
            )
        except PaginaFout as fout:
            if fout.status != AuthenticatieMislukt.status:
                raise
            self.wacht.failed(herkomst)
            return self._aanmelden(
                request,
                volgende=volgende,
                naam=naam,
                fout="Aanmelden mislukt: naam of wachtwoord onjuist, of het account is tijdelijk "
                "geblokkeerd.",
                status=401,
            )
        antwoord = naar(volgende)
        self._cookie(request, antwoord, SESSIE_COOKIE, token, max_age=None)
        antwoord.delete_cookie(AANMELD_COOKIE, path="/")
        return antwoord

    async def afmelden(self, request: Request) -> Response:
        """End the session; with none left (expired), there is nothing to end or to forge."""
        bezoek = await self.bezoek(request)
        if bezoek is not None:
            await self.formulier(request, bezoek)
            await self.in_draad(
                lambda: websessies.meld_af(uow=uow(self.settings, self.node), token=bezoek.token)
            )
        antwoord = naar("/login")
        antwoord.delete_cookie(SESSIE_COOKIE, path="/")
        return antwoord

    async def start(self, request: Request) -> Response:
        bezoek = await self.vereist_bezoek(request)
        return self.toon(request, "start.html", bezoek)

    @staticmethod
    def _cookie(
        request: Request,
        antwoord: HTMLResponse | Response,
        naam: str,
        waarde: str,
        max_age: int | None,
    ) -> None:
        antwoord.set_cookie(
            naam,
            waarde,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


__all__ = ["BEVEILIGING", "OpenbarePaginas"]
