"""`kbi audit ...`: check the chain; who received what about a person (SPEC §11, §14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import uow
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.entrypoints.cli_users import actor, bestaat
from kbi_exchange.services.audit import verifieer_audit, zoek_over_persoon
from kbi_exchange.settings import load_settings


class AuditGeschonden(KbiFout):
    """The audit log was tampered with; the message names the first problem and the count."""

    def __init__(self, problemen: list[str]) -> None:
        meer = f" (and {len(problemen) - 1} more problems)" if len(problemen) > 1 else ""
        super().__init__(f"audit log NOT intact: {problemen[0]}{meer}")


app = typer.Typer(help="The audit log: verify the chain, search by person.", no_args_is_help=True)
console = Console()


@app.command("verify")
def verify(
    node: Annotated[
        Node | None, typer.Option(help="The node whose log to check; default: each node.")
    ] = None,
    als_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Verify as this person (an auditor or DPO); else as the OS account."
        ),
    ] = None,
) -> None:
    """Check that no entry was changed, deleted, inserted or reordered (exit 1 if one was)."""
    nodes = [node] if node else list(Node)
    # an auditor exists on each node; a DPO on their own
    wie = {n: actor(als_, n) for n in nodes}
    settings = load_settings()
    geschonden: list[str] = []
    for n in nodes:
        with uow(settings, n) as werk:
            aantal, problemen = verifieer_audit(door=wie[n], audit=werk.audit)
        if problemen:
            geschonden += [f"{n.value}: {p}" for p in problemen]
        else:
            typer.echo(f"{n.value} audit log intact: {aantal} entries verified")
    if geschonden:
        raise AuditGeschonden(geschonden)


@app.command("search")
def search(
    insz: Annotated[str, typer.Option(help="The person's INSZ.")],
    node: Annotated[
        Node | None,
        typer.Option(help="The node whose log to search; default: each node (with --as: theirs)."),
    ] = None,
    als_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Search as this person (aii-dpo, vsb-dpo); else as the OS account."
        ),
    ] = None,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """Who received what about a person, when and why. The search itself is audited."""
    try:
        cijfers = Insz.parse(insz).cijfers
    except OngeldigInsz as fout:
        raise typer.BadParameter(str(fout), param_hint="--insz") from None
    settings = load_settings()
    nodes = [node] if node else list(Node)
    if als_ and node is None:  # a person works on one node: search theirs
        nodes = [n for n in Node if bestaat(als_, n)] or [Node.AII]
    rijen = []
    for n in nodes:
        regels = zoek_over_persoon(
            uow=uow(settings, n),
            insz=cijfers,
            door=actor(als_, n),
            nu=datetime.now(UTC),
        )
        rijen += [
            {
                "node": n.value,
                "seq": r.seq,
                "tijdstip": r.tijdstip.isoformat(),
                "gebeurtenis": r.gebeurtenis,
                "actor": r.actor,
                "inhoud": json.loads(r.inhoud) if r.inhoud else None,
            }
            for r in regels
        ]
    if json_uit:
        typer.echo(json.dumps(rijen, ensure_ascii=False))
        return
    tabel = Table(title=f"Audit entries about {Insz(cijfers).opgemaakt()}")
    for kolom in ("node", "#", "when", "event", "who", "what"):
        tabel.add_column(kolom)
    for rij in rijen:
        tabel.add_row(
            str(rij["node"]),
            str(rij["seq"]),
            str(rij["tijdstip"]),
            str(rij["gebeurtenis"]),
            str(rij["actor"]),
            json.dumps(rij["inhoud"], ensure_ascii=False),
        )
    console.print(tabel)
