"""The registers (SPEC §12) on SQLite and PostgreSQL: processors on both nodes, exported as a
signed file that openssl opens; a recipient other than a zorgkas refused until registered and
notified to AII over its API (a real AII process), then the disclosure audited."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.bootstrap import pki
from kbi_exchange.settings import load_settings
from tests.aii_node import lijst_bij_vsb
from tests.conftest import kbi
from tests.integration.test_incidenten import Node

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
    assert kbi(capsys, "audit", "verify").code == 0


def test_a_recipient_gets_nothing_until_registered_and_notified_to_aii(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    _, op_lijst = lijst_bij_vsb(twee_nodes, capsys, 2025, ("vic", "--node", "vsb", "--role",
                                                           "vsb-dpo"))  # fmt: skip
    poort = 19_100 + os.getpid() % 500
    monkeypatch.setenv("KBI_VSB_AII_URL", f"http://127.0.0.1:{poort}")
    uit = twee_nodes / "statbel.json"
    export = ("vsb", "export", "--recipient", "Statbel", "--year", "2025", "--out", str(uit))
    onbekend = kbi(capsys, *export)
    assert onbekend.code == 1
    assert "register it first" in onbekend.err
    registreer = ("vsb", "recipients", "add", "Statbel", "--purpose", "armoedestatistiek",
                  "--legal-basis", "wet van 4 juli 1962, art. 24", "--data", "insz",
                  "--as", "vic")  # fmt: skip
    # AII is not running: registered, with a warning, and no data may go yet
    geregistreerd = kbi(capsys, *registreer)
    assert geregistreerd.code == 0
    assert "not notified to AII" in geregistreerd.err
    niet_gemeld = kbi(capsys, *export)
    assert niet_gemeld.code == 1
    assert "not notified to AII" in niet_gemeld.err
    assert not uit.exists()
    zorgkas = kbi(capsys, *registreer[:3], "CM", *registreer[4:])
    assert zorgkas.code == 1
    assert "zorgkas" in zorgkas.err

    aii = Node("aii", poort)
    try:
        assert kbi(capsys, "vsb", "recipients", "notify", "Statbel", "--as", "vic").code == 0
        [bij_aii] = _json(capsys, "aii", "recipients", "list")
        assert (bij_aii["naam"], bij_aii["gegevens"]) == ("Statbel", ["insz"])
        # notified again: AII keeps one
        assert kbi(capsys, "vsb", "recipients", "notify", "Statbel", "--as", "vic").code == 0
        assert len(_json(capsys, "aii", "recipients", "list")) == 1
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
    assert kbi(capsys, *export, "--as", "vera").code == 0  # a vsb-operator does
    bestand = json.loads(uit.read_text())
    assert (bestand["ontvanger"], bestand["aantal"]) == ("Statbel", len(op_lijst))
    assert bestand["inszen"] == op_lijst
    assert oct(uit.stat().st_mode & 0o777) == "0o600"
    # who received what about a person on the list: the export counts
    gevonden = _json(capsys, "audit", "search", "--insz", op_lijst[0], "--node", "vsb")
    assert "vsb:export:disclose" in {r["gebeurtenis"] for r in gevonden}
    assert kbi(capsys, "audit", "verify").code == 0
