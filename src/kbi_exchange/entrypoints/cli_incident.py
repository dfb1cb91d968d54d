"""`kbi incident ...`: incidents on either node (SPEC §12, protocol art. 6 and 9)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from kbi_exchange.bootstrap import messenger, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.dates import OngeldigeTijd, moment_uit_tekst
from kbi_exchange.domain.incident import CATEGORIEEN, Incident, PartijOnbereikbaar
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.services import incidenten
from kbi_exchange.settings import load_settings

app = typer.Typer(
    help="Incidents: registered, notified to the other party (24 h) and, for a personal-data "
    "breach, to the Vlaamse Toezichtcommissie (72 h).",
    no_args_is_help=True,
)
console = Console(soft_wrap=True, width=None if Console().is_terminal else 160)
fouten = Console(stderr=True)

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
NodeVerplicht = Annotated[Node, typer.Option(help="The node (party) whose incident it is.")]
Id = Annotated[str, typer.Argument(metavar="ID")]


def _moment(waarde: str) -> datetime:
    try:
        return moment_uit_tekst(waarde)
    except OngeldigeTijd as fout:
        raise typer.BadParameter(f"{waarde!r}: {fout}") from None


def _toon(incident: Incident, nu: datetime) -> None:
    soort = "personal-data breach" if incident.datalek else "incident"
    herkomst = "" if incident.eigen else f" (notified by {incident.partij.value})"
    console.print(
        f"{incident.id}: {soort} of {incident.partij.value}{herkomst}, established "
        f"{incident.vastgesteld_op:%Y-%m-%d %H:%M %Z}, {incident.betrokkenen} people, "
        f"{', '.join(incident.categorieen)}; {incident.status}",
        markup=False,
    )
    for waarschuwing in incident.waarschuwingen(nu):
        stijl = "bold red" if "OVERDUE" in waarschuwing else "yellow"
        console.print(f"  [{stijl}]{waarschuwing}[/]")


def _meld(node: Node, incident_id: str, door: Actor) -> Incident | None:
    """Notify the other party now; on failure say so and leave it to `notify` (exit 0)."""
    settings = load_settings()
    try:
        return incidenten.meld_partij(
            uow=uow(settings, node),
            node=node,
            incident_id=incident_id,
            messenger=messenger(settings, node),
            door=door,
            nu=datetime.now(UTC),
        )
    except PartijOnbereikbaar as fout:
        fouten.print(f"warning: not notified: {fout}", markup=False)
        return None


@app.command("add")
def add(
    node: NodeVerplicht,
    vastgesteld: Annotated[
        datetime,
        typer.Option(
            "--established-at",
            parser=_moment,
            metavar="T",
            help="When it was established (RFC 3339 with offset, or YYYY-MM-DD): the deadlines "
            "run from here.",
        ),
    ],
    omschrijving: Annotated[str, typer.Option("--description", help="What happened.")],
    betrokkenen: Annotated[int, typer.Option("--people", help="How many people affected.")],
    categorie: Annotated[
        list[str],
        typer.Option("--category", help=f"Data touched (repeat): {', '.join(CATEGORIEEN)}."),
    ],
    datalek: Annotated[
        bool, typer.Option("--breach", help="A personal-data breach: the VTC within 72 h.")
    ] = False,
    stuur: Annotated[
        bool,
        typer.Option(
            "--notify/--no-notify", help="Notify the other party at once (default) or later."
        ),
    ] = True,
    als_: Annotated[
        str | None, typer.Option("--as", help="Who registers it; else the OS account.")
    ] = None,
    json_uit: Json = False,
) -> None:
    """Register an incident of the node's party; by default the other party is notified over
    its API at once (else `kbi incident notify ID` within 24 hours)."""
    settings = load_settings()
    door = actor(als_, node)
    nu = datetime.now(UTC)
    incident = incidenten.registreer(
        uow=uow(settings, node),
        node=node,
        vastgesteld_op=vastgesteld,
        omschrijving=omschrijving,
        betrokkenen=betrokkenen,
        categorieen=categorie,
        datalek=datalek,
        door=door,
        nu=nu,
    )
    if stuur:
        incident = _meld(node, incident.id, door) or incident
    if json_uit:
        typer.echo(json.dumps(incident.json(datetime.now(UTC))))
        return
    typer.echo(incident.id)
    _toon(incident, datetime.now(UTC))


@app.command("notify")
def notify(
    incident_id: Id,
    node: NodeVerplicht,
    als_: Annotated[str | None, typer.Option("--as", help="Who sends it.")] = None,
    json_uit: Json = False,
) -> None:
    """Send the other party the notification over its API (again, if it did not arrive)."""
    door = actor(als_, node)
    incident = _meld(node, incident_id, door)
    if incident is None:
        raise typer.Exit(1)
    if json_uit:
        typer.echo(json.dumps(incident.json(datetime.now(UTC))))
    else:
        typer.echo(incident.id)
        console.print(f"the other party was notified at {incident.partij_gemeld_op:%Y-%m-%d %H:%M}")


@app.command("vtc")
def vtc(
    incident_id: Id,
    node: NodeVerplicht,
    referentie: Annotated[
        str, typer.Option("--reference", help="The VTC's reference for the notification.")
    ],
    als_: Annotated[str, typer.Option("--as", help="The DPO who notified the VTC.")],
    json_uit: Json = False,
) -> None:
    """Record that the breach was notified to the Vlaamse Toezichtcommissie (through its own
    channel: this system does not send it), with the VTC's reference."""
    settings = load_settings()
    nu = datetime.now(UTC)
    incident = incidenten.meld_vtc(
        uow=uow(settings, node),
        node=node,
        incident_id=incident_id,
        referentie=referentie,
        door=actor(als_, node),
        nu=nu,
    )
    if json_uit:
        typer.echo(json.dumps(incident.json(nu)))
    else:
        typer.echo(incident.id)


