"""The registers (SPEC §12) on SQLite and PostgreSQL: processors on both nodes, exported as a
signed file that openssl opens; a recipient other than a zorgkas refused until registered and
notified to AII over its API (a real AII process), then the disclosure audited."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.bootstrap import pki
from kbi_exchange.settings import load_settings
from tests.aii_node import NodeServer as Node
from tests.aii_node import leden_bij_vsb, lijst_bij_vsb, vrije_poort
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]


def _json(capsys: Cap, *args: str) -> Any:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == 0, uit
    return json.loads(uit.out)


def test_processors_on_both_nodes_exported_signed_for_the_other_party(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    for naam, node, rol in (("dora", "aii", "aii-dpo"), ("vic", "vsb", "vsb-dpo"),
                            ("olga", "aii", "aii-operator")):  # fmt: skip
        assert kbi(capsys, "users", "add", naam, "--node", node, "--role", rol).code == 0
    toevoegen = ("processors", "add", "Digipolis", "--node", "aii", "--task",
                 "hosting van de AII-node", "--agreement", "VWO-2021-07", "--agreement-date",
                 "2021-09-15", "--data", "insz", "--data", "advies")  # fmt: skip
    assert kbi(capsys, *toevoegen, "--as", "olga").code == 1  # an operator may not
    verwerker = _json(capsys, *toevoegen, "--as", "dora")
    assert kbi(capsys, *toevoegen, "--as", "dora").code == 1  # registered already
    assert _json(capsys, "processors", "add", "Smals", "--node", "vsb", "--task", "hosting",
                 "--agreement", "SLA-12", "--agreement-date", "2022-01-01", "--data", "lijst",
                 "--as", "vic")["naam"] == "Smals"  # fmt: skip
    slecht = kbi(capsys, *toevoegen[:-4], "--data", "paspoort", "--as", "dora")
    assert slecht.code == 1
    assert "paspoort" in slecht.err

    bestand = twee_nodes / "verwerkers-aii.p7s"
    uit = kbi(capsys, "processors", "export", "--node", "aii", "--out", str(bestand))
    assert uit.code == 0, uit
    geopend = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "DER", "-in", str(bestand), "-CAfile",
         str(twee_nodes / "pki" / "ca.crt"), "-purpose", "any"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert geopend.returncode == 0, geopend.stderr
    register = json.loads(geopend.stdout)
    assert register["partij"] == "aii"
    assert [v["naam"] for v in register["verwerkers"]] == ["Digipolis"]
    assert kbi(capsys, "processors", "end", "Digipolis", "--node", "aii", "--as", "dora").code == 0
    alle = _json(capsys, "processors", "list")
    assert {(v["node"], v["naam"], v["beeindigd_op"] is not None) for v in alle} == {
        ("aii", "Digipolis", True),
        ("vsb", "Smals", False),
    }
    assert verwerker["id"] in {v["id"] for v in alle}
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def test_a_recipient_gets_nothing_until_registered_and_notified_to_aii(  # noqa: PLR0915
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, op_lijst = lijst_bij_vsb(twee_nodes, capsys, 2025, ("vic", "--node", "vsb", "--role",
                                                           "vsb-dpo"))  # fmt: skip
    poort = vrije_poort()
    monkeypatch.setenv("KBI_VSB_AII_URL", f"http://127.0.0.1:{poort}")
    # VSB's members on the list: three of them (one without VT: still a member); the rest of
    # the list are numbers of no member, which VSB never passes on
    leden, niet_leden = op_lijst[:3], op_lijst[3:]
    leden_bij_vsb(twee_nodes, capsys, {"CM": leden[:2], "LM": leden[2:]})
    uit = twee_nodes / "statbel.json"
    export = ("vsb", "export", "--recipient", "Statbel", "--year", "2025", "--out", str(uit))
    assert kbi(capsys, *export).code == 2  # a disclosure is made by a named person: --as
    onbekend = kbi(capsys, *export, "--as", "vera")
    assert onbekend.code == 1
    assert "register it first" in onbekend.err
    registreer = ("vsb", "recipients", "add", "Statbel", "--purpose", "armoedestatistiek",
                  "--legal-basis", "wet van 4 juli 1962, art. 24", "--data", "lijst",
                  "--as", "vic")  # fmt: skip
    alleen_insz = ("vsb", "recipients", "add", "Onderzoek", "--purpose", "x", "--legal-basis",
                   "y", "--data", "insz", "--as", "vic")  # fmt: skip
    assert kbi(capsys, *alleen_insz).code == 0
    # AII is not running: registered, with a warning, and no data may go yet
    geregistreerd = kbi(capsys, *registreer)
    assert geregistreerd.code == 0
    assert "not notified to AII" in geregistreerd.err
    niet_gemeld = kbi(capsys, *export, "--as", "vera")
    assert niet_gemeld.code == 1
    assert "not notified to AII" in niet_gemeld.err
    assert not uit.exists()
    for naam in ("CM", "Zorgkas Vlaanderen", "Solidaris Zorgkas"):
        zorgkas = kbi(capsys, *registreer[:3], naam, *registreer[4:])
        assert zorgkas.code == 1
        assert "named like one" in zorgkas.err

    aii = Node("aii", poort)
    try:
        assert kbi(capsys, "vsb", "recipients", "notify", "Onderzoek", "--as", "vic").code == 0
        assert kbi(capsys, "vsb", "recipients", "notify", "Statbel", "--as", "vic").code == 0
        [_, bij_aii] = _json(capsys, "aii", "recipients", "list")
        assert (bij_aii["naam"], bij_aii["gegevens"]) == ("Statbel", ["lijst"])
        # notified again: AII keeps one
        assert kbi(capsys, "vsb", "recipients", "notify", "Statbel", "--as", "vic").code == 0
        assert len(_json(capsys, "aii", "recipients", "list")) == 2
        # a notification not signed by VSB is refused
        sleutels = pki(load_settings())
        vals = cms.sign(
            orjson.dumps({**bij_aii, "id": "x", "naam": "Vals"}),
            sleutels.certificaat("zorgkas-CM"),
            sleutels.sleutel("zorgkas-CM"),
        )
        antwoord = httpx.post(f"{aii.adres}/api/v1/ontvangers", content=vals)
        assert antwoord.status_code == 401
    finally:
        aii.stop()

    assert kbi(capsys, *export, "--as", "vic").code == 1  # the DPO registers, does not export
    insz_alleen = kbi(capsys, *export[:3], "Onderzoek", *export[4:], "--as", "vera")
    assert (insz_alleen.code, "not for list data" in insz_alleen.err) == (1, True)
    assert kbi(capsys, *export, "--as", "vera").code == 0  # a vsb-operator does
    bestand = json.loads(uit.read_text())
    assert (bestand["ontvanger"], bestand["aantal"]) == ("Statbel", len(leden))
    assert bestand["inszen"] == leden  # never a number of no member
    assert not set(niet_leden) & set(uit.read_text().split('"'))
    assert oct(uit.stat().st_mode & 0o777) == "0o600"
    # who received what about a person on the list: the export counts
    gevonden = _json(capsys, "audit", "search", "--insz", op_lijst[0], "--node", "vsb")
    assert "vsb:export:disclose" in {r["gebeurtenis"] for r in gevonden}
    # once F2's basis lapsed in VSB's own record, nothing more goes
    vervalt = ("protocol", "basis", "end", "--flow", "F2", "--annulment", "--node", "vsb",
               "--as", "vic")  # fmt: skip
    assert kbi(capsys, *vervalt).code == 0
    na = kbi(capsys, *export, "--as", "vera")
    assert (na.code, "F2" in na.err) == (1, True)
    assert kbi(capsys, "audit", "verify", "--alone").code == 0
