"""Every command of the command line is documented in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from kbi_exchange.entrypoints.cli import app

README = Path(__file__).parents[2] / "README.md"


def _commands(groep: Any, prefix: str = "kbi") -> list[str]:
    """Every leaf command, e.g. ``kbi aii import``."""
    namen = []
    for naam, command in groep.commands.items():
        if hasattr(command, "commands"):
            namen.extend(_commands(command, f"{prefix} {naam}"))
        else:
            namen.append(f"{prefix} {naam}")
    return namen


def test_every_command_is_in_the_readme() -> None:
    tekst = README.read_text(encoding="utf-8")
    commands = _commands(typer.main.get_group(app))
    assert "kbi aii import" in commands
    for command in commands:
        assert f"`{command}" in tekst, f"{command} is not documented in README.md"


def test_the_readme_opens_with_the_two_commands() -> None:
    begin = README.read_text(encoding="utf-8")[:400]
    assert "make run" in begin
    assert "make test" in begin
