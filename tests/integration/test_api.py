"""The REST advice service (SPEC §7) on both databases, through its HTTP interface."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from kbi_exchange.adapters.db.aii_models import AuditRow, BeslissingRow
from kbi_exchange.bootstrap import engine
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.settings import load_settings
from tests.conftest import EXAMPLES, assert_matches_expected, example_cases, kbi, stel_in

Cap = pytest.CaptureFixture[str]
ANTWOORDVELDEN = {"referte", "insz", "datum", "advies", "reden", "uitzonderingen"}


@pytest.fixture
def api(home: Path, capsys: Cap) -> Iterator[tuple[TestClient, str]]:
    """The AII node's service over the examples, and the token of a ZORGBUDGET client."""
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(
        kbi(capsys, "aii", "clients", "add", "vsb-node", "--purpose", "ZORGBUDGET").out
    )["token"]
    with TestClient(maak_app(load_settings())) as client:
        yield client, token


def _vraag(insz: str, datum: str, **extra: str) -> dict[str, str]:
    return {
        "insz": insz,
        "datum": datum,
        "doel": "ZORGBUDGET",
        "referte": str(uuid.uuid4()),
        **extra,
    }


def _post(api: tuple[TestClient, str], pad: str, body: Any, **kw: Any) -> Any:
    client, token = api
    return client.post(pad, json=body, headers={"Authorization": f"Bearer {token}"}, **kw)


def _als_decide(body: dict[str, Any]) -> dict[str, Any]:
    """The REST body in the fields the examples compare (those of `kbi aii decide --json`)."""
    return {
        "advies": body["advies"],
        "reden": body["reden"]["code"] if body["reden"] else None,
        "uitzonderingen": [u["identificatie"] for u in body["uitzonderingen"]],
    }


def _verwacht_rest(verwacht: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in verwacht.items() if k in {"advies", "reden", "uitzonderingen"}}


def test_every_example_answers_over_rest_as_expected(api: tuple[TestClient, str]) -> None:
    for geval in example_cases():
        if "gekend_op" in geval["vraag"]:
            continue  # REST asks as known now; the past is asked through `decide --known-at`
        v = geval["vraag"]
        antwoord = _post(api, "/api/v1/advies", _vraag(v["insz"], v["datum"]))
        body = antwoord.json()
        assert set(body) == ANTWOORDVELDEN
        assert_matches_expected(_als_decide(body), _verwacht_rest(geval["verwacht"]))
        assert antwoord.status_code == (400 if geval["verwacht"]["advies"] is None else 200)


def test_a_batch_answers_each_question_on_its_own_in_order(api: tuple[TestClient, str]) -> None:
    gevallen = [g for g in example_cases() if "gekend_op" not in g["vraag"]]
    vragen = [_vraag(g["vraag"]["insz"], g["vraag"]["datum"]) for g in gevallen]
    antwoord = _post(api, "/api/v1/advies/batch", {"vragen": vragen})
    assert antwoord.status_code == 200
    antwoorden = antwoord.json()["antwoorden"]
    assert [a["referte"] for a in antwoorden] == [v["referte"] for v in vragen]
    for geval, body in zip(gevallen, antwoorden, strict=True):
        assert_matches_expected(_als_decide(body), _verwacht_rest(geval["verwacht"]))


