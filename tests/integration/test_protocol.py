"""The protocol's life on the AII node (SPEC §12): suspended, every flow answers 40001 — REST,
batch, SOAP, the list's pull — until AII's DPO resumes it; notice; the end."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kbi_exchange.adapters.db.aii_models import AuditRow
from kbi_exchange.bootstrap import engine
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.entrypoints.api.vsb_app import maak_app as maak_vsb_app
from kbi_exchange.settings import load_settings
from tests.conftest import EXAMPLES, kbi
from tests.integration.test_soap import _codes, _verzoek, _zeep, server  # noqa: F401

Cap = pytest.CaptureFixture[str]


def _vraag(referte: str | None = None) -> dict[str, str]:
    return {
        "insz": "85073001546",
        "datum": "2022-01-01",
        "doel": "ZORGBUDGET",
        "referte": referte or str(uuid.uuid4()),
    }


def _geweigerde_pulls() -> list[int]:
    """The years of the list pulls the protocol refused, from AII's audit log."""
    with engine(load_settings().aii_database_url).connect() as verbinding:
        teksten = verbinding.scalars(
            select(AuditRow.inhoud).where(AuditRow.gebeurtenis == "kbi:lijst:pull-refused")
        ).all()
    return [json.loads(t)["jaar"] for t in teksten if t]


