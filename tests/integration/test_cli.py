from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kbi_exchange.entrypoints import cli
from kbi_exchange.entrypoints.cli import app

runner = CliRunner()


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
