"""`kbi --help` and a command of one group load nothing of the others (issue 21): the groups
are made when first asked for, and only `kbi demo` and `kbi serve` load the web services."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main

from kbi_exchange.entrypoints.cli import GROEPEN

ZWAAR = ("fastapi", "uvicorn", "sqlalchemy", "pyhanko", "alembic", "kbi_exchange.demo")


def _geladen(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from kbi_exchange.entrypoints.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('GELADEN:' + ','.join(m for m in {ZWAAR!r} if m in sys.modules))\n"
    )
    uit = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    [regel] = [r for r in uit.stdout.splitlines() if r.startswith("GELADEN:")]
    return {m for m in regel.removeprefix("GELADEN:").split(",") if m}


def test_the_top_level_help_loads_no_group_database_or_web_service() -> None:
    assert _geladen("--help") == set()


def test_a_group_loads_what_it_needs_and_not_the_demo_or_the_web_service() -> None:
    geladen = _geladen("synth", "--help")
    assert not geladen & {"fastapi", "uvicorn", "kbi_exchange.demo"}


@pytest.mark.parametrize("naam", sorted(GROEPEN))
def test_each_groups_line_in_the_top_help_is_its_own_help(naam: str) -> None:
    regel, laad = GROEPEN[naam]
    groep = typer.main.get_group(laad())
    assert groep.help is not None
    assert " ".join(groep.help.split()) == regel
