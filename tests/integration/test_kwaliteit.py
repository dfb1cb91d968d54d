"""The whole data-quality path (SPEC §12, art. 7) with a real AII node (`kbi serve`), on
SQLite and PostgreSQL: a wrong inbreuk registered → NOK given → VSB reports it → AII corrects
(withdraws, never overwrites) → the rectification reaches VSB → the application's decision
changes → its zorgkas gets a message; answers the correction did not change are not touched."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.periods import plus_maanden
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.services import kwaliteit
from kbi_exchange.settings import load_settings
from tests.actors import OLGA
from tests.aii_node import AiiNode, leden_bij_vsb, verbind_met_aii
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
WIE = "85073001348"  # complies on 2023-01-01 (examples) until the wrong inbreuk
ANDER = "85073001546"  # NOK on 2022-01-01 for its own reason, untouched
INBREUK = {"id": "inb-fout-1", "type": "WEIGERING_CONTRACT", "datum_vaststelling": "2022-09-01"}


def _regel(home: Path, naam: str, regel: dict[str, Any]) -> Path:
    pad = home / naam
    pad.write_text(json.dumps(regel) + "\n", encoding="utf-8")
    return pad


def _json(capsys: Cap, *args: str) -> Any:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == 0, uit
    return json.loads(uit.out)


def _bewaard_tot_hun_termijn(capsys: Cap, melding_id: str) -> None:
    """A closed report goes at AII with the decision records (10 years), at VSB with the
    answers it concerned (5 years), the zorgkas's message too — not a day before."""
    vandaag = datetime.now(UTC).date()
    for node, jaren, soorten in (("aii", 10, {"melding"}), ("vsb", 5, {"melding", "bericht"})):
        for dagen, verwacht in ((0, False), (1, True)):
            op = (plus_maanden(vandaag, 12 * jaren) + timedelta(days=dagen)).isoformat()
            [rapport] = _json(capsys, "retention", "run", "--node", node, "--dry-run", "--on", op)
            gevonden = {v["gegevens"]: v["ids"] for v in rapport["verwijderd"] if v["ids"]}
            assert (melding_id in gevonden.get("melding", [])) is verwacht, (node, op)
            assert (soorten <= set(gevonden)) is verwacht, (node, op, gevonden)


