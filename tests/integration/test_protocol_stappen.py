"""The protocol's state binds both nodes (SPEC §9, §12; protocol art. 8, 9, 12), with both
nodes as real processes (`kbi serve`), on SQLite and PostgreSQL: AII's suspension, resumption,
end and lapses reach VSB, whose record follows and whose every step obeys it; VSB's lapse and
processors reach AII; a notice runs 12 months from its receipt, never from a date its sender
writes; a second notice and anything after the end are refused at the API; a signed
notification with a date out of range is a 400 naming the field."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.db.aii_models import BeslissingRow
from kbi_exchange.bootstrap import engine, pki
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.periods import plus_maanden
from kbi_exchange.settings import load_settings
from tests.aii_node import NodeServer, leden_bij_vsb, start_beide
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
OK_INSZ = "85073001348"  # complies on 2023-01-01 (examples)
NOK_INSZ = "85073001546"  # NIET_TIJDIG_AANGEMELD on 2022-01-01


@pytest.fixture
def stelsel(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[NodeServer, NodeServer, str]]:
    """Both nodes serving; AII's DPO dora, VSB's DPO vic, CM's handler zoe; two CM members;
    VSB's client at AII; a zorgkas client of CM at VSB (its token is yielded)."""
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    for args in (
        ("aii", "import", str(EXAMPLES / "dossiers.jsonl")),
        ("users", "add", "dora", "--node", "aii", "--role", "aii-dpo"),
        ("users", "add", "vic", "--node", "vsb", "--role", "vsb-dpo"),
        ("users", "add", "zoe", "--node", "vsb", "--role", "zorgkas-handler", "--zorgkas", "CM"),
    ):
        assert kbi(capsys, *args).code == 0, args
    leden_bij_vsb(twee_nodes, capsys, {"CM": [OK_INSZ, NOK_INSZ]})
    uit = kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET")
    monkeypatch.setenv("KBI_VSB_AII_TOKEN", json.loads(uit.out)["token"])
    cm = json.loads(kbi(capsys, "vsb", "clients", "add", "api-cm", "--zorgkas", "CM").out)["token"]
    aii, vsb = start_beide(monkeypatch)
    yield aii, vsb, cm
    aii.stop()
    vsb.stop()


def _json(capsys: Cap, *args: str) -> Any:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == 0, uit
    return json.loads(uit.out)


def _aanvraag(capsys: Cap, insz: str, opening: str) -> Any:
    args = ("vsb", "application", "add", "--insz", insz, "--opening", opening, "--zorgkas", "CM")
    return kbi(capsys, *args, "--as", "zoe", "--json")


def _beslissingen() -> int:
    with engine(load_settings().aii_database_url).connect() as verbinding:
        return int(verbinding.scalar(select(func.count()).select_from(BeslissingRow)) or 0)


def _ondertekend(melding: dict[str, Any], partij: str = "vsb") -> bytes:
    sleutels = pki(load_settings())
    return cms.sign(orjson.dumps(melding), sleutels.certificaat(partij), sleutels.sleutel(partij))


