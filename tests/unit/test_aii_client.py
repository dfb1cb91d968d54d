"""The VSB node's AII client (SPEC §9): timeouts, retries with the same referte, a circuit
breaker; whatever is not a readable answer is "source unavailable", never an OK."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import httpx
import pytest

from kbi_exchange.adapters.aii_client import AiiClient, CircuitBreaker, lees_antwoord
from kbi_exchange.domain.aanvraag import BronOnbeschikbaar

INSZ = "85073001546"
DAG = date(2024, 2, 1)


class Klok:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _antwoord(
    vraag: dict[str, str], advies: str | None = "OK", **extra: object
) -> dict[str, object]:
    return {
        "referte": vraag["referte"],
        "insz": vraag["insz"],
        "datum": vraag["datum"],
        "advies": advies,
        "reden": None,
        "uitzonderingen": [],
        **extra,
    }


def _client(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    pogingen: int = 3,
    breaker: CircuitBreaker | None = None,
) -> tuple[AiiClient, list[dict[str, str]], list[float]]:
    vragen: list[dict[str, str]] = []
    pauzes: list[float] = []

    def opname(request: httpx.Request) -> httpx.Response:
        vragen.append(json.loads(request.content))
        assert request.headers["authorization"] == "Bearer geheim"
        return handler(request)

    client = AiiClient(
        "http://aii.test",
        "geheim",
        timeout=1,
        pogingen=pogingen,
        wacht=0.5,
        breaker=breaker or CircuitBreaker(5, 30),
        transport=httpx.MockTransport(opname),
        slaap=pauzes.append,
    )
    return client, vragen, pauzes


def test_an_answer_is_read_with_its_reason() -> None:
    def nok(request: httpx.Request) -> httpx.Response:
        vraag = json.loads(request.content)
        reden = {"code": "INBREUK_VASTGESTELD", "omschrijving": "Er werd een inbreuk ..."}
        return httpx.Response(200, json=_antwoord(vraag, "NOK", reden=reden))

    client, vragen, _ = _client(nok)
    antwoord = client.vraag(INSZ, DAG, "r-1")
    assert (antwoord.advies, antwoord.reden_code) == ("NOK", "INBREUK_VASTGESTELD")
    assert vragen == [{"insz": INSZ, "datum": "2024-02-01", "doel": "ZORGBUDGET", "referte": "r-1"}]


def test_a_refused_question_is_an_answer_without_advice() -> None:
    def geweigerd(request: httpx.Request) -> httpx.Response:
        vraag = json.loads(request.content)
        fout = {"identificatie": "40001", "type": "FOUT", "diagnose": "...", "oorsprong": "KBI"}
        return httpx.Response(403, json=_antwoord(vraag, None, uitzonderingen=[fout]))

    client, vragen, _ = _client(geweigerd)
    antwoord = client.vraag(INSZ, DAG, "r-1")
    assert antwoord.advies is None
    assert antwoord.json()["uitzonderingen"] == ["40001"]
    assert len(vragen) == 1  # a refusal is not retried


def test_bad_credentials_are_a_refusal_that_names_40006() -> None:
    def niet_aangemeld(_: httpx.Request) -> httpx.Response:
        fout = {"identificatie": "40006", "type": "FOUT", "diagnose": "Ontbrekende ..."}
        body = {"referte": None, "advies": None, "reden": None, "uitzonderingen": [fout]}
        return httpx.Response(401, json=body)

    client, _, _ = _client(niet_aangemeld)
    assert client.vraag(INSZ, DAG, "r-1").json()["uitzonderingen"] == ["40006"]


def test_retries_reuse_the_referte_and_honour_retry_after() -> None:
    pogingen = iter(
        [
            httpx.Response(503, headers={"Retry-After": "2"}, json={}),
            httpx.Response(502, text="bad gateway"),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        volgende = next(pogingen, None)
        return volgende or httpx.Response(200, json=_antwoord(json.loads(request.content)))

    client, vragen, pauzes = _client(handler)
    assert client.vraag(INSZ, DAG, "r-7").advies == "OK"
    assert [v["referte"] for v in vragen] == ["r-7", "r-7", "r-7"]
    assert pauzes == [2.0, 1.0]  # Retry-After, then the doubled pause


@pytest.mark.parametrize(
    "storing",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("cut"),
    ],
)
def test_no_answer_after_every_attempt_is_source_unavailable(storing: Exception) -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        raise storing

    client, vragen, pauzes = _client(handler, pogingen=3)
    with pytest.raises(BronOnbeschikbaar, match="after 3 attempts"):
        client.vraag(INSZ, DAG, "r-1")
    assert len(vragen) == 3
    assert pauzes == [0.5, 1.0]


@pytest.mark.parametrize(
    "body",
    [
        b"<html>proxy error</html>",
        b'{"advies": "JA", "referte": "r-1", "uitzonderingen": []}',
        b'{"advies": "OK", "referte": "r-2", "uitzonderingen": []}',
        b'{"advies": "OK", "referte": null, "uitzonderingen": []}',
        b'{"advies": "NOK", "referte": "r-1", "reden": null, "uitzonderingen": []}',
        b'{"advies": null, "referte": "r-1", "uitzonderingen": []}',
        b'{"advies": "OK", "referte": "r-1", "reden": {}, "uitzonderingen": []}',
        b'{"advies": "NOK", "referte": "r-1", "reden": "x", "uitzonderingen": []}',
        b'{"advies": "OK", "referte": "r-1", "uitzonderingen": [{"identificatie": 1}]}',
        b'{"advies": "OK", "referte": "r-1", "uitzonderingen": null}',
        b"[]",
    ],
)
def test_a_body_that_is_not_an_answer_is_never_taken_for_one(body: bytes) -> None:
    client, _, _ = _client(lambda _: httpx.Response(200, content=body), pogingen=2)
    with pytest.raises(BronOnbeschikbaar, match="unreadable answer"):
        client.vraag(INSZ, DAG, "r-1")


def test_the_breaker_opens_after_failures_in_a_row_and_lets_one_trial_through() -> None:
    klok = Klok()
    breaker = CircuitBreaker(3, 30, klok=klok)
    werkt = False

    def handler(request: httpx.Request) -> httpx.Response:
        if not werkt:
            raise httpx.ConnectError("down")
        return httpx.Response(200, json=_antwoord(json.loads(request.content)))

    client, vragen, _ = _client(handler, pogingen=2, breaker=breaker)
    with pytest.raises(BronOnbeschikbaar):
        client.vraag(INSZ, DAG, "r-1")  # two failures
    with pytest.raises(BronOnbeschikbaar):
        client.vraag(INSZ, DAG, "r-2")  # the third opens the breaker
    assert breaker.open
    assert len(vragen) == 3
    with pytest.raises(BronOnbeschikbaar, match="not called for a while"):
        client.vraag(INSZ, DAG, "r-3")
    assert len(vragen) == 3  # nothing went out
    klok.t = 31
    with pytest.raises(BronOnbeschikbaar):
        client.vraag(INSZ, DAG, "r-4")  # the trial fails: open again at once
    assert len(vragen) == 4
    assert breaker.open
    klok.t = 62
    werkt = True
    assert client.vraag(INSZ, DAG, "r-5").advies == "OK"
    assert not breaker.open


def test_only_one_trial_goes_out_while_the_breaker_is_half_open() -> None:
    klok = Klok()
    breaker = CircuitBreaker(1, 10, klok=klok)
    breaker.mislukt()
    assert not breaker.toegestaan()
    klok.t = 11
    assert breaker.toegestaan()
    assert not breaker.toegestaan()  # a second caller waits for the trial's outcome
    breaker.gelukt()
    assert breaker.toegestaan()
    assert breaker.toegestaan()


def test_no_token_is_a_clear_error_when_aii_would_be_asked() -> None:
    client = AiiClient(
        "http://aii.test", "", timeout=1, pogingen=1, wacht=0, breaker=CircuitBreaker(1, 1)
    )
    with pytest.raises(BronOnbeschikbaar, match="KBI_VSB_AII_TOKEN"):
        client.vraag("85073003328", date(2024, 1, 1), "r-1")
    with pytest.raises(BronOnbeschikbaar, match="KBI_VSB_AII_TOKEN"):
        client.rectificaties(0)


def test_lees_antwoord_accepts_a_refusal_without_referte() -> None:
    fout = [{"identificatie": "50000", "type": "FOUT", "diagnose": "Het verzoek is ongeldig."}]
    antwoord = lees_antwoord({"referte": None, "advies": None, "uitzonderingen": fout}, "r-1")
    assert antwoord.referte == "r-1"
    assert antwoord.advies is None


def test_a_trial_call_that_gets_junk_closes_nothing_and_a_later_trial_still_goes_out() -> None:
    klok = Klok()
    breaker = CircuitBreaker(1, 10, klok=klok)
    goed = False

    def handler(request: httpx.Request) -> httpx.Response:
        if goed:
            return httpx.Response(200, json=_antwoord(json.loads(request.content)))
        return httpx.Response(200, content=b'{"advies": "OK", "reden": {}}')

    client, vragen, _ = _client(handler, pogingen=1, breaker=breaker)
    with pytest.raises(BronOnbeschikbaar):
        client.vraag(INSZ, DAG, "r-1")  # opens the breaker
    klok.t = 11
    with pytest.raises(BronOnbeschikbaar):
        client.vraag(INSZ, DAG, "r-2")  # the trial gets junk: open again, trial released
    klok.t = 22
    goed = True
    assert client.vraag(INSZ, DAG, "r-3").advies == "OK"
    assert len(vragen) == 3