@app.command("close")
def close(
    incident_id: Id,
    node: NodeVerplicht,
    als_: Annotated[str, typer.Option("--as", help="The DPO closing it.")],
    json_uit: Json = False,
) -> None:
    """Close an incident: only once the other party (and for a breach the VTC) was notified."""
    settings = load_settings()
    nu = datetime.now(UTC)
    incident = incidenten.sluit(
        uow=uow(settings, node),
        node=node,
        incident_id=incident_id,
        door=actor(als_, node),
        nu=nu,
    )
    if json_uit:
        typer.echo(json.dumps(incident.json(nu)))
    else:
        typer.echo(incident.id)


@app.command("list")
def list_(
    node: Annotated[Node | None, typer.Option(help="Only this node (default: both).")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Only the open ones.")] = False,
    json_uit: Json = False,
) -> None:
    """The incidents, own and received, with what is due or overdue."""
    settings = load_settings()
    nu = datetime.now(UTC)
    rijen = []
    for n in [node] if node else list(Node):
        for incident in incidenten.alle(door=actor(None, n), uow=uow(settings, n), open_=open_):
            rijen.append((n, incident))
    if json_uit:
        typer.echo(json.dumps([{"node": n.value, **i.json(nu)} for n, i in rijen]))
        return
    if not rijen:
        console.print("no incidents")
    for n, incident in rijen:
        console.print(f"[bold]{n.value}[/]", end=" ")
        _toon(incident, nu)


@app.command("show")
def show(incident_id: Id, node: NodeVerplicht, json_uit: Json = False) -> None:
    """One incident, with its deadlines."""
    incident = incidenten.toon(
        door=actor(None, node), uow=uow(load_settings(), node), incident_id=incident_id
    )
    nu = datetime.now(UTC)
    if json_uit:
        typer.echo(json.dumps(incident.json(nu)))
    else:
        _toon(incident, nu)
        console.print(incident.omschrijving, markup=False)
