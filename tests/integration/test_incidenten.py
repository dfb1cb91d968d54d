"""Incidents between two real nodes (`kbi serve --node aii` and `--node vsb`), on SQLite and
PostgreSQL: registered, notified over the other node's API (signed with the party's key),
overdue warnings in the CLI, `kbi protocol status` and `/api/v1/health`, the VTC notice
recorded; forged, unsigned and oversized notifications refused."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.bootstrap import pki
from kbi_exchange.settings import load_settings
from tests.aii_node import NodeServer as Node
from tests.aii_node import start_beide
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]


@pytest.fixture
def nodes(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Node, Node]]:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    for naam, node, rol in (
        ("dora", "aii", "aii-dpo"),
        ("olga", "aii", "aii-operator"),
        ("vic", "vsb", "vsb-dpo"),
    ):
        assert kbi(capsys, "users", "add", naam, "--node", node, "--role", rol).code == 0
    uit = kbi(capsys, "aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET")
    monkeypatch.setenv("KBI_TEST_VSB_TOKEN", json.loads(uit.out)["token"])
    aii, vsb = start_beide(monkeypatch)
    yield aii, vsb
    aii.stop()
    vsb.stop()


def _achterstallig(aii: Node) -> Any:
    """What AII owes VSB and has not done in time, as VSB's client asks it."""
    kop = {"Authorization": f"Bearer {os.environ['KBI_TEST_VSB_TOKEN']}"}
    return httpx.get(f"{aii.adres}/api/v1/waarschuwingen", headers=kop).json()["achterstallig"]


def _json(capsys: Cap, *args: str) -> Any:
    uit = kbi(capsys, *args, "--json")
    assert uit.code == 0, uit
    return json.loads(uit.out)


def _toevoegen(*extra: str, uur_geleden: int = 1, node: str = "aii") -> tuple[str, ...]:
    moment = (datetime.now(UTC) - timedelta(hours=uur_geleden)).isoformat()
    return (
        "incident", "add", "--node", node, "--established-at", moment, "--description",
        "Een lijstbestand stond een uur leesbaar voor een verkeerde account.", "--people", "12",
        "--category", "insz", "--category", "lijst", *extra,
    )  # fmt: skip


def test_incidents_are_notified_over_the_other_nodes_api_with_their_deadlines(
    nodes: tuple[Node, Node], capsys: Cap
) -> None:
    aii, _ = nodes
    lek = _json(capsys, *_toevoegen("--breach", "--as", "olga"))
    assert lek["partij_gemeld_op"] is not None  # sent at once, VSB took it
    bij_vsb = _json(capsys, "incident", "list", "--node", "vsb")
    assert [(i["id"], i["partij"], i["eigen"]) for i in bij_vsb] == [(lek["id"], "aii", False)]
    assert bij_vsb[0]["omschrijving"] == lek["omschrijving"]
    # the VTC is due 72 hours after establishment: to do, not overdue
    status = _json(capsys, "protocol", "status")
    assert any("Toezichtcommissie by" in w for w in status["waarschuwingen"])
    assert not any("OVERDUE" in w for w in status["waarschuwingen"])

    # established 25 hours ago and not notified: overdue in the CLI, the status and /health
    laat = _json(capsys, *_toevoegen("--no-notify", uur_geleden=25))
    assert laat["partij_gemeld_op"] is None
    lijst = kbi(capsys, "incident", "list", "--node", "aii")
    assert "OVERDUE" in lijst.out
    assert any(
        "OVERDUE" in w and laat["id"] in w
        for w in _json(capsys, "protocol", "status")["waarschuwingen"]
    )
    assert _achterstallig(aii) == {"incidenten": 1, "meldingen": 0}
    assert "achterstallig" not in httpx.get(f"{aii.adres}/api/v1/health").json()  # not public
    assert httpx.get(f"{aii.adres}/api/v1/waarschuwingen").status_code == 401
    gemeld = _json(capsys, "incident", "notify", laat["id"], "--node", "aii")
    assert gemeld["partij_gemeld_op"] is not None
    # sent again (say the first answer was lost): VSB keeps one record
    assert kbi(capsys, "incident", "notify", laat["id"], "--node", "aii").code == 0
    assert len(_json(capsys, "incident", "list", "--node", "vsb")) == 2

    # VSB's own incident reaches AII the same way
    eigen = _json(capsys, *_toevoegen(node="vsb"))
    bij_aii = _json(capsys, "incident", "show", eigen["id"], "--node", "aii")
    assert (bij_aii["partij"], bij_aii["eigen"]) == ("vsb", False)

    # closing waits for the VTC notice of a breach; then the DPO closes it
    sluit = ("incident", "close", lek["id"], "--node", "aii", "--as", "dora")
    dicht = kbi(capsys, *sluit)
    assert dicht.code == 1
    assert "VTC" in dicht.err
    vtc = ("incident", "vtc", lek["id"], "--node", "aii", "--reference", "VTC-2026-017")
    assert kbi(capsys, *vtc, "--as", "olga").code == 1  # an operator may not
    assert _json(capsys, *vtc, "--as", "dora")["vtc_referentie"] == "VTC-2026-017"
    assert _json(capsys, *sluit)["status"] == "gesloten"
    assert kbi(capsys, "audit", "verify", "--alone").code == 0