def test_aiis_suspension_resumption_and_lapse_bind_vsb_on_every_way_in(
    stelsel: tuple[NodeServer, NodeServer, str], capsys: Cap
) -> None:
    _, vsb, cm = stelsel
    zorgkas_api = {"Authorization": f"Bearer {cm}"}
    eerder = _json(capsys, *("vsb", "application", "add", "--insz", OK_INSZ, "--opening",
                             "2023-01-01", "--zorgkas", "CM", "--as", "zoe"))  # fmt: skip
    assert eerder["status"] == "toegekend"

    geschorst = kbi(capsys, "protocol", "suspend", "--reason", "onderzoek", "--as", "dora")
    assert geschorst.code == 0, geschorst
    assert "vsb took geschorst" in geschorst.out
    staat = _json(capsys, "protocol", "status", "--node", "vsb")
    assert staat["toestand"] == "geschorst"
    [stap] = staat["gebeurtenissen"]
    assert (stap["id"], stap["door"]) == (geschorst.out.splitlines()[0], "partij:aii")
    # VSB asks AII nothing, and a zorgkas sees no answers, on any way in
    vraag = _aanvraag(capsys, NOK_INSZ, "2022-01-01")
    assert vraag.code == 1
    assert "geschorst" in vraag.err
    for pad in ("/api/v1/zorgkas/aanvragen", f"/api/v1/zorgkas/aanvragen/{eerder['id']}",
                "/api/v1/zorgkas/lijsten/2024", "/api/v1/zorgkas/berichten"):  # fmt: skip
        antwoord = httpx.get(vsb.adres + pad, headers=zorgkas_api)
        assert antwoord.status_code == 403, (pad, antwoord.text)
        assert "geschorst" in antwoord.json()["detail"]
    nieuw = httpx.post(vsb.adres + "/api/v1/zorgkas/aanvragen", headers=zorgkas_api,
                       json={"insz": NOK_INSZ, "opening": "2022-01-01"})  # fmt: skip
    assert nieuw.status_code == 403
    vsb_check = kbi(capsys, "vsb", "check", "--insz", OK_INSZ, "--date", "2023-01-01")
    assert (vsb_check.code, "geschorst" in vsb_check.err) == (1, True)

    hervat = kbi(capsys, "protocol", "resume", "--as", "dora")
    assert "vsb took hervat" in hervat.out
    assert _json(capsys, "protocol", "status", "--node", "vsb")["toestand"] == "in_werking"
    nok = json.loads(_aanvraag(capsys, NOK_INSZ, "2022-01-01").out)
    assert (nok["status"], nok["advies"]) == ("geweigerd", "NOK")

    # GwH 112/2023 recorded at AII from its parameters: VSB decides as the law now reads
    gevraagd = _beslissingen()
    vervalt = kbi(capsys, "protocol", "basis", "end", "--flow", "F1", "--annulment", "--as", "dora")
    assert vervalt.code == 0, vervalt
    assert "vsb took grond_vervalt" in vervalt.out
    vsb_staat = _json(capsys, "protocol", "status", "--node", "vsb")
    [f1, f2] = vsb_staat["stromen"]
    assert (f1["toegestaan"], f2["toegestaan"]) == (False, True)
    assert f1["rechtsgronden"][0]["geldig_tot"] == "2023-07-19"
    # (a new opening: one application per opening, and the refused one is decided)
    zonder = json.loads(_aanvraag(capsys, NOK_INSZ, "2022-06-01").out)
    assert (zonder["status"], zonder["niet_gevraagd"], zonder["advies"]) == (
        "toegekend",
        "voorwaarde_vernietigd",
        None,
    )
    assert _beslissingen() == gevraagd  # AII was not asked
    # the zorgkas still sees its applications (remediation), without a letter of refusal
    gezien = httpx.get(f"{vsb.adres}/api/v1/zorgkas/aanvragen/{zonder['id']}", headers=zorgkas_api)
    assert (gezien.status_code, gezien.json()["brief"]) == (200, None)
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def test_a_step_vsb_did_not_take_is_told_when_it_is_back(
    stelsel: tuple[NodeServer, NodeServer, str], capsys: Cap
) -> None:
    _, vsb, _ = stelsel
    poort = int(vsb.adres.rsplit(":", 1)[1])
    vsb.stop()
    einde = kbi(
        capsys, "protocol", "end", "--reason", "art. 8: verwerking in strijd", "--as", "dora"
    )
    assert einde.code == 0
    assert "vsb has not taken this yet" in einde.err
    waarschuwingen = _json(capsys, "protocol", "status")["waarschuwingen"]
    assert any("beeindigd" in w and "not yet taken by vsb" in w for w in waarschuwingen)
    assert kbi(capsys, "protocol", "notify", "--node", "aii").code == 1
    assert _json(capsys, "protocol", "status", "--node", "vsb")["toestand"] == "in_werking"
    terug = NodeServer("vsb", poort)
    try:
        assert kbi(capsys, "protocol", "notify", "--node", "aii").code == 0
        assert kbi(capsys, "protocol", "notify").code == 0  # nothing left, either node
        assert _json(capsys, "protocol", "status", "--node", "vsb")["toestand"] == "beeindigd"
        assert not _json(capsys, "protocol", "status")["waarschuwingen"]
        # after the end nothing more is accepted: VSB's own notice is refused at home
        opzegging = kbi(capsys, "protocol", "notice", "--by", "vsb", "--as", "vic")
        assert (opzegging.code, "nothing more is accepted" in opzegging.err) == (1, True)
        na_einde = _aanvraag(capsys, OK_INSZ, "2023-01-01")
        assert (na_einde.code, "beëindigd" in na_einde.err) == (1, True), na_einde
    finally:
        terug.stop()
        vsb.proces = terug.proces  # the fixture stops what runs


