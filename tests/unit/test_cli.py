from __future__ import annotations

from typer.testing import CliRunner

from kbi_exchange.entrypoints.cli import app

runner = CliRunner()


def test_demo_shows_status_advice_and_explanation_for_the_examples() -> None:
    resultaat = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert resultaat.exit_code == 0, resultaat.output
    assert "VERPLICHT_VOLDOET_NIET" in resultaat.output
    assert "NIET_TIJDIG_AANGEMELD" in resultaat.output
    assert "B1_NIET_AANGETOOND" in resultaat.output
    assert "30004" in resultaat.output
    assert "doelgroep_plicht" in resultaat.output


def test_rules_lists_every_rule_with_its_legal_basis_and_marks_assumptions() -> None:
    resultaat = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert resultaat.exit_code == 0, resultaat.output
    assert "contract_niet_ondertekend" in resultaat.output
    assert "art. 27" in resultaat.output
    assert "NO PUBLIC SOURCE" in resultaat.output
