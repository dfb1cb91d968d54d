"""`kbi aii ...`: the AII node's commands (SPEC §14)."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from kbi_exchange.bootstrap import aii_uow
from kbi_exchange.domain.access import Node, Permissie
from kbi_exchange.domain.advies import Antwoord, Vraag
from kbi_exchange.domain.dates import OngeldigeTijd, moment_uit_tekst
from kbi_exchange.domain.insz import Insz, is_geldig
from kbi_exchange.entrypoints.cli_users import als
from kbi_exchange.services.decide import antwoord_json, decide
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.services.line_import import ImportGeweigerd
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
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Import the good lines; write the bad ones to --rejects."),
    ] = False,
    rejects: Annotated[Path | None, typer.Option(help="Where --skip-bad writes bad lines.")] = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    als_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Import as this person (an aii-operator); else as the OS account."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=16,
            help="Processes that parse lines (default: 0 below 4 MiB, else one per spare core).",
        ),
    ] = None,
) -> None:
    """Import KBI dossiers: validated, add-only, all or nothing unless --skip-bad."""
    if skip_bad and rejects is None:
        raise typer.BadParameter("--skip-bad needs --rejects FILE", param_hint="--rejects")
    settings = load_settings()
    door = (
        als(als_, Node.AII, Permissie.KBI_DOSSIER_IMPORTEER).naam
        if als_
        else f"os:{getpass.getuser()}"
    )
    nu = datetime.now(UTC)
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
            resultaat = import_dossiers(
                uow=aii_uow(settings),
                bestand=bestand,
                door=door,
                nu=nu,
                skip_bad=skip_bad,
                rejects=rejects,
                voortgang=lambda n: progress.advance(taak, n),
                aantal_werkers=workers,
            )
        except ImportGeweigerd as geweigerd:
            for fout in geweigerd.resultaat.fouten:
                fouten.print(f"  {fout}", markup=False, highlight=False)
            raise
    samenvatting = {
        "id": resultaat.import_id,
        "regels": resultaat.regels,
        "feiten_toegevoegd": resultaat.feiten_toegevoegd,
        "feiten_ingetrokken": resultaat.feiten_ingetrokken,
        "velden_gewijzigd": resultaat.velden_gewijzigd,
        "regels_geweigerd": resultaat.aantal_fouten,
    }
    for fout in resultaat.fouten:
        fouten.print(f"  {fout}", markup=False, highlight=False)
    if json_uit:
        console.print_json(json.dumps(samenvatting))
        return
    console.print(resultaat.import_id)
    console.print(
        f"{resultaat.regels} lines: {resultaat.feiten_toegevoegd} facts added, "
        f"{resultaat.feiten_ingetrokken} withdrawn, {resultaat.velden_gewijzigd} field values "
        f"changed, {resultaat.aantal_fouten} lines rejected"
        + (f" (written to {rejects})" if resultaat.aantal_fouten else ""),
        highlight=False,
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
    insz: Annotated[str, typer.Option(help="The person's INSZ (any usual written form).")],
    date: Annotated[str, typer.Option("--date", help="The reference date, YYYY-MM-DD.")],
    known_at: Annotated[
        str | None,
        typer.Option(help="Knowledge time: RFC 3339 timestamp or a date (start of day, Brussels)."),
    ] = None,
    purpose: Annotated[str, typer.Option(help="ZORGBUDGET or VERLAAGDE_PREMIE.")] = "ZORGBUDGET",
    json_uit: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """The answer flow F1 would give, with its explanation (exit 1 when refused)."""
    try:
        gekend_op = moment_uit_tekst(known_at) if known_at else None
    except OngeldigeTijd as fout:
        raise typer.BadParameter(str(fout), param_hint="--known-at") from None
    nu = datetime.now(UTC)
    with aii_uow(load_settings()) as uow:
        antwoord = decide(Vraag(insz, date, purpose), zoek=uow.kbi.zoek, nu=nu, gekend_op=gekend_op)
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
    if als_:
        als(als_, Node.AII, Permissie.KBI_ADVIES_BEKIJK)
    herspeling = herspeel(uow=aii_uow(load_settings()), beslissing_id=beslissing_id)
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
