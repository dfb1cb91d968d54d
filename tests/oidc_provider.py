"""A small OpenID Connect provider for the log-in tests, served by uvicorn in a thread: the
discovery document, an authorization page (a form, or `als=NAME` to answer at once), the token
endpoint (client secret, PKCE S256, one use per code) and its keys. ``bederf`` makes the next
ID token wrong in one named way, to see the node refuse it."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "kbi-exchange-test"
CLIENT_SECRET = "test-secret-of-the-client"  # noqa: S105 - the test provider's own


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _formulier(request: Request) -> dict[str, str]:
    return dict(parse_qsl((await request.body()).decode()))


class TestProvider:
    """The provider at ``issuer``; codes it issued, with what they were asked for."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.poort = vrije_poort()
        self.issuer = f"http://127.0.0.1:{self.poort}"
        self.sleutel = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"})
        self.codes: dict[str, dict[str, str]] = {}
        self.bederf: str | None = None  # "nonce", "aud", "iss", "exp", "sleutel", "claim"
        self.server: uvicorn.Server | None = None

    # --- the endpoints --------------------------------------------------------------------

    async def discovery(self, _: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def jwks(self, _: Request) -> Response:
        return JSONResponse({"keys": [self.sleutel.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        if request.method == "POST":
            q |= await _formulier(request)
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, 400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "why": "PKCE S256 required"}, 400)
        if not q.get("als"):
            velden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in q.items()
            )
            return HTMLResponse(
                "<!doctype html><title>Testidentiteitsdienst</title><h1>Testidentiteitsdienst</h1>"
                f'<form method="post" action="/authorize">{velden}'
                '<label for="als">Gebruiker</label> <input id="als" name="als">'
                "<button type=submit>Ga verder</button></form>"
            )
        code = secrets.token_urlsafe(24)
        self.codes[code] = q
        terug = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(terug, status_code=302)

    async def token(self, request: Request) -> Response:
        form = await _formulier(request)
        soort, _, waarde = request.headers.get("authorization", "").partition(" ")
        geheim = base64.b64decode(waarde).decode() if soort.lower() == "basic" else ""
        if geheim != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return JSONResponse({"error": "invalid_client"}, 401)
        gevraagd = self.codes.pop(form.get("code", ""), None)  # one use per code
        if gevraagd is None or gevraagd["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, 400)
        verwacht = (
            base64.urlsafe_b64encode(
                hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            )
            .rstrip(b"=")
            .decode()
        )
        if verwacht != gevraagd["code_challenge"]:
            return JSONResponse({"error": "invalid_grant", "why": "PKCE"}, 400)
        return JSONResponse(
            {"access_token": "at", "token_type": "Bearer", "id_token": self._id_token(gevraagd)}
        )

    def _id_token(self, gevraagd: dict[str, str]) -> str:
        nu = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": gevraagd["als"],
            "preferred_username": gevraagd["als"],
            "nonce": gevraagd.get("nonce", ""),
            "iat": nu,
            "exp": nu + 300,
        }
        sleutel = self.sleutel
        bederf, self.bederf = self.bederf, None
        if bederf == "nonce":
            claims["nonce"] = "another"
        elif bederf == "aud":
            claims["aud"] = "someone-else"
        elif bederf == "iss":
            claims["iss"] = "http://evil.example"
        elif bederf == "exp":
            claims["exp"] = nu - 600
        elif bederf == "claim":
            del claims["sub"]
        elif bederf == "sleutel":
            sleutel = RSAKey.generate_key(2048, parameters={"kid": "test-1"})
        return jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, sleutel)

    # --- serving --------------------------------------------------------------------------

    def start(self) -> None:
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
            ]
        )
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.poort, log_level="warning")
        )
        threading.Thread(target=self.server.run, daemon=True).start()
        for _ in range(100):
            if self.server.started:
                return
            time.sleep(0.05)
        raise AssertionError("the test identity provider did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