def test_a_batch_of_more_than_10000_is_refused_whole(api: tuple[TestClient, str]) -> None:
    vragen = [_vraag("85073003328", "2023-01-01")] * 10_001
    antwoord = _post(api, "/api/v1/advies/batch", {"vragen": vragen})
    assert antwoord.status_code == 400
    assert antwoord.json()["antwoorden"] == []
    assert antwoord.json()["uitzonderingen"][0]["identificatie"] == "50000"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_vraag("85073002537", "2023-01-01"), 400, "20002"),
        (_vraag("85073003328", "2021-12-31"), 403, "40001"),
        (_vraag("85073003328", "2023-01-01", doel="VERLAAGDE_PREMIE"), 403, "40006"),
        ({"insz": "85073003328", "datum": "2023-01-01", "doel": "ZORGBUDGET"}, 400, "50000"),
        (_vraag("85073003328", "2023-01-01", extra="x"), 400, "50000"),
        (_vraag("85073003328", "2023-02-30"), 400, "50000"),
        (["not", "an", "object"], 400, "50000"),
    ],
)
def test_a_refused_question_gets_the_same_body_with_its_uitzondering(
    api: tuple[TestClient, str], body: Any, status: int, code: str
) -> None:
    antwoord = _post(api, "/api/v1/advies", body)
    assert antwoord.status_code == status
    assert set(antwoord.json()) == ANTWOORDVELDEN
    assert antwoord.json()["advies"] is None
    assert antwoord.json()["uitzonderingen"][0]["identificatie"] == code


def test_malformed_json_is_a_400_with_50000_never_a_framework_422(
    api: tuple[TestClient, str],
) -> None:
    client, token = api
    antwoord = client.post(
        "/api/v1/advies",
        content=b'{"insz": ',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert antwoord.status_code == 400
    assert antwoord.json()["uitzonderingen"][0]["identificatie"] == "50000"


def test_an_oversized_request_is_refused_before_it_is_read(api: tuple[TestClient, str]) -> None:
    client, token = api
    antwoord = client.post(
        "/api/v1/advies", content=b"x" * (65 * 1024), headers={"Authorization": f"Bearer {token}"}
    )
    assert antwoord.status_code == 413


@pytest.mark.parametrize("kop", [None, "Bearer wrong-token", "Basic dXNlcjpwdw=="])
def test_missing_or_bad_credentials_get_401_with_40006(
    api: tuple[TestClient, str], kop: str | None
) -> None:
    client, _ = api
    headers = {"Authorization": kop} if kop else {}
    antwoord = client.post(
        "/api/v1/advies", json=_vraag("85073003328", "2023-01-01"), headers=headers
    )
    assert antwoord.status_code == 401
    assert antwoord.json()["uitzonderingen"][0]["identificatie"] == "40006"


def test_failed_authentications_are_one_security_event_per_address_not_one_entry_each(
    home: Path, database_url: str
) -> None:
    def laatste() -> Any:
        with engine(database_url).connect() as verbinding:
            return verbinding.execute(select(AuditRow).order_by(AuditRow.seq.desc())).first()

    voor = laatste()
    with TestClient(maak_app(load_settings())) as client:
        for i in range(5):
            antwoord = client.post(
                "/api/v1/advies",
                json=_vraag("85073003328", "2023-01-01"),
                headers={"Authorization": f"Bearer random-{i}"},
            )
            assert antwoord.status_code == 401
        assert laatste() == voor  # nothing written while the window is open
    # the window is recorded when it ends, at the latest when the server stops
    na = laatste()
    assert (na.seq, na.actor, na.gebeurtenis) == (
        (voor.seq if voor else 0) + 1,
        "unauthenticated",
        "kbi:security:auth-failed",
    )
    inhoud = json.loads(na.inhoud)
    assert (inhoud["adres"], inhoud["aantal"]) == ("testclient", 5)


def test_an_address_past_its_failed_authentications_is_refused_but_valid_tokens_pass(
    api: tuple[TestClient, str],
) -> None:
    client, _ = api
    statussen = [
        client.post(
            "/api/v1/advies",
            json=_vraag("85073003328", "2023-01-01"),
            headers={"Authorization": f"Bearer random-{i}"},
        ).status_code
        for i in range(25)
    ]
    assert statussen == [401] * 20 + [503] * 5  # auth_failures_burst = 20 by default
    assert _post(api, "/api/v1/advies", _vraag("85073003328", "2023-01-01")).status_code == 200


def test_a_revoked_client_is_refused_within_a_second(
    api: tuple[TestClient, str], capsys: Cap
) -> None:
    assert _post(api, "/api/v1/advies", _vraag("85073003328", "2023-01-01")).status_code == 200
    assert kbi(capsys, "aii", "clients", "revoke", "vsb-node").code == 0
    time.sleep(1.05)
    assert _post(api, "/api/v1/advies", _vraag("85073003328", "2023-01-01")).status_code == 401


def test_the_same_referte_for_the_same_question_returns_the_stored_answer(
    api: tuple[TestClient, str], database_url: str
) -> None:
    vraag = _vraag("85073001546", "2022-01-01")
    eerste = _post(api, "/api/v1/advies", vraag)
    tweede = _post(api, "/api/v1/advies", vraag)
    assert tweede.json() == eerste.json()
    with engine(database_url).connect() as verbinding:
        assert verbinding.scalar(select(func.count()).select_from(BeslissingRow)) == 1
    ander = _post(api, "/api/v1/advies", dict(vraag, datum="2023-01-01"))
    assert ander.status_code == 400
    assert ander.json()["uitzonderingen"][0]["identificatie"] == "50000"


def test_an_answer_carries_nothing_about_the_person_beyond_spec_7(
    api: tuple[TestClient, str],
) -> None:
    body = _post(api, "/api/v1/advies", _vraag("85073002932", "2023-01-01")).json()
    assert set(body) == ANTWOORDVELDEN
    assert body["insz"] == "85073002932"
    tekst = json.dumps(body)
    assert "85073003130" not in tekst, "the new number of a replaced INSZ must not leave"
    for woord in ("uitleg", "feiten", "doelgroep", "aanmelding", "geboortedatum"):
        assert woord not in tekst
    assert body["uitzonderingen"][0]["type"] == "WAARSCHUWING"


def test_every_answer_and_refusal_is_in_the_audit_log_when_it_arrives(
    api: tuple[TestClient, str], database_url: str, capsys: Cap
) -> None:
    def aantal() -> int:
        with engine(database_url).connect() as verbinding:
            return verbinding.scalar(select(func.count()).select_from(AuditRow)) or 0

    voor = aantal()
    _post(api, "/api/v1/advies", _vraag("85073001546", "2022-01-01"))
    assert aantal() == voor + 1
    _post(api, "/api/v1/advies", _vraag("85073002537", "2022-01-01"))
    assert aantal() == voor + 2
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
    gevonden = json.loads(kbi(capsys, "audit", "search", "--insz", "85073001546", "--json").out)
    assert gevonden[0]["actor"] == "vsb-node"
    assert gevonden[0]["inhoud"]["advies"] == "NOK"


def test_the_openapi_document_describes_the_service(api: tuple[TestClient, str]) -> None:
    client, _ = api
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/advies", "/api/v1/advies/batch", "/api/v1/health", "/api/v1/live"} <= set(
        document["paths"]
    )
    vraag = document["paths"]["/api/v1/advies"]["post"]["requestBody"]
    assert set(vraag["content"]["application/json"]["schema"]["properties"]) == {
        "insz",
        "datum",
        "doel",
        "referte",
    }