def test_a_notice_runs_from_its_receipt_and_a_false_date_or_a_second_one_is_refused(
    stelsel: tuple[NodeServer, NodeServer, str], capsys: Cap
) -> None:
    aii, _, _ = stelsel
    pad = f"{aii.adres}/api/v1/protocol/stappen"
    nu = datetime.now(UTC)

    def stap(**velden: Any) -> dict[str, Any]:
        return {"id": str(uuid.uuid4()), "soort": "opgezegd", "op": nu.isoformat(),
                "reden": "nieuwe regeling", "partij": "vsb", **velden}  # fmt: skip

    for melding, fout in (
        (stap(op="2000-01-01T00:00:00+00:00"), "dated in the past"),
        (stap(op=(nu - timedelta(minutes=10)).isoformat()), "dated in the past"),
        (stap(op=(nu + timedelta(minutes=10)).isoformat()), "ahead of this node"),
        (stap(op="2026-12-03T10:00:00"), "op: expected an RFC 3339 moment"),
        (stap(op="0001-01-01T00:00:00+14:00"), "op: the year"),
        (stap(op="9999-12-31T23:59:59-14:00"), "op: the year"),
        (stap(partij="aii"), "partij: the sender is vsb"),
        (stap(soort="geschorst"), "vsb cannot take the step 'geschorst'"),
    ):
        antwoord = httpx.post(pad, content=_ondertekend(melding))
        assert antwoord.status_code == 400, (melding, antwoord.text)
        assert fout in antwoord.json()["detail"]
    # signed by someone else: not even read
    assert httpx.post(pad, content=_ondertekend(stap(), "zorgkas-LM")).status_code == 401
    assert _json(capsys, "protocol", "status")["gebeurtenissen"] == []

    uit = kbi(capsys, "protocol", "notice", "--by", "vsb", "--reason", "nieuwe regeling",
              "--as", "vic")  # fmt: skip
    assert uit.code == 0, uit
    assert "aii took opgezegd" in uit.out
    einde = plus_maanden(dag_in_brussel(datetime.now(UTC)), 12).isoformat()
    for node in ("aii", "vsb"):
        staat = _json(capsys, "protocol", "status", "--node", node)
        assert (staat["toestand"], staat["eindigt_op"]) == ("opgezegd", einde)
        [g] = staat["gebeurtenissen"]
        assert g["partij"] == "vsb"
        assert g["ontvangen_op"] is not None
    # a second notice, from either side, over the command line and the API
    for partij, dpo in (("vsb", "vic"), ("aii", "dora")):
        tweede = kbi(capsys, "protocol", "notice", "--by", partij, "--as", dpo)
        assert (tweede.code, "notice was given already" in tweede.err) == (1, True)
    nog_een = httpx.post(pad, content=_ondertekend(stap()))
    assert nog_een.status_code == 409
    assert "notice was given already" in nog_een.json()["detail"]
    assert len(_json(capsys, "protocol", "status")["gebeurtenissen"]) == 1
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the same code either way
def test_vsbs_lapse_and_processors_reach_aii_and_dates_out_of_range_are_refused(
    stelsel: tuple[NodeServer, NodeServer, str], capsys: Cap
) -> None:
    aii, _, _ = stelsel
    # random tokens by the hundred from this address: it is refused a while (99996)...
    statussen = {
        httpx.post(f"{aii.adres}/api/v1/advies", json={}, headers={"Authorization": f"Bearer x{i}"}
                   ).status_code
        for i in range(100)
    }  # fmt: skip
    assert statussen == {401, 503}
    # ...but VSB's valid signature from the same address is taken all the same
    vervalt = kbi(capsys, "protocol", "basis", "end", "--flow", "F2", "--annulment",
                  "--node", "vsb", "--as", "vic")  # fmt: skip
    assert vervalt.code == 0, vervalt
    assert "aii took grond_vervalt" in vervalt.out
    # AII weighs VSB's word: its own flows run on until its DPO records the lapse itself
    staat = _json(capsys, "protocol", "status")
    assert [s["toegestaan"] for s in staat["stromen"]] == [True, True]
    [gemeld] = staat["gebeurtenissen"]
    assert (gemeld["soort"], gemeld["stroom"], gemeld["datum"]) == (
        "grond_gemeld",
        "F2",
        "2023-07-20",
    )
    assert any("VSB reports that the basis of F2 lapsed" in w for w in staat["waarschuwingen"])
    eigen = kbi(capsys, "protocol", "basis", "end", "--flow", "F2", "--date", "2023-07-20",
                "--reason", "GwH 112/2023", "--as", "dora")  # fmt: skip
    assert eigen.code == 0, eigen
    staat = _json(capsys, "protocol", "status")
    assert [s["toegestaan"] for s in staat["stromen"]] == [True, False]
    assert not any("VSB reports" in w for w in staat["waarschuwingen"])

    verwerker = ("processors", "add", "Datacenter", "--node", "vsb", "--task", "hosting",
                 "--agreement", "VO-7", "--agreement-date", "2024-01-01", "--data", "lijst",
                 "--as", "vic")  # fmt: skip
    toegevoegd = kbi(capsys, *verwerker)
    assert toegevoegd.code == 0, toegevoegd
    assert "aii was told of processor Datacenter" in toegevoegd.out
    [bij_aii] = _json(capsys, "processors", "list", "--node", "aii")
    assert (bij_aii["partij"], bij_aii["naam"], bij_aii["beeindigd_op"]) == (
        "vsb",
        "Datacenter",
        None,
    )
    assert kbi(capsys, "processors", "end", "Datacenter", "--node", "vsb", "--as", "vic").code == 0
    [bij_aii] = _json(capsys, "processors", "list", "--node", "aii")
    assert bij_aii["beeindigd_op"] is not None
    # what AII exports as its own register holds its own processors only
    assert _json(capsys, "processors", "list", "--node", "vsb")[0]["gemeld_op"] is not None

    # a signed notification with a date out of range is a 400 naming the field, on every route
    nu = datetime.now(UTC).isoformat()
    for route, melding, veld in (
        ("/api/v1/incidenten", {"id": "i-1", "partij": "vsb", "omschrijving": "x",
                                "betrokkenen": 1, "categorieen": ["insz"], "datalek": False},
         "vastgesteld_op"),
        ("/api/v1/ontvangers", {"id": "o-1", "naam": "Onderzoek", "doel": "x",
                                "rechtsgrond": "x", "gegevens": ["lijst"]}, "geregistreerd_op"),
        ("/api/v1/verwerkers", {"id": "v-1", "naam": "Cloud", "taak": "x", "gegevens": ["lijst"],
                                "overeenkomst": "x", "overeenkomst_datum": "2024-01-01",
                                "locatie": "BE", "beeindigd_op": None}, "geregistreerd_op"),
        ("/api/v1/protocol/stappen", {"id": "s-1", "soort": "grond_vervalt", "reden": "x",
                                      "stroom": "F1", "datum": "2023-07-20"}, "op"),
    ):  # fmt: skip
        for waarde in ("0001-01-01T00:00:00+14:00", "2024-01-01T00:00:00", "9999-12-31T23:59:59Z",
                       "2024-01-01", 20240101):  # fmt: skip
            antwoord = httpx.post(
                aii.adres + route, content=_ondertekend({**melding, veld: waarde})
            )
            assert antwoord.status_code == 400, (route, waarde, antwoord.text)
            assert antwoord.json()["detail"].startswith(f"{veld}:"), antwoord.text
        # and the same with a sound date is taken
        goed = httpx.post(aii.adres + route, content=_ondertekend({**melding, veld: nu}))
        assert goed.status_code in (200, 201), (route, goed.text)
    # a recipient named like a zorgkas is refused by AII too
    for naam in ("CM", "Zorgkas CM", "Neutrale Zorgkas", "LM-Zorgkas", "zorgkas-oz"):
        ontvanger = {"id": str(uuid.uuid4()), "naam": naam, "doel": "x", "rechtsgrond": "x",
                   "gegevens": ["lijst"], "geregistreerd_op": nu}  # fmt: skip
        antwoord = httpx.post(aii.adres + "/api/v1/ontvangers", content=_ondertekend(ontvanger))
        assert antwoord.status_code == 400, naam
        assert "named like one" in antwoord.json()["detail"]