@pytest.fixture
def dpo(home: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    for naam, rol in (("dora", "aii-dpo"), ("olga", "aii-operator")):
        assert kbi(capsys, "users", "add", naam, "--node", "aii", "--role", rol).code == 0
    return "dora"


def test_suspended_every_flow_answers_40001_until_the_dpo_resumes_it(  # noqa: PLR0915
    home: Path, dpo: str, capsys: Cap
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    uit = kbi(
        capsys, "aii", "clients", "add", "vsb-node", "--purpose", "ZORGBUDGET",
        "--purpose", "VERLAAGDE_PREMIE",
    )  # fmt: skip
    auth = {"Authorization": f"Bearer {json.loads(uit.out)['token']}"}
    with TestClient(maak_app(load_settings())) as http:
        assert http.post("/api/v1/advies", json=_vraag(), headers=auth).json()["advies"] == "NOK"
        # only AII's DPO suspends
        geweigerd = kbi(capsys, "protocol", "suspend", "--reason", "onderzoek", "--as", "olga")
        assert geweigerd.code == 1
        assert "does not grant kbi:protocol:manage" in geweigerd.err
        # a delivery that crashed after writing its file into aii/out/, not yet routed
        uit_map = home / "mailbox" / "aii" / "out"
        (uit_map / "KBI_VSB_LIJST_2026_20260102030405006.p7m").write_bytes(b"list")
        geschorst = kbi(capsys, "protocol", "suspend", "--reason", "onderzoek", "--as", dpo)
        assert geschorst.code == 0
        assert "held back, not sent" in geschorst.out
        assert list(uit_map.iterdir()) == []  # no mailbox server can route it now
        assert (home / "mailbox" / "aii" / "ingehouden").exists()
        assert list((home / "mailbox" / "vsb" / "in").iterdir()) == []
        referte = str(uuid.uuid4())
        antwoord = http.post("/api/v1/advies", json=_vraag(referte), headers=auth)
        assert antwoord.status_code == 403
        body = antwoord.json()
        assert (body["advies"], body["uitzonderingen"][0]["identificatie"]) == (None, "40001")
        assert "geschorst" in body["uitzonderingen"][0]["diagnose"]
        batch = http.post(
            "/api/v1/advies/batch", json={"vragen": [_vraag(), _vraag()]}, headers=auth
        ).json()
        assert [a["uitzonderingen"][0]["identificatie"] for a in batch["antwoorden"]] == [
            "40001",
            "40001",
        ]
        pull = http.get("/api/v1/lijsten/2025", headers=auth)
        assert (pull.status_code, pull.json()["uitzonderingen"][0]["identificatie"]) == (
            403,
            "40001",
        )
        assert _geweigerde_pulls() == [2025]  # the refusal is audited
        status = json.loads(kbi(capsys, "protocol", "status", "--json").out)
        assert status["toestand"] == "geschorst"
        assert [p["code"] for p in status["partijen"]] == ["aii", "vsb"]
        assert [s["toegestaan"] for s in status["stromen"]] == [False, False]

        # resumed: the same referte now gets its answer (a refusal for the moment is not kept)
        assert kbi(capsys, "protocol", "resume", "--as", dpo).code == 0
        weer = http.post("/api/v1/advies", json=_vraag(referte), headers=auth)
        assert (weer.status_code, weer.json()["advies"]) == (200, "NOK")
        assert kbi(capsys, "protocol", "resume", "--as", dpo).code == 1  # not suspended

        # notice: VSB's node is not running, so it has not received it and it does not run
        # yet (12 months from its receipt: test_protocol_stappen.py); the step waits to be told
        opzegging = kbi(capsys, "protocol", "notice", "--by", "aii", "--as", dpo)
        assert opzegging.code == 0
        assert "vsb has not taken this yet" in opzegging.err
        status = json.loads(kbi(capsys, "protocol", "status", "--json").out)
        assert (status["toestand"], status["eindigt_op"]) == ("in_werking", None)
        assert status["opzegging_onderweg"] == opzegging.out.splitlines()[0]
        assert any("not yet taken by vsb" in w for w in status["waarschuwingen"])
        assert http.post("/api/v1/advies", json=_vraag(), headers=auth).status_code == 200

        # the end: every flow stops for good, and nothing can be changed any more
        assert kbi(capsys, "protocol", "end", "--reason", "art. 8", "--as", dpo).code == 0
        assert http.post("/api/v1/advies", json=_vraag(), headers=auth).status_code == 403
        einde = kbi(capsys, "protocol", "resume", "--as", dpo)
        assert einde.code == 1
        assert "the protocol has ended" in einde.err
    with engine(load_settings().aii_database_url).connect() as verbinding:
        stappen = list(
            verbinding.scalars(
                select(AuditRow.inhoud).where(AuditRow.gebeurtenis == "kbi:protocol:change")
            )
        )
    assert [json.loads(s or "{}")["soort"] for s in stappen] == [
        "geschorst",
        "hervat",
        "opgezegd",
        "beeindigd",
    ]
    assert kbi(capsys, "audit", "verify", "--alone", "--node", "aii").code == 0


def test_suspended_soap_answers_each_question_with_40001(
    server: tuple[str, str],  # noqa: F811 - the SOAP tests' fixture
    capsys: Cap,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    assert kbi(capsys, "users", "add", "dora", "--node", "aii", "--role", "aii-dpo").code == 0
    assert kbi(capsys, "protocol", "suspend", "--reason", "onderzoek", "--as", "dora").code == 0
    repliek = _zeep(*server).service.GeefAdviesInburgeringsplicht(
        Verzoek=_verzoek([("85073001546", "2022-01-01"), ("85073001348", "2023-01-01")])
    )
    antwoorden = repliek.Antwoorden.Antwoord
    assert [_codes(a.Uitzonderingen) for a in antwoorden] == [["40001"], ["40001"]]
    assert all(a.Inhoud is None or a.Inhoud.Advies is None for a in antwoorden)


def test_a_lapsed_basis_stops_its_flow_and_the_report_names_the_refusals_it_bore(
    home: Path, dpo: str, capsys: Cap
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    uit = kbi(
        capsys, "aii", "clients", "add", "vsb-node", "--purpose", "ZORGBUDGET",
        "--purpose", "VERLAAGDE_PREMIE",
    )  # fmt: skip
    auth = {"Authorization": f"Bearer {json.loads(uit.out)['token']}"}
    basis = ("protocol", "basis", "end", "--flow", "F1", "--date", "2023-07-20")
    with TestClient(maak_app(load_settings())) as http:
        referte = str(uuid.uuid4())
        assert http.post("/api/v1/advies", json=_vraag(referte), headers=auth).status_code == 200
        # the dry run says what stops and records nothing
        droog = kbi(capsys, *basis, "--reason", "GwH 112/2023", "--as", dpo, "--dry-run")
        assert droog.code == 0, droog
        assert "would stop: F1 (ZORGBUDGET) from 2023-07-20" in droog.out
        assert "1 beslissing_f1" in droog.out
        assert json.loads(kbi(capsys, "protocol", "status", "--json").out)["gebeurtenissen"] == []
        tweede = str(uuid.uuid4())
        assert http.post("/api/v1/advies", json=_vraag(tweede), headers=auth).status_code == 200
        # recorded: F1 stops at once, F2 does not
        assert kbi(capsys, *basis, "--reason", "GwH 112/2023", "--as", dpo).code == 0
        antwoord = http.post("/api/v1/advies", json=_vraag(), headers=auth)
        assert antwoord.status_code == 403
        assert "sinds 2023-07-20" in antwoord.json()["uitzonderingen"][0]["diagnose"]
        assert http.get("/api/v1/lijsten/2025", headers=auth).status_code == 404  # no list
        opnieuw = kbi(capsys, *basis, "--reason", "nog eens", "--as", dpo)
        assert opnieuw.code == 1
        assert "lapsed already on 2023-07-20" in opnieuw.err
    te_vroeg = kbi(capsys, *basis[:-1], "2021-01-01", "--reason", "x", "--as", dpo)
    assert "before the protocol came into force" in te_vroeg.err
    zonder = kbi(capsys, "protocol", "report", "annulment")
    assert zonder.code == 2  # --as is required: the report is personal data under a pseudonym
    rapport = json.loads(kbi(capsys, "protocol", "report", "annulment", "--as", dpo, "--json").out)
    (regel,) = rapport
    assert regel["vervallen"]["datum"] == "2023-07-20"
    assert [(w["referte"], w["reden"]) for w in regel["weigeringen"]] == [
        (referte, "NIET_TIJDIG_AANGEMELD"),
        (tweede, "NIET_TIJDIG_AANGEMELD"),
    ]
    # both were answered after 2023-07-20, before the lapse was recorded: they had no ground
    assert [w["referte"] for w in regel["zonder_grond"]] == [referte, tweede]
    tekst = kbi(capsys, "protocol", "report", "annulment", "--as", dpo)
    assert referte in tekst.out
    assert "85073001546" not in tekst.out + json.dumps(rapport)


def test_the_transparency_data_is_public_on_both_nodes_and_names_no_person(
    home: Path, dpo: str, capsys: Cap
) -> None:
    with TestClient(maak_app(load_settings())) as http:
        samenvatting = http.get("/api/v1/protocol").json()  # no log-in
    assert samenvatting["in_werking"] == "2021-10-01"
    assert samenvatting["toestand"] == "in_werking"
    assert [p["code"] for p in samenvatting["partijen"]] == ["aii", "vsb"]
    f1, f2 = samenvatting["stromen"]
    assert (f1["doel"], f2["doel"]) == ("ZORGBUDGET", "VERLAAGDE_PREMIE")
    assert "5 jaar na het einde van het zorgbudget" in f1["bewaring"]
    assert f2["bewaring"] == "tot het overlijden van de betrokkene"
    assert all(s["gegevens"] and s["ontvangers"] and s["rechtsgronden"] for s in (f1, f2))
    assert {c["email"] for c in samenvatting["contactpunten"]} == {
        "ondersteuning.connect@integratie-inburgering.be",
        "vlaamsesocialebescherming@vlaanderen.be",
    }
    assert kbi(capsys, "protocol", "suspend", "--reason", "onderzoek", "--as", dpo).code == 0
    with TestClient(maak_app(load_settings())) as http:
        geschorst = http.get("/api/v1/protocol").json()
    assert geschorst["toestand"] == "geschorst"
    assert [s["toegestaan"] for s in geschorst["stromen"]] == [False, False]
    with TestClient(maak_vsb_app(load_settings())) as http:
        bij_vsb = http.get("/api/v1/protocol").json()
    assert [s["stroom"] for s in bij_vsb["stromen"]] == ["F1", "F2"]
    # VSB's own record, which follows AII's steps once told (VSB is not running here, so
    # the suspension has not reached it yet: test_protocol_stappen.py)
    assert (bij_vsb["node"], bij_vsb["toestand"]) == ("vsb", "in_werking")
