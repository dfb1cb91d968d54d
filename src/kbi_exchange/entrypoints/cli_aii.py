"""`kbi aii ...`: the AII node's commands (SPEC §14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.bootstrap import aii_uow, werk_statistieken_bij
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.advies import Antwoord, Vraag
from kbi_exchange.domain.dates import OngeldigeTijd, moment_uit_tekst
from kbi_exchange.domain.insz import Insz, is_geldig
from kbi_exchange.entrypoints.cli_import import (
    Json,
    Rejects,
    SkipBad,
    Workers,
    controleer_opties,
    voer_uit,
)
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.services.decide import antwoord_json, beslis
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.services.replay import herspeel
from kbi_exchange.settings import load_settings

app = typer.Typer(help="The AII node: KBI store, rules engine, advice.", no_args_is_help=True)
console = Console()
fouten = Console(stderr=True)


@app.command("import")
def import_(
    bestand: Annotated[
        Path,
        typer.Argument(
            help="JSON Lines file of KBI dossiers (SPEC §5).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    skip_bad: SkipBad = False,
    rejects: Rejects = None,
    json_uit: Json = False,
    als_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Import as this person (an aii-operator); else as the OS account."
        ),
    ] = None,
    workers: Workers = None,
) -> None:
    """Import KBI dossiers: validated, add-only, all or nothing unless --skip-bad."""
    controleer_opties(skip_bad, rejects)
    settings = load_settings()
    door = actor(als_, Node.AII)
    nu = datetime.now(UTC)
    voer_uit(
        bestand,
        json_uit=json_uit,
        rejects=rejects,
        importeer=lambda voortgang: import_dossiers(
            uow=aii_uow(settings),
            bestand=dossier_file(
                bestand,
                skip_bad=skip_bad,
                rejects=rejects,
                voortgang=voortgang,
                aantal_werkers=workers,
            ),
            door=door,
            nu=nu,
        ),
        samenvatting=lambda r: {
            "feiten_toegevoegd": r.feiten_toegevoegd,
            "feiten_ingetrokken": r.feiten_ingetrokken,
            "velden_gewijzigd": r.velden_gewijzigd,
        },
        zin=lambda r: (
            f"{r.feiten_toegevoegd} facts added, {r.feiten_ingetrokken} withdrawn, "
            f"{r.velden_gewijzigd} field values changed"
        ),
        daarna=lambda: werk_statistieken_bij(
            settings, Node.AII, ("persoon", "feit", "feit_intrekking", "dossierveld")
        ),
    )


def _toon(antwoord: Antwoord, gekend_op: datetime) -> None:
    beslissing = antwoord.beslissing
    wie = Insz(antwoord.insz).opgemaakt() if antwoord.insz and is_geldig(antwoord.insz) else "?"
    console.print(
        f"[bold]{wie}[/] on {antwoord.vraag.datum} ({antwoord.vraag.doel}), "
        f"as known at {gekend_op.isoformat(timespec='seconds')}"
    )
    for u in antwoord.uitzonderingen:
        console.print(f"  uitzondering {u.identificatie} ({u.type}): {u.diagnose}")
    if beslissing is None:
        console.print("  [yellow]refused[/]: no answer is given")
        return
    reden = beslissing.reden
    console.print(
        f"  status [bold]{beslissing.status}[/], advies [bold]{beslissing.advies}[/]"
        + (f", reden {reden.code}: {reden.omschrijving}" if reden else "")
    )
    tabel = Table(title="Uitleg", show_lines=False)
    for kolom in ("rule", "held", "why", "legal basis"):
        tabel.add_column(kolom)
    for stap in beslissing.uitleg:
        tabel.add_row(
            stap.naam, "yes" if stap.geldt else "no", stap.toelichting, stap.wettelijke_basis
        )
    console.print(tabel)
    console.print(
        f"  facts used: {len(beslissing.feiten)}; parameters {beslissing.parameterversie}"
    )


@app.command("decide")
def decide_(
    insz: Annotated[str, typer.Option(help="The person's INSZ: 11 digits, nothing else.")],
    date: Annotated[str, typer.Option("--date", help="The reference date, YYYY-MM-DD.")],
    known_at: Annotated[
        str | None,
        typer.Option(help="Knowledge time: RFC 3339 timestamp or a date (start of day, Brussels)."),
    ] = None,
    purpose: Annotated[
        str, typer.Option(help="ZORGBUDGET (VERLAAGDE_PREMIE has no individual question: 40001).")
    ] = "ZORGBUDGET",
    json_uit: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """The answer flow F1 would give, with its explanation (exit 1 when refused)."""
    try:
        gekend_op = moment_uit_tekst(known_at) if known_at else None
    except OngeldigeTijd as fout:
        raise typer.BadParameter(str(fout), param_hint="--known-at") from None
    nu = datetime.now(UTC)
    antwoord = beslis(
        door=actor(None, Node.AII),
        uow=aii_uow(load_settings()),
        vraag=Vraag(insz, date, purpose),
        nu=nu,
        gekend_op=gekend_op,
    )
    if json_uit:
        typer.echo(json.dumps(antwoord_json(antwoord), ensure_ascii=False))
    else:
        _toon(antwoord, gekend_op or nu)
    raise typer.Exit(1 if antwoord.geweigerd else 0)


decision_app = typer.Typer(help="Stored answers of the advice service.", no_args_is_help=True)
app.add_typer(decision_app, name="decision")


@decision_app.command("show")
def decision_show(
    beslissing_id: Annotated[str, typer.Argument(metavar="ID", help="The decision's id.")],
    json_uit: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    als_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Show as this person (an aii-operator or DPO); else as the OS account."
        ),
    ] = None,
) -> None:
    """A stored answer, replayed on exactly its facts and knowledge time (exit 1 if it differs)."""
    herspeling = herspeel(
        door=actor(als_, Node.AII), uow=aii_uow(load_settings()), beslissing_id=beslissing_id
    )
    uitkomst = {
        **herspeling.record,
        "herspeeld": herspeling.opnieuw,
        "herspeling_gelijk": herspeling.gelijk,
        "parameters_gelijk": herspeling.parameters_gelijk,
    }
    if json_uit:
        typer.echo(json.dumps(uitkomst, ensure_ascii=False))
    else:
        console.print_json(json.dumps(herspeling.record, ensure_ascii=False))
        console.print(
            "replay: [green]identical[/]"
            if herspeling.gelijk
            else f"replay: [red]DIFFERS[/]: {json.dumps(herspeling.opnieuw, ensure_ascii=False)}"
        )
        if not herspeling.parameters_gelijk:
            console.print("note: replayed with the parameters shipped now, not those recorded")
    raise typer.Exit(0 if herspeling.gelijk else 1)