@pytest.fixture
def aii(twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> Iterator[AiiNode]:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    fout = _regel(twee_nodes, "fout.jsonl", {"insz": WIE, "inbreuken": [INBREUK]})
    for args in (
        ("aii", "import", str(EXAMPLES / "dossiers.jsonl")),
        ("aii", "import", str(fout)),  # the wrong fact
        ("users", "add", "olga", "--node", "aii", "--role", "aii-operator"),
        ("users", "add", "zoe", "--node", "vsb", "--role", "zorgkas-handler", "--zorgkas", "CM"),
        ("users", "add", "lou", "--node", "vsb", "--role", "zorgkas-handler", "--zorgkas", "LM"),
    ):
        assert kbi(capsys, *args).code == 0, args
    leden_bij_vsb(twee_nodes, capsys, {"CM": [WIE, ANDER]})
    node = verbind_met_aii(twee_nodes, capsys, monkeypatch)
    yield node
    node.stop()


def _nok_gegeven_en_gemeld(capsys: Cap) -> tuple[dict[str, Any], ...]:
    """Three applications (one NOK on the wrong inbreuk) and VSB's report about it."""
    als = ("--as", "zoe")
    toevoegen = ("vsb", "application", "add", "--zorgkas", "CM", *als)
    fout = _json(capsys, *toevoegen, "--insz", WIE, "--opening", "2023-01-01")
    assert (fout["status"], fout["advies"]) == ("geweigerd", "NOK")
    assert fout["brief"]
    # answers the correction does not change: before the inbreuk, and another person's
    ervoor = _json(capsys, *toevoegen, "--insz", WIE, "--opening", "2022-06-01")
    ander = _json(capsys, *toevoegen, "--insz", ANDER, "--opening", "2022-01-01")
    assert (ervoor["advies"], ander["advies"]) == ("OK", "NOK")

    # VSB reports it, naming the application: AII gets the referte, due in 2 weeks
    melding = _json(
        capsys, "vsb", "report", "add", "--application", fout["id"], "--description",
        "De betrokkene weigerde geen contract: de inbreuk lijkt onterecht.", *als,
    )  # fmt: skip
    [bij_aii] = _json(capsys, "aii", "report", "list", "--open")
    assert bij_aii["id"] == melding["id"]
    assert (bij_aii["insz"], bij_aii["referte"]) == (WIE, fout["referte"])
    gemeld = datetime.fromisoformat(bij_aii["gemeld_op"])
    assert (datetime.fromisoformat(bij_aii["vervalt_op"]) - gemeld).days == 14
    assert not bij_aii["achterstallig"]
    return fout, ervoor, ander, melding


def test_a_wrong_inbreuk_reported_corrected_and_rectified_up_to_the_zorgkas(
    aii: AiiNode, twee_nodes: Path, capsys: Cap
) -> None:
    als = ("--as", "zoe")
    fout, ervoor, ander, melding = _nok_gegeven_en_gemeld(capsys)

    # a correction file with someone else's line is refused whole: nothing imported
    vreemd = _regel(twee_nodes, "vreemd.jsonl", {"insz": ANDER, "aanmeldingen": []})
    geweigerd = kbi(capsys, "aii", "report", "correct", melding["id"], str(vreemd), "--as", "olga")
    assert geweigerd.code == 1
    assert "line 1" in geweigerd.err
    assert ANDER not in geweigerd.err

    # AII withdraws the wrong inbreuk (never overwrites) and re-evaluates
    ingetrokken = {**INBREUK, "ingetrokken_op": datetime.now(UTC).isoformat()}
    correctie = _regel(twee_nodes, "correctie.jsonl", {"insz": WIE, "inbreuken": [ingetrokken]})
    uit = _json(capsys, "aii", "report", "correct", melding["id"], str(correctie), "--as", "olga")
    assert uit["melding"]["status"] == "gecorrigeerd"
    assert uit["antwoorden_bekeken"] == 2  # both answers about the person, not the other's
    [rectificatie] = uit["rectificaties"]
    assert rectificatie["referte"] == fout["referte"]
    assert (rectificatie["oud"]["advies"], rectificatie["nieuw"]["advies"]) == ("NOK", "OK")
    assert "insz" not in rectificatie  # VSB knows whom it asked about
    # the same correction again adds nothing
    assert _json(capsys, "aii", "report", "correct", melding["id"], str(correctie), "--as",
                 "olga")["rectificaties"] == [rectificatie]  # fmt: skip

    # VSB fetches and applies it: the decision changes, the zorgkas gets a message
    bijgewerkt = _json(capsys, "vsb", "report", "fetch")
    assert [t["aanvraag"] for t in bijgewerkt["toegepast"]] == [fout["id"]]
    na = _json(capsys, "vsb", "application", "show", fout["id"], *als)
    assert (na["status"], na["advies"], na["reden"], na["brief"]) == ("toegekend", "OK", None, None)
    for onveranderd in (ervoor, ander):
        nu = _json(capsys, "vsb", "application", "show", onveranderd["id"], *als)
        assert (nu["status"], nu["advies"], nu["beslist_op"]) == (
            onveranderd["status"], onveranderd["advies"], onveranderd["beslist_op"],
        )  # fmt: skip
    [bericht] = _json(capsys, "vsb", "messages", *als)
    assert (bericht["aanvraag"], bericht["zorgkas"]) == (fout["id"], "CM")
    assert (bericht["was"]["status"], bericht["wordt"]["status"]) == ("geweigerd", "toegekend")
    assert _json(capsys, "vsb", "messages", "--as", "lou") == []  # another zorgkas sees none
    assert _json(capsys, "vsb", "report", "fetch")["toegepast"] == []  # nothing twice

    # closing the report informs VSB of AII's finding
    sluit = ("aii", "report", "close", melding["id"], "--finding", "Inbreuk ten onrechte "
             "geregistreerd; ingetrokken.", "--as", "olga")  # fmt: skip
    assert kbi(capsys, *sluit).code == 0
    assert kbi(capsys, *sluit).code == 1  # closed already
    [status] = _json(capsys, "vsb", "report", "fetch")["meldingen"]
    assert (status["status"], status["bevinding"]) == (
        "gesloten",
        "Inbreuk ten onrechte geregistreerd; ingetrokken.",
    )
    assert _json(capsys, "vsb", "report", "list")[0]["status"] == "gesloten"
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
    _bewaard_tot_hun_termijn(capsys, melding["id"])
    # who received what about the person: the rectification, at both nodes
    zoek = _json(capsys, "audit", "search", "--insz", WIE)
    gebeurtenissen = {r["gebeurtenis"] for r in zoek}
    assert {
        "kbi:rectificatie:fetch",
        "vsb:rectificatie:apply",
        "kbi:melding:receive",
        "vsb:bericht:view",
    } <= (gebeurtenissen)


def test_the_report_api_refuses_what_is_wrong_and_shows_a_client_only_its_own(
    home: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = {}
    for naam in ("vsb", "ander"):
        uit = kbi(capsys, "aii", "clients", "add", naam, "--purpose", "ZORGBUDGET")
        tokens[naam] = {"Authorization": f"Bearer {json.loads(uit.out)['token']}"}
    goed = {"insz": WIE, "omschrijving": "fout"}
    with TestClient(maak_app(load_settings())) as http:
        assert http.post("/api/v1/meldingen", json=goed).status_code == 401
        assert http.get("/api/v1/rectificaties").status_code == 401
        for body, waarom in (
            ({"insz": "85073001349", "omschrijving": "x"}, "insz"),
            ({"insz": WIE}, "omschrijving"),
            ({"insz": WIE, "omschrijving": "x" * 2001}, "omschrijving"),
            ({**goed, "referte": "r" * 37}, "referte"),
            ({**goed, "extra": 1}, "extra"),
            ([goed], "object"),
        ):
            antwoord = http.post("/api/v1/meldingen", json=body, headers=tokens["vsb"])
            assert antwoord.status_code == 400, body
            assert waarom in antwoord.json()["detail"]
            assert "85073001349" not in antwoord.text
        groot = http.post(
            "/api/v1/meldingen", content=b"{" + b" " * 17_000 + b"}", headers=tokens["vsb"]
        )
        assert groot.status_code == 413
        aangemaakt = http.post("/api/v1/meldingen", json=goed, headers=tokens["vsb"])
        assert aangemaakt.status_code == 201
        melding = aangemaakt.json()
        assert "insz" not in melding
        eigen = http.get(f"/api/v1/meldingen/{melding['id']}", headers=tokens["vsb"])
        assert eigen.json()["status"] == "open"
        vreemd = http.get(f"/api/v1/meldingen/{melding['id']}", headers=tokens["ander"])
        assert vreemd.status_code == 404
        # sent again under the sender's id (its answer was lost): the same report, not a second
        met_id = {**goed, "id": "vsb-melding-1"}
        eerst = http.post("/api/v1/meldingen", json=met_id, headers=tokens["vsb"])
        nogmaals = http.post("/api/v1/meldingen", json=met_id, headers=tokens["vsb"])
        assert (eerst.status_code, nogmaals.status_code) == (201, 200)
        assert eerst.json() == nogmaals.json()
        vreemd_id = http.post("/api/v1/meldingen", json=met_id, headers=tokens["ander"])
        assert vreemd_id.status_code == 400
        leeg = http.get("/api/v1/rectificaties?na=0", headers=tokens["vsb"])
        assert leeg.json() == {"rectificaties": [], "volgende": 0}
        # a rectification is a disclosure of F1: not while F1 has no ground
        monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
        assert kbi(capsys, "users", "add", "dora", "--node", "aii", "--role", "aii-dpo").code == 0
        assert kbi(capsys, "protocol", "suspend", "--reason", "onderzoek", "--as", "dora").code == 0
        geschorst = http.get("/api/v1/rectificaties", headers=tokens["vsb"])
        assert geschorst.status_code == 403
        assert geschorst.json()["uitzonderingen"][0]["identificatie"] == "40001"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_second_correction_leaves_what_the_first_rectified(
    aii: AiiNode, twee_nodes: Path, capsys: Cap
) -> None:
    """Each round: a wrong inbreuk, a NOK, a report, its withdrawal. The second round's
    re-evaluation compares with what the first rectified, so only its own answer changes."""
    als = ("--as", "zoe")
    aanvragen: list[dict[str, Any]] = []
    for ronde in (1, 2):
        inbreuk = {**INBREUK, "id": f"inb-ronde-{ronde}"}
        if ronde == 2:
            # the first, granted once rectified, ends before the next application
            eind = ("vsb", "application", "end", aanvragen[0]["id"], "--date", "2023-01-31")
            assert kbi(capsys, *eind, *als).code == 0
            fout = _regel(twee_nodes, "fout2.jsonl", {"insz": WIE, "inbreuken": [inbreuk]})
            assert kbi(capsys, "aii", "import", str(fout)).code == 0
        else:
            inbreuk = INBREUK  # registered by the fixture
        aanvraag = _json(capsys, "vsb", "application", "add", "--zorgkas", "CM", "--insz", WIE,
                         "--opening", f"2023-0{ronde}-01", *als)  # fmt: skip
        assert aanvraag["advies"] == "NOK"
        aanvragen.append(aanvraag)
        melding = _json(capsys, "vsb", "report", "add", "--application", aanvraag["id"],
                        "--description", f"ronde {ronde}", *als)  # fmt: skip
        ingetrokken = {**inbreuk, "ingetrokken_op": datetime.now(UTC).isoformat()}
        correctie = _regel(twee_nodes, f"c{ronde}.jsonl", {"insz": WIE, "inbreuken": [ingetrokken]})
        uit = _json(capsys, "aii", "report", "correct", melding["id"], str(correctie), "--as",
                    "olga")  # fmt: skip
        assert [r["referte"] for r in uit["rectificaties"]] == [aanvraag["referte"]]
        assert [t["aanvraag"] for t in _json(capsys, "vsb", "report", "fetch")["toegepast"]] == [
            aanvraag["id"]
        ]
    assert len(_json(capsys, "vsb", "messages", *als)) == 2  # one per rectified decision


def test_a_report_corrected_twice_and_by_two_runs_at_once_rectifies_each_change_once(
    aii: AiiNode, twee_nodes: Path, capsys: Cap
) -> None:
    als = ("--as", "zoe")
    aanvraag = _json(capsys, "vsb", "application", "add", "--zorgkas", "CM", "--insz", WIE,
                     "--opening", "2023-01-01", *als)  # fmt: skip
    melding = _json(capsys, "vsb", "report", "add", "--application", aanvraag["id"],
                    "--description", "twee keer", *als)  # fmt: skip
    ingetrokken = {**INBREUK, "ingetrokken_op": datetime.now(UTC).isoformat()}
    eerste = _regel(twee_nodes, "c1.jsonl", {"insz": WIE, "inbreuken": [ingetrokken]})
    correct = ("aii", "report", "correct", melding["id"])
    [naar_ok] = _json(capsys, *correct, str(eerste), "--as", "olga")["rectificaties"]
    assert naar_ok["nieuw"]["advies"] == "OK"
    # the investigation goes on under the same report: a real inbreuk after all
    echt = {**INBREUK, "id": "inb-echt", "type": "ONREGELMATIGE_AANWEZIGHEID"}
    tweede = _regel(twee_nodes, "c2.jsonl", {"insz": WIE, "inbreuken": [echt]})
    alle = _json(capsys, *correct, str(tweede), "--as", "olga")["rectificaties"]
    assert [(r["oud"]["advies"], r["nieuw"]["advies"]) for r in alle] == [
        ("NOK", "OK"),
        ("OK", "NOK"),
    ]

    # two runs of the same re-evaluation at once: they take turns, the second finds nothing
    settings = load_settings()

    def opnieuw(_: int) -> int:
        return len(
            kwaliteit.herbeoordeel(
                uow=uow(settings, Node.AII), melding_id=melding["id"],
                import_id="x", door=OLGA, nu=datetime.now(UTC), lijst_ontvanger="VSB",
            ).rectificaties
        )  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(opnieuw, range(2))) == [2, 2]
    toegepast = _json(capsys, "vsb", "report", "fetch")["toegepast"]
    assert [t["status"] for t in toegepast] == ["toegekend", "geweigerd"]
    assert _json(capsys, "vsb", "application", "show", aanvraag["id"], *als)["advies"] == "NOK"


@pytest.mark.parametrize("na", ["-1", "9223372036854775808", "abc"])
def test_a_fetch_position_out_of_range_is_a_clear_400(home: Path, capsys: Cap, na: str) -> None:
    uit = kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET")
    kop = {"Authorization": f"Bearer {json.loads(uit.out)['token']}"}
    with TestClient(maak_app(load_settings())) as http:
        antwoord = http.get(f"/api/v1/rectificaties?na={na}", headers=kop)
    assert antwoord.status_code == 400


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_report_made_while_aii_is_down_is_kept_and_sent_by_the_next_fetch(
    aii: AiiNode, capsys: Cap
) -> None:
    aii.stop()
    uit = kbi(capsys, "vsb", "report", "add", "--insz", WIE, "--description", "fout", "--as", "zoe")
    assert uit.code == 1
    assert "recorded at VSB" in uit.err
    [bij_vsb] = _json(capsys, "vsb", "report", "list")
    assert bij_vsb["verstuurd_op"] is None
    aii.start()
    time.sleep(load_settings().vsb_aii_breaker_seconds)  # the breaker lets a call through
    verstuurd = _json(capsys, "vsb", "report", "fetch")["verstuurd"]
    assert [m["id"] for m in verstuurd] == [bij_vsb["id"]]
    [bij_aii] = _json(capsys, "aii", "report", "list")
    assert bij_aii["id"] == bij_vsb["id"]  # VSB's id, AII's record
    assert _json(capsys, "vsb", "report", "fetch")["verstuurd"] == []  # sent once
