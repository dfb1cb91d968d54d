"""`kbi retention run`: remove what a node may no longer keep (SPEC §10, §14)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console

from kbi_exchange.bootstrap import mailbox, termijnen, uow
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.bewaring import Bewaringsrapport, Gegevens
from kbi_exchange.entrypoints.cli_aanvragen import dag
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services import bewaring
from kbi_exchange.settings import load_settings

app = typer.Typer(help="Retention: remove what may no longer be kept.", no_args_is_help=True)
console = Console(stderr=True)


def _toon(rapport: Bewaringsrapport) -> None:
    wat = "would remove" if rapport.dry_run else "removed"
    typer.echo(f"{rapport.node.value.upper()} on {rapport.op}: {wat} {rapport.aantal} in all")
    for v in rapport.verwijderd:
        typer.echo(f"  {v.opdracht.gegevens.value}: {len(v.ids)} — {v.opdracht.reden}")
        for i in v.ids:  # every item, by its id (a person: the keyed hash of the number)
            typer.echo(f"    {i}")


@app.command("run")
def run(
    node: Annotated[
        Node | None, typer.Option(help="Only this node (default: both, AII first).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would go, and why; remove nothing.")
    ] = False,
    op: Annotated[
        date | None,
        typer.Option(
            "--on",
            parser=dag,
            metavar="YYYY-MM-DD",
            help="With --dry-run: what would go on that day (default: today).",
        ),
    ] = None,
    als_: Annotated[
        str | None,
        typer.Option("--as", help="The DPO running it (default: the OS account, as from cron)."),
    ] = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Remove what this node may no longer keep, each kind with its reason and ids: answers 5
    years after the end of the zorgbudget or the refusal, applications never decided, a
    deceased person's list data (also inside the zorgkas files and messages), listed INSZ VSB
    has no use for after the distribution, zorgkas files once downloaded or after their
    period (API and mailbox), AII's list files once VSB has a later one, data of a flow whose
    basis or protocol ended (after the grace period), decision records' and audit entries'
    content after the periods in the settings (the audit chain's hashes stay). Audited; safe
    to interrupt and rerun: a rerun removes what is left, and nothing more."""
    if op is not None and not dry_run:
        raise typer.BadParameter("only with --dry-run", param_hint="--on")
    if als_ and node is None:
        raise typer.BadParameter("give --node too: a person works on one node", param_hint="--as")
    settings = load_settings()
    rapporten = []
    for n in [node] if node else [Node.AII, Node.VSB]:
        door = actor(als_, n)
        with console.status(f"{n.value}: looking for what goes…") as status:

            def voortgang(g: Gegevens, klaar: int, totaal: int, n: Node = n) -> None:
                status.update(f"{n.value}: removing {g.value}… {klaar:,} of {totaal:,}")

            rapport = bewaring.run(
                uow=uow(settings, n),
                node=n,
                termijnen=termijnen(settings),
                definitie=protocol_definitie(),
                door=door,
                nu=datetime.now(UTC),
                op=op,
                dry_run=dry_run,
                voortgang=voortgang,
                postvak=mailbox(settings),
            )
        rapporten.append(rapport)
        if not json_uit:
            _toon(rapport)
    if json_uit:
        typer.echo(json.dumps([r.json() for r in rapporten]))
