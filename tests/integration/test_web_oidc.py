"""The OpenID Connect log-in of the pages (issue 22), against a small provider these tests
start themselves (tests/oidc_provider.py): off by default; on, the code flow with PKCE ends in
a session for the local person the claim names; every wrong ID token, an unknown person, a
changed state or an answer that never went out opens nothing."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.aii_node import vrije_poort
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from tests.web_wereld import Wereld, bouw_wereld, zet_oidc


@pytest.fixture(scope="module")
def wereld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wereld]:
    with pytest.MonkeyPatch.context() as mp:
        yield from bouw_wereld(tmp_path_factory.mktemp("oidc"), mp, vrije_poort())


@pytest.fixture(scope="module")
def provider() -> Iterator[TestProvider]:
    p = TestProvider()
    p.start()
    yield p
    p.stop()


@pytest.fixture
def aii(wereld: Wereld, provider: TestProvider) -> Iterator[TestClient]:
    zet_oidc(wereld.home, "aii", provider.issuer, CLIENT_ID, CLIENT_SECRET)
    with wereld.client("aii") as client:
        yield client


def _via_provider(aii: TestClient, als: str) -> httpx.Response:
    """The browser's way: to the provider, answered for ``als``, and back to the node."""
    naar = aii.get("/login/oidc", follow_redirects=False)
    assert naar.status_code == 303, naar.text
    heen = httpx.get(naar.headers["location"] + f"&als={als}", follow_redirects=False)
    assert heen.status_code == 302, heen.text
    terug = urlsplit(heen.headers["location"])
    antwoord: httpx.Response = aii.get(f"{terug.path}?{terug.query}", follow_redirects=False)
    return antwoord


def test_off_by_default_no_link_and_no_route(wereld: Wereld) -> None:
    with wereld.client("vsb") as vsb:
        assert "Aanmelden via" not in vsb.get("/login").text
        assert vsb.get("/login/oidc").status_code == 404


def test_the_code_flow_with_pkce_opens_a_session_for_the_person_the_claim_names(
    aii: TestClient, provider: TestProvider
) -> None:
    assert "Aanmelden via de testidentiteitsdienst" in aii.get("/login").text
    naar = aii.get("/login/oidc", follow_redirects=False)
    gevraagd = parse_qs(urlsplit(naar.headers["location"]).query)
    assert gevraagd["code_challenge_method"] == ["S256"]
    assert gevraagd["client_id"] == [CLIENT_ID]
    assert gevraagd["redirect_uri"] == ["http://testserver/login/oidc/terug"]
    koek = naar.headers["set-cookie"]
    assert "kbi_oidc=" in koek
    assert "HttpOnly" in koek
    assert "Path=/login/oidc" in koek
    terug = _via_provider(aii, "olga")
    assert terug.status_code == 200, terug.text
    # the way on is a page of this site (SameSite=Strict), not a redirect
    assert 'http-equiv="refresh"' in terug.text
    assert "kbi_sessie=" in terug.headers["set-cookie"]
    start = aii.get("/start")
    assert "aii-operator" in start.text
    assert "olga" in start.text


@pytest.mark.parametrize("bederf", ["nonce", "aud", "iss", "exp", "sleutel", "claim"])
def test_a_wrong_id_token_opens_nothing(
    aii: TestClient, provider: TestProvider, bederf: str
) -> None:
    provider.bederf = bederf
    terug = _via_provider(aii, "olga")
    assert terug.status_code == 401, (bederf, terug.text[:300])
    assert "mislukt" in terug.text
    assert "kbi_sessie" not in terug.headers.get("set-cookie", "")
    assert aii.get("/start", follow_redirects=False).status_code == 303


def test_a_person_the_node_does_not_know_opens_nothing(aii: TestClient) -> None:
    terug = _via_provider(aii, "mallory")
    assert terug.status_code == 401
    assert "kbi_sessie" not in terug.headers.get("set-cookie", "")


def test_a_changed_state_or_an_answer_nobody_asked_for_opens_nothing(
    aii: TestClient, provider: TestProvider
) -> None:
    naar = aii.get("/login/oidc", follow_redirects=False)
    heen = httpx.get(naar.headers["location"] + "&als=olga", follow_redirects=False)
    terug = urlsplit(heen.headers["location"])
    vervalst = terug.query.replace("state=", "state=x")
    assert aii.get(f"{terug.path}?{vervalst}").status_code == 401
    # without the cookie of the attempt (another browser), the same answer opens nothing
    aii.cookies.clear()
    assert aii.get(f"{terug.path}?{terug.query}").status_code == 401
    assert aii.get("/login/oidc/terug?error=access_denied").status_code == 401