def test_forged_unsigned_and_oversized_notifications_are_refused(
    nodes: tuple[Node, Node], capsys: Cap
) -> None:
    aii, _ = nodes
    sleutels = pki(load_settings())
    melding = {
        "id": "x-1", "partij": "vsb", "vastgesteld_op": datetime.now(UTC).isoformat(),
        "omschrijving": "vals", "betrokkenen": 1, "categorieen": ["insz"], "datalek": False,
    }  # fmt: skip
    inhoud = orjson.dumps(melding)
    kop = {"Content-Type": "application/pkcs7-mime"}
    # signed by a zorgkas, not by VSB; plain JSON; garbage; too large; AII's own signature
    vals = cms.sign(inhoud, sleutels.certificaat("zorgkas-CM"), sleutels.sleutel("zorgkas-CM"))
    zelf = cms.sign(inhoud, sleutels.certificaat("aii"), sleutels.sleutel("aii"))
    for body in (vals, inhoud, b"\x30\x03\x02\x01\x00", zelf):
        antwoord = httpx.post(f"{aii.adres}/api/v1/incidenten", content=body, headers=kop)
        assert antwoord.status_code == 401, body[:20]
    groot = httpx.post(f"{aii.adres}/api/v1/incidenten", content=b"0" * 70_000, headers=kop)
    assert groot.status_code == 413
    # VSB's signature on a malformed notification: 400 naming the field, nothing stored
    slecht = cms.sign(
        orjson.dumps({**melding, "betrokkenen": -5}),
        sleutels.certificaat("vsb"),
        sleutels.sleutel("vsb"),
    )
    antwoord = httpx.post(f"{aii.adres}/api/v1/incidenten", content=slecht, headers=kop)
    assert antwoord.status_code == 400
    assert "betrokkenen" in antwoord.json()["detail"]
    assert _json(capsys, "incident", "list", "--node", "aii") == []
    assert _achterstallig(aii) == {"incidenten": 0, "meldingen": 0}


def test_an_unreachable_party_leaves_the_notification_to_do(
    twee_nodes: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_AII_VSB_URL", "http://127.0.0.1:9")  # nothing listens
    uit = kbi(capsys, *_toevoegen())
    assert uit.code == 0  # registered all the same
    assert "not notified" in uit.err
    [incident] = _json(capsys, "incident", "list", "--node", "aii")
    assert incident["partij_gemeld_op"] is None
    assert any("notify the other party by" in w for w in incident["waarschuwingen"])
    nog_niet = kbi(capsys, "incident", "notify", incident["id"], "--node", "aii")
    assert nog_niet.code == 1
    assert "still to be sent" in nog_niet.err
    fout = kbi(capsys, "incident", "add", "--node", "aii", "--established-at", "morgen",
               "--description", "x", "--people", "1", "--category", "insz")  # fmt: skip
    assert fout.code == 2
    assert "--established-at" in fout.err
