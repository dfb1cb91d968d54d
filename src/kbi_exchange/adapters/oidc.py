"""An agency's OpenID Connect identity provider for the pages' log-in (the Flemish government's
ACM/IDM speaks it): the authorization-code flow with PKCE (Authlib), the ID token checked with
the provider's published keys (joserfc, Authlib's JOSE) — issuer, audience, expiry, nonce —
and one claim read as the name of a local person. Blocking I/O: call it off the event loop."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from kbi_exchange.domain.fouten import Unauthenticated, Unavailable
from kbi_exchange.settings import OidcSettings

TIMEOUT = 10.0
CACHE_SECONDS = 300.0  # seconds the provider's configuration and keys are reused
MAX_ANSWER = 256 * 1024


class OidcFailed(Unauthenticated):
    """The identity provider's answer did not prove who this is (the message says why)."""


class OidcUnavailable(Unavailable):
    """The identity provider could not be reached or answered nonsense."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One log-in under way: where to send the person, and what must come back."""

    url: str
    state: str
    nonce: str
    verifier: str


class OidcProvider:
    """The identity provider of one node's pages."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._configuration: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def _get(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            antwoord = httpx.request(kwargs.pop("methode", "GET"), url, timeout=TIMEOUT, **kwargs)
        except httpx.HTTPError as fout:
            raise OidcUnavailable(f"the identity provider: {type(fout).__name__}") from None
        if len(antwoord.content) > MAX_ANSWER:
            raise OidcUnavailable("the identity provider's answer is too large")
        try:
            gelezen = antwoord.json()
        except ValueError:
            raise OidcUnavailable(
                f"the identity provider answered {antwoord.status_code}"
            ) from None
        if not isinstance(gelezen, dict):
            raise OidcUnavailable("the identity provider's answer is not a JSON object")
        if antwoord.status_code >= 400:
            raise OidcFailed(f"the identity provider refused: {str(gelezen.get('error'))[:100]}")
        return gelezen

    def configuration(self) -> dict[str, Any]:
        """The provider's discovery document (``/.well-known/openid-configuration``)."""
        nu = time.monotonic()
        if self._configuration is None or nu - self._configuration[0] > CACHE_SECONDS:
            issuer = self.settings.issuer.rstrip("/")
            gelezen = self._get(f"{issuer}/.well-known/openid-configuration")
            if gelezen.get("issuer", "").rstrip("/") != issuer:
                raise OidcUnavailable("the discovery document names another issuer")
            for veld in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(gelezen.get(veld), str):
                    raise OidcUnavailable(f"the discovery document has no {veld}")
            self._configuration = (nu, gelezen)
        return self._configuration[1]

    def _keyset(self, refresh: bool = False) -> KeySet:
        nu = time.monotonic()
        if refresh or self._keys is None or nu - self._keys[0] > CACHE_SECONDS:
            gelezen = self._get(self.configuration()["jwks_uri"])
            try:
                self._keys = (nu, KeySet.import_key_set(gelezen))  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise OidcUnavailable("the provider's keys could not be read") from None
        return self._keys[1]

    def start(self, redirect_uri: str) -> Attempt:
        """Where to send the person to log in, with a fresh state, nonce and PKCE verifier."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid profile",
                "state": state,
                "nonce": nonce,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        eindpunt = self.configuration()["authorization_endpoint"]
        scheiding = "&" if "?" in eindpunt else "?"
        return Attempt(f"{eindpunt}{scheiding}{query}", state, nonce, verifier)

    def person_name(self, *, code: str, redirect_uri: str, nonce: str, verifier: str) -> str:
        """The code exchanged for an ID token, the token checked, the claim that names the
        person read (a string, at most 64 characters)."""
        token = self._get(
            self.configuration()["token_endpoint"],
            methode="POST",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(self.settings.client_id, self.settings.client_secret),
        )
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcFailed("the identity provider sent no ID token")
        claims = self._check(id_token, nonce)
        naam = claims.get(self.settings.claim)
        if not isinstance(naam, str) or not 0 < len(naam) <= 64:
            raise OidcFailed(f"the ID token has no usable {self.settings.claim!r} claim")
        return naam

    def _check(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            try:
                gelezen = jwt.decode(id_token, self._keyset(), algorithms=["RS256", "ES256"])
            except JoseError:  # a rotated key: read the keys again once
                gelezen = jwt.decode(
                    id_token, self._keyset(refresh=True), algorithms=["RS256", "ES256"]
                )
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.configuration()["issuer"]},
                aud={"essential": True, "value": self.settings.client_id},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(gelezen.claims)
        except (JoseError, ValueError) as fout:
            raise OidcFailed(f"the ID token does not hold: {type(fout).__name__}") from None
        return dict(gelezen.claims)
