"""What `kbi aii import` and `kbi vsb import` share: options, progress, the bad lines, output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from kbi_exchange.services.line_import import ImportGeweigerd, LijnTelling

R = TypeVar("R", bound=LijnTelling)

SkipBad = Annotated[
    bool, typer.Option("--skip-bad", help="Import the good lines; write the bad ones to --rejects.")
]
Rejects = Annotated[Path | None, typer.Option(help="Where --skip-bad writes bad lines.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Workers = Annotated[
    int | None,
    typer.Option(
        min=0,
        max=16,
        help="Processes that parse lines (default: 0 below 4 MiB, else one per spare core).",
    ),
]

console = Console()
fouten = Console(stderr=True)


def controleer_opties(skip_bad: bool, rejects: Path | None) -> None:
    if skip_bad and rejects is None:
        raise typer.BadParameter("--skip-bad needs --rejects FILE", param_hint="--rejects")


# Lines after which an import refreshes the planner's statistics (PostgreSQL; see
# bootstrap.werk_statistieken_bij): cheap next to such an import, pointless for a few lines.
STATISTIEKEN_VANAF = 10_000


def voer_uit(
    bestand: Path,
    *,
    json_uit: bool,
    importeer: Callable[[Callable[[int], None]], R],
    samenvatting: Callable[[R], dict[str, object]],
    zin: Callable[[R], str],
    rejects: Path | None,
    daarna: Callable[[], None] = lambda: None,
) -> None:
    """Run an import with a progress bar on a terminal; print the bad lines (numbers, fields,
    reasons — never their content), then the id and a summary, or the summary as JSON."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=fouten,
        transient=True,
        disable=json_uit or not fouten.is_terminal,
    ) as progress:
        taak = progress.add_task("importing", total=bestand.stat().st_size)
        try:
            resultaat = importeer(lambda n: progress.advance(taak, n))
        except ImportGeweigerd as geweigerd:
            for fout in geweigerd.resultaat.fouten:
                fouten.print(f"  {fout}", markup=False, highlight=False)
            raise
    if resultaat.regels >= STATISTIEKEN_VANAF:
        daarna()
    for fout in resultaat.fouten:
        fouten.print(f"  {fout}", markup=False, highlight=False)
    if json_uit:
        console.print_json(
            json.dumps(
                {
                    "id": resultaat.import_id,
                    "regels": resultaat.regels,
                    **samenvatting(resultaat),
                    "regels_geweigerd": resultaat.aantal_fouten,
                }
            )
        )
        return
    console.print(resultaat.import_id)
    console.print(
        f"{resultaat.regels} lines: {zin(resultaat)}, {resultaat.aantal_fouten} lines rejected"
        + (f" (written to {rejects})" if resultaat.aantal_fouten else ""),
        highlight=False,
    )
