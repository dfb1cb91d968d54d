"""Runs the rule cases of tests/rules/*.yaml: readable by lawyers, executed by the engine."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kbi_exchange.domain.advies import Vraag, beantwoord
from kbi_exchange.domain.dates import BRUSSEL, moment_uit_tekst
from kbi_exchange.domain.rules import REGELS
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.decide import antwoord_json
from tests.conftest import assert_matches_expected
from tests.fakes import InMemoryKbi

HIER = Path(__file__).parent
STANDAARD_INSZ = "85073003328"
VANDAAG = date(2026, 1, 15)
GELADEN_OP = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def _tekst(waarde: Any) -> Any:
    """YAML turns dates into objects; the import format wants them as text."""
    if isinstance(waarde, dict):
        return {k: _tekst(v) for k, v in waarde.items()}
    if isinstance(waarde, list):
        return [_tekst(v) for v in waarde]
    if isinstance(waarde, date | datetime):
        return waarde.isoformat()
    return waarde


def _cases() -> list[Any]:
    cases = []
    for bestand in sorted(HIER.glob("*.yaml")):
        for geval in yaml.safe_load(bestand.read_text(encoding="utf-8"))["gevallen"]:
            cases.append(pytest.param(_tekst(geval), id=f"{bestand.stem}: {geval['naam']}"))
    return cases


@pytest.mark.parametrize("geval", _cases())
def test_rule_case(geval: dict[str, Any]) -> None:
    kbi = InMemoryKbi()
    regels = geval.get("dossiers") or ([geval["dossier"]] if geval.get("dossier") else [])
    for regel in regels:
        kbi.laad_jsonl([json.dumps({"insz": STANDAARD_INSZ, **regel})], opgenomen_op=GELADEN_OP)
    vraag = geval["vraag"]
    vandaag = date.fromisoformat(vraag.get("vandaag", VANDAAG.isoformat()))
    gekend_op = (
        moment_uit_tekst(vraag["gekend_op"])
        if "gekend_op" in vraag
        else datetime.combine(vandaag, time(12), tzinfo=BRUSSEL)
    )
    antwoord = beantwoord(
        Vraag(vraag.get("insz", STANDAARD_INSZ), vraag["datum"], vraag.get("doel", "ZORGBUDGET")),
        zoek=kbi.zoek,
        vandaag=vandaag,
        gekend_op=gekend_op,
        parameters=standaard_parameters(),
    )
    assert_matches_expected(antwoord_json(antwoord), geval["verwacht"])


def test_every_rule_of_the_engine_has_cases() -> None:
    namen = " ".join(p.read_text(encoding="utf-8") for p in HIER.glob("*.yaml"))
    for code in (
        "INBREUK_VASTGESTELD",
        "NIET_TIJDIG_AANGEMELD",
        "CONTRACT_NIET_ONDERTEKEND",
        "B1_NIET_AANGETOOND",
        "NIET_VERPLICHT",
        "40001",
        "40083",
        "30004",
        "20002",
    ):
        assert code in namen, f"no rule case mentions {code}"
    assert len(REGELS) == 9
