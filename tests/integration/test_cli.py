from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbi_exchange.adapters.json_log import GEMASKEERD, INSZ_PATROON
from kbi_exchange.bootstrap import sluit_engines
from kbi_exchange.entrypoints import cli
from kbi_exchange.entrypoints.cli import app

runner = CliRunner()


def test_demo_runs_the_whole_cycle_and_a_rerun_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KBI_AII_DATABASE_URL", raising=False)
    monkeypatch.delenv("KBI_VSB_DATABASE_URL", raising=False)
    resultaat = runner.invoke(
        app, ["demo", "--no-serve", "--dossiers", "3000", "--detail"], env={"COLUMNS": "200"}
    )
    assert resultaat.exit_code == 0, resultaat.output
    for verwacht in (
        "VERPLICHT_VOLDOET_NIET",
        "NIET_TIJDIG_AANGEMELD",
        "B1_NIET_AANGETOOND",
        "30004",
        "doelgroep_plicht",
        "Advice over HTTP",
        "20002",
        "Yearly list",
        "ontvangen",
        "VSB imported members-8000-2026.jsonl: 8000 new members",
        "Distribution of the list",
        "Applications over HTTP",
        "onder_18",
        "wacht_op_bron",
        "(as recorded)",
        "Data quality (art. 7)",
        "geweigerd (NOK",
        "1 rectification(s)",
        "the application is now toegekend (OK)",
        "Per zorgkas",
    ):
        assert verwacht in resultaat.output, verwacht
    # the zorgkassen's files are in their mailboxes; the applications that waited are answered
    assert len(list((tmp_path / "home" / "mailbox").glob("zorgkas-*/in/*.p7m"))) >= 2
    # both nodes ran as `kbi serve` processes, each writing JSON lines, none naming anyone
    logs = {n: tmp_path / "home" / "demo" / "logs" / f"{n}.jsonl" for n in ("aii", "vsb")}
    regels = {n: [json.loads(r) for r in pad.read_text().splitlines()] for n, pad in logs.items()}
    assert {"/api/v1/advies", "/api/v1/health"} <= {r.get("route") for r in regels["aii"]}
    assert "/api/v1/zorgkas/aanvragen" in {r.get("route") for r in regels["vsb"]}
    for pad in logs.values():
        tekst = pad.read_text()
        assert not INSZ_PATROON.search(tekst), pad
        assert GEMASKEERD not in tekst, f"{pad}: a line tried to name someone (masked)"
    # again, without --detail: the examples are counted, not shown
    opnieuw = runner.invoke(
        app, ["demo", "--no-serve", "--dossiers", "3000"], env={"COLUMNS": "200"}
    )
    assert opnieuw.exit_code == 0, opnieuw.output
    assert "the 10 example dossiers on 2022-01-01: 3 NOK, 7 OK" in opnieuw.output
    assert "doelgroep_plicht" not in opnieuw.output
    assert len(opnieuw.output.splitlines()) < len(resultaat.output.splitlines()) - 50
    assert "0 new facts" in opnieuw.output
    assert "0 new members, 8000 unchanged" in opnieuw.output
    assert "exists (ontvangen): picking it up, no new one" in opnieuw.output
    assert "nothing new (signed by VSB" in opnieuw.output  # the list is not sent twice
    # a new wrong fact each run: its own rectification, the earlier one not sent again
    assert "1 rectification(s)" in opnieuw.output
    assert "VSB fetches 1 rectification(s)" in opnieuw.output
    sluit_engines()


def test_rules_lists_every_rule_with_its_legal_basis_and_marks_assumptions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the console reads COLUMNS once, when the module is first imported (by any test before)
    monkeypatch.setattr(cli.console, "width", 200)
    resultaat = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert resultaat.exit_code == 0, resultaat.output
    assert "contract_niet_ondertekend" in resultaat.output
    assert "art. 27" in resultaat.output
    assert "NO PUBLIC SOURCE" in resultaat.output