def test_health_checks_the_database_and_the_signing_key(api: tuple[TestClient, str]) -> None:
    client, _ = api
    antwoord = client.get("/api/v1/health")
    assert antwoord.status_code == 200
    assert antwoord.json() == {
        "status": "ok",
        "database": "ok",
        "writer": "ok",
        "signing_key": "ok",
    }


def test_a_killed_writer_answers_99996_and_is_replaced(api: tuple[TestClient, str]) -> None:
    client, _ = api
    schrijver = client.app.state.api.schrijver  # type: ignore[attr-defined]
    assert _post(api, "/api/v1/advies", _vraag("85073001546", "2022-01-01")).status_code == 200
    oud = schrijver.pid
    os.kill(oud, signal.SIGKILL)
    for _ in range(50):  # until the event loop has seen the pipe close
        if client.get("/api/v1/health").json()["writer"] == "not running":
            break
        time.sleep(0.05)
    statussen = []
    for _ in range(3):
        antwoord = _post(api, "/api/v1/advies", _vraag("85073001546", "2022-01-01"))
        statussen.append(antwoord.status_code)
        if antwoord.status_code == 200:
            break
        assert antwoord.json()["uitzonderingen"][0]["identificatie"] == "99996"
    assert statussen[-1] == 200, statussen
    assert schrijver.pid not in (None, oud)


