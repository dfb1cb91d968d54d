"""Structured logs (issue 23): JSON lines, and no INSZ whatever a caller logs."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbi_exchange.adapters.json_log import JsonFormatter, configure, maskeer


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        ("insz 85073001348 asked", "insz [INSZ] asked"),
        ("85.07.30-013.48", "[INSZ]"),
        ("a=85073001348,b=85073003328", "a=[INSZ],b=[INSZ]"),
        ("referte 123456789012 (12 digits) stays", "referte 123456789012 (12 digits) stays"),
        ("1234567890 (10 digits) stays", "1234567890 (10 digits) stays"),
    ],
)
def test_any_run_of_eleven_digits_is_masked(tekst: str, verwacht: str) -> None:
    assert maskeer(tekst) == verwacht


def test_a_line_is_one_json_object_with_the_callers_fields_masked() -> None:
    record = logging.LogRecord(
        "kbi_exchange.x", logging.WARNING, "f.py", 1, "for %s", ("85073001348",), None
    )
    record.route = "/api/v1/advies"
    record.insz = 85073001348
    record.jong = 1052000135  # an INSZ of someone born in 2010 as a number: no leading zero
    record.status = 200
    regel = json.loads(JsonFormatter("aii").format(record))
    assert regel["msg"] == "for [INSZ]"
    assert (regel["level"], regel["logger"], regel["node"]) == ("warning", "kbi_exchange.x", "aii")
    assert (regel["route"], regel["status"], regel["insz"]) == ("/api/v1/advies", 200, "[INSZ]")
    assert regel["jong"] == "[INSZ]"


def test_an_exception_is_logged_by_its_kind_only() -> None:
    try:
        raise ValueError("85073001348 is not in the KBI")
    except ValueError:
        record = logging.LogRecord("k", logging.ERROR, "f.py", 1, "failed", (), sys.exc_info())
    regel = JsonFormatter().format(record)
    assert json.loads(regel)["exc_type"] == "ValueError"
    assert "85073001348" not in regel
    assert "not in the KBI" not in regel


@pytest.fixture
def _loggers_terug() -> Iterator[None]:
    """Put the loggers `configure` changes back as they were (caplog needs propagation)."""
    namen = ("kbi_exchange", "uvicorn", "uvicorn.error", "kbi_exchange.access")
    was = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level,
               logging.getLogger(n).propagate) for n in namen}  # fmt: skip
    yield
    for naam, (handlers, level, propagate) in was.items():
        logger = logging.getLogger(naam)
        for h in logger.handlers:
            if h not in handlers:
                h.close()
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)


@pytest.mark.usefixtures("_loggers_terug")
def test_configure_writes_json_lines_to_a_file(tmp_path: Path) -> None:
    bestand = tmp_path / "log" / "aii.jsonl"
    configure("aii", bestand=bestand, toegang=True)
    logging.getLogger("kbi_exchange.access").info("request", extra={"route": "/x"})
    logging.getLogger("kbi_exchange.proef").warning("about 85073001348")
    regels = [json.loads(r) for r in bestand.read_text(encoding="utf-8").splitlines()]
    assert [r["msg"] for r in regels] == ["request", "about [INSZ]"]
    assert regels[0]["route"] == "/x"
