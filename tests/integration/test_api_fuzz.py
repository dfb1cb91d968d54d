"""Schemathesis fuzzes the REST service from its own OpenAPI document (SPEC §7, §13)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.entrypoints.api.vsb_app import maak_app as maak_vsb_app
from kbi_exchange.settings import load_settings
from tests.conftest import EXAMPLES, kbi

ANTWOORD = {"referte", "insz", "datum", "advies", "reden", "uitzonderingen"}


def test_no_generated_request_gets_a_server_error_or_a_framework_body(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    token = json.loads(kbi(capsys, "aii", "clients", "add", "fuzz", "--purpose", "ZORGBUDGET").out)[
        "token"
    ]
    app = maak_app(load_settings())
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    geprobeerd: dict[str, int] = {}
    for uitkomst in schema.get_all_operations():
        operatie = uitkomst.ok()  # type: ignore[union-attr]

        @given(case=operatie.as_strategy())
        @settings(
            max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def probeer(case: Any) -> None:
            antwoord = case.call(headers={"Authorization": f"Bearer {token}"})
            geprobeerd[case.path] = geprobeerd.get(case.path, 0) + 1
            assert antwoord.status_code < 500 or antwoord.status_code == 503, antwoord.text
            assert antwoord.status_code != 422
            body = antwoord.json()
            if case.path == "/api/v1/advies":
                assert set(body) == ANTWOORD
            if case.path == "/api/v1/advies/batch":
                assert set(body) == {"antwoorden", "uitzonderingen"}

        probeer()
    asyncio.run(app.state.api.stop())
    assert {"/api/v1/advies", "/api/v1/advies/batch", "/api/v1/health"} <= set(geprobeerd)


def test_the_vsb_node_gets_no_server_error_or_framework_body_either(
    twee_nodes: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zorgkas API, AII's notifications and the rest, as a zorgkas's client; AII is not
    running (so questions to it get 503, never a 500)."""
    monkeypatch.setenv("KBI_VSB_AII_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("KBI_VSB_AII_TOKEN", "niet-gebruikt")
    uit = kbi(capsys, "vsb", "clients", "add", "fuzz", "--zorgkas", "CM")
    token = json.loads(uit.out)["token"]
    app = maak_vsb_app(load_settings())
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    geprobeerd: set[str] = set()
    for uitkomst in schema.get_all_operations():
        operatie = uitkomst.ok()  # type: ignore[union-attr]

        @given(case=operatie.as_strategy())
        @settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def probeer(case: Any) -> None:
            antwoord = case.call(headers={"Authorization": f"Bearer {token}"})
            geprobeerd.add(case.path)
            assert antwoord.status_code < 500 or antwoord.status_code == 503, antwoord.text
            assert antwoord.status_code != 422
            antwoord.json()

        probeer()
    assert {"/api/v1/zorgkas/berichten", "/api/v1/incidenten"} <= geprobeerd