def test_liveness_answers_without_touching_the_database(api: tuple[TestClient, str]) -> None:
    """The benchmarks' ceiling: it must be a real 200, not a 404 of a missing route."""
    client, _ = api
    antwoord = client.get("/api/v1/live")
    assert (antwoord.status_code, antwoord.json()) == (200, {"status": "live"})


def _beslissing_id(database_url: str, referte: str) -> str:
    with engine(database_url).connect() as verbinding:
        return str(
            verbinding.scalar(select(BeslissingRow.id).where(BeslissingRow.referte == referte))
        )


def test_a_stored_decision_replays_to_the_same_answer(
    api: tuple[TestClient, str], database_url: str, capsys: Cap
) -> None:
    for insz, datum in (
        ("85073001546", "2022-01-01"),
        ("85073002932", "2023-01-01"),
        ("85073002537", "2023-01-01"),
    ):
        vraag = _vraag(insz, datum)
        _post(api, "/api/v1/advies", vraag)
        uit = kbi(
            capsys,
            "aii",
            "decision",
            "show",
            _beslissing_id(database_url, vraag["referte"]),
            "--json",
        )
        assert uit.code == 0, uit
        getoond = json.loads(uit.out)
        assert getoond["herspeling_gelijk"] is True
        assert getoond["herspeeld"] == getoond["antwoord"]


