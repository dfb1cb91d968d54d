"""`kbi synth ...`: realistic synthetic data for demos and benchmarks."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from kbi_exchange.services.synth import synth_dossiers

app = typer.Typer(help="Synthetic data with valid INSZ numbers.", no_args_is_help=True)


def schrijf_dossiers(count: int, seed: int, out: Path) -> int:
    """Write the synthetic dossiers as JSON Lines, atomically; returns the number of lines."""
    tijdelijk = out.with_name(f".{out.name}.tmp")
    regels = 0
    with tijdelijk.open("w", encoding="utf-8", newline="\n") as uit:
        for dossier in synth_dossiers(count, seed):
            uit.write(json.dumps(dossier, separators=(",", ":")) + "\n")
            regels += 1
    os.replace(tijdelijk, out)
    return regels


@app.command("dossiers")
def dossiers(
    count: Annotated[int, typer.Option(min=1, help="Number of persons.")],
    out: Annotated[Path, typer.Option(help="The JSON Lines file to write.", dir_okay=False)],
    seed: Annotated[int, typer.Option(help="Same seed, same file.")] = 1,
) -> None:
    """KBI dossiers in the import format, in which every rule of SPEC §4 occurs."""
    regels = schrijf_dossiers(count, seed, out)
    typer.echo(f"{regels} lines for {count} persons written to {out}")