def test_a_replay_ignores_facts_that_arrived_after_the_answer(
    api: tuple[TestClient, str], database_url: str, tmp_path: Path, capsys: Cap
) -> None:
    vraag = _vraag("85073001348", "2023-01-01")
    assert _post(api, "/api/v1/advies", vraag).json()["advies"] == "OK"
    later = tmp_path / "later.jsonl"
    later.write_text(
        json.dumps(
            {
                "insz": "85073001348",
                "inbreuken": [
                    {
                        "datum_vaststelling": "2022-06-01",
                        "geregistreerd_op": "2022-06-02T10:00:00+02:00",
                    }
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert kbi(capsys, "aii", "import", str(later)).code == 0
    opnieuw = _post(api, "/api/v1/advies", _vraag("85073001348", "2023-01-01"))
    assert opnieuw.json()["advies"] == "NOK", "a backdated fact changes a new answer"
    uit = kbi(
        capsys, "aii", "decision", "show", _beslissing_id(database_url, vraag["referte"]), "--json"
    )
    assert uit.code == 0
    assert json.loads(uit.out)["herspeeld"]["advies"] == "OK"


@pytest.mark.usefixtures("api")
def test_an_unknown_decision_is_one_line(capsys: Cap) -> None:
    uit = kbi(capsys, "aii", "decision", "show", "nope")
    assert uit.code == 1
    assert "no decision nope" in uit.err


def test_a_client_over_its_rate_gets_99996_with_retry_after_at_once(
    home: Path, capsys: Cap
) -> None:
    stel_in(
        home,
        ("advice_burst_per_client = 20000", "advice_burst_per_client = 2"),
        ("advice_per_second_per_client = 2000.0", "advice_per_second_per_client = 0.01"),
    )
    token = json.loads(
        kbi(capsys, "aii", "clients", "add", "traag", "--purpose", "ZORGBUDGET").out
    )["token"]
    with TestClient(maak_app(load_settings())) as client:
        statussen = [
            client.post(
                "/api/v1/advies",
                json=_vraag("85073003328", "2023-01-01"),
                headers={"Authorization": f"Bearer {token}"},
            )
            for _ in range(3)
        ]
    assert [a.status_code for a in statussen] == [200, 200, 503]
    assert statussen[2].headers["Retry-After"] == "1"
    assert statussen[2].json()["uitzonderingen"][0]["identificatie"] == "99996"


def test_a_referte_repeated_within_one_batch_is_answered_once_and_the_batch_goes_through(
    api: tuple[TestClient, str], database_url: str
) -> None:
    vraag = _vraag("85073001546", "2022-01-01")
    anders = dict(vraag, datum="2023-01-01")
    vragen: list[object] = [vraag, _vraag("85073001348", "2023-01-01"), vraag, anders]
    antwoord = _post(api, "/api/v1/advies/batch", {"vragen": vragen})
    assert antwoord.status_code == 200
    bodies = antwoord.json()["antwoorden"]
    assert bodies[0] == bodies[2]
    assert bodies[1]["advies"] == "OK"
    assert bodies[3]["uitzonderingen"][0]["identificatie"] == "50000"
    with engine(database_url).connect() as verbinding:
        assert (
            verbinding.scalar(
                select(func.count())
                .select_from(BeslissingRow)
                .where(BeslissingRow.referte == vraag["referte"])
            )
            == 1
        )


def test_an_unavailable_database_is_99996_and_nothing_leaves(
    api: tuple[TestClient, str], database_url: str
) -> None:
    with engine(database_url).begin() as verbinding:
        verbinding.execute(text("DROP TABLE beslissing"))
    antwoord = _post(api, "/api/v1/advies", _vraag("85073001546", "2022-01-01"))
    assert antwoord.status_code == 503
    assert antwoord.headers["Retry-After"] == "1"
    assert antwoord.json()["advies"] is None
    assert antwoord.json()["uitzonderingen"][0]["identificatie"] == "99996"


def test_health_is_cheap_it_neither_signs_nor_rereads_the_migrations(
    api: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbi_exchange.adapters.db.migrate import is_actueel  # noqa: PLC0415
    from kbi_exchange.adapters.keys import Keys  # noqa: PLC0415

    client, _ = api
    geteld = {"onderteken": 0, "is_actueel": 0}
    onderteken = Keys.sign

    def tel_onderteken(self: Keys, gegevens: bytes) -> tuple[str, str]:
        geteld["onderteken"] += 1
        return onderteken(self, gegevens)

    def tel_is_actueel(*args: Any) -> bool:
        geteld["is_actueel"] += 1
        return is_actueel(*args)

    monkeypatch.setattr(Keys, "sign", tel_onderteken)
    monkeypatch.setattr("kbi_exchange.bootstrap.is_actueel", tel_is_actueel)
    for _ in range(20):
        assert client.get("/api/v1/health").status_code == 200
    assert geteld == {"onderteken": 0, "is_actueel": 0}


def test_the_dpo_finds_every_answer_and_refusal_about_a_person(
    api: tuple[TestClient, str], capsys: Cap
) -> None:
    geschreven = _vraag("85073003328", "2023-01-01")
    assert _post(api, "/api/v1/advies", geschreven).status_code == 200
    assert _post(api, "/api/v1/advies", geschreven).status_code == 200  # a repeat
    premie = _vraag("85073003328", "2024-01-01", doel="VERLAAGDE_PREMIE")
    assert _post(api, "/api/v1/advies", premie).status_code == 403  # a purpose not allowed
    # the printed form is no INSZ here (SPEC §7): refused with 20002, about no one
    gedrukt = _post(api, "/api/v1/advies", _vraag("85.07.30-033.28", "2023-01-01"))
    assert (gedrukt.status_code, gedrukt.json()["uitzonderingen"][0]["identificatie"]) == (
        400,
        "20002",
    )
    gevonden = json.loads(kbi(capsys, "audit", "search", "--insz", "85073003328", "--json").out)
    assert [(g["gebeurtenis"], g["inhoud"]["referte"]) for g in gevonden] == [
        ("kbi:advies:answer", geschreven["referte"]),
        ("kbi:advies:repeat", geschreven["referte"]),
        ("kbi:advies:refuse", premie["referte"]),
    ]
