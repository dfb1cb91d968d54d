"""`kbi processors ...`, `kbi vsb recipients ...`, `kbi aii recipients list`, `kbi vsb
export`: the registers of SPEC §12 (protocol art. 4 and 6)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.adapters.party_messenger import VERWERKERS
from kbi_exchange.bootstrap import ontvanger_messenger, pki, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.incident import CATEGORIEEN, PartijOnbereikbaar
from kbi_exchange.domain.registers import Ontvanger
from kbi_exchange.entrypoints.cli_aanvragen import dag
from kbi_exchange.entrypoints.cli_notify import vertel
from kbi_exchange.entrypoints.cli_users import actor
from kbi_exchange.services import registers
from kbi_exchange.settings import load_settings

processors_app = typer.Typer(
    help="The processors of a party and their agreements (art. 6), exportable for the other.",
    no_args_is_help=True,
)
vsb_recipients_app = typer.Typer(
    help="Recipients other than a zorgkas (art. 4): registered and notified to AII first.",
    no_args_is_help=True,
)
aii_recipients_app = typer.Typer(
    help="The recipients other than a zorgkas that VSB notified (art. 4).", no_args_is_help=True
)
console = Console(soft_wrap=True, width=None if Console().is_terminal else 160)
fouten = Console(stderr=True)

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Naam = Annotated[str, typer.Argument(metavar="NAME")]
NodeOptie = Annotated[Node, typer.Option(help="The node (party) whose register it is.")]
Dpo = Annotated[str, typer.Option("--as", help="The node's DPO (register:entry:manage).")]
Gegevens = Annotated[
    list[str], typer.Option("--data", help=f"Data categories (repeat): {', '.join(CATEGORIEEN)}.")
]


@processors_app.command("add")
def processors_add(
    naam: Naam,
    node: NodeOptie,
    taak: Annotated[str, typer.Option("--task", help="What it does for the party.")],
    overeenkomst: Annotated[
        str, typer.Option("--agreement", help="The processing agreement (its reference).")
    ],
    overeenkomst_datum: Annotated[
        date, typer.Option("--agreement-date", parser=dag, metavar="YYYY-MM-DD")
    ],
    gegevens: Gegevens,
    als_: Dpo,
    locatie: Annotated[
        str, typer.Option("--location", help="Where it processes (country, data centre).")
    ] = "België",
    json_uit: Json = False,
) -> None:
    """Register a processor of the node's party; prints its id."""
    settings = load_settings()
    verwerker = registers.voeg_verwerker_toe(
        uow=uow(settings, node),
        node=node,
        naam_=naam,
        taak=taak,
        gegevens_=gegevens,
        overeenkomst=overeenkomst,
        overeenkomst_datum=overeenkomst_datum,
        locatie=locatie,
        door=(door := actor(als_, node)),
        nu=datetime.now(UTC),
    )
    typer.echo(json.dumps(verwerker.json()) if json_uit else verwerker.id)
    _meld_verwerkers(node, door)


def _meld_verwerkers(node: Node, door: Actor) -> bool:
    """Tell the other party's node of the own processors it was not told of as they stand
    (art. 6, 9); say what could not be told. True when nothing is left."""
    return vertel(
        node,
        VERWERKERS,
        registers.meld_verwerkers,
        lambda v, andere: f"{andere.value} was told of processor {v.naam}",
        f"kbi processors notify --node {node.value}",
        door,
    )


@processors_app.command("notify")
def processors_notify(node: NodeOptie) -> None:
    """Tell the other party of every own processor added or ended since it was last told
    (art. 6, 9); exits 1 while its node cannot be reached."""
    if not _meld_verwerkers(node, actor(None, node)):
        raise typer.Exit(1)


@processors_app.command("end")
def processors_end(naam: Naam, node: NodeOptie, als_: Dpo) -> None:
    """The processor no longer works for the party (it stays in the register, ended)."""
    settings = load_settings()
    verwerker = registers.beeindig_verwerker(
        uow=uow(settings, node),
        node=node,
        naam_=naam,
        door=(door := actor(als_, node)),
        nu=datetime.now(UTC),
    )
    typer.echo(verwerker.id)
    _meld_verwerkers(node, door)


@processors_app.command("list")
def processors_list(
    node: Annotated[Node | None, typer.Option(help="Only this node (default: both).")] = None,
    json_uit: Json = False,
) -> None:
    """Each node's register: its own party's processors with their agreements, and the
    other party's as that party told it."""
    settings = load_settings()
    rijen = [
        (n, v)
        for n in ([node] if node else list(Node))
        for v in registers.verwerkers(door=actor(None, n), uow=uow(settings, n))
    ]
    if json_uit:
        typer.echo(json.dumps([{"node": n.value, **v.json()} for n, v in rijen]))
        return
    for n, v in rijen:
        eind = f", ended {v.beeindigd_op:%Y-%m-%d}" if v.beeindigd_op else ""
        if v.partij != n.value:
            waar = f"(told by {v.partij} on {v.ontvangen_op:%Y-%m-%d})" if v.ontvangen_op else ""
        else:
            waar = "" if v.gemeld_op else "(the other party not told yet)"
        console.print(
            f"{n.value}: {v.partij} {v.naam}: {v.taak} ({', '.join(v.gegevens)}); agreement "
            f"{v.overeenkomst} of {v.overeenkomst_datum}; {v.locatie}{eind} {waar}".rstrip(),
            markup=False,
        )


@processors_app.command("export")
def processors_export(
    node: NodeOptie,
    uit: Annotated[Path, typer.Option("--out", help="The file to write (CMS SignedData).")],
    als_: Annotated[str | None, typer.Option("--as", help="The DPO exporting it.")] = None,
) -> None:
    """The party's processors register for the other party: JSON signed (CMS, DER) with the
    party's key; `openssl cms -verify -inform DER -in FILE -CAfile ca.crt` opens it."""
    settings = load_settings()
    sleutels = pki(settings)
    inhoud = registers.exporteer_verwerkers(
        uow=uow(settings, node),
        node=node,
        onderteken=lambda data: cms.sign(
            data, sleutels.certificaat(node.value), sleutels.sleutel(node.value)
        ),
        door=actor(als_, node),
        nu=datetime.now(UTC),
    )
    write_atomic(uit, inhoud, modus=0o600)
    typer.echo(str(uit))


def _toon_ontvanger(o: Ontvanger) -> None:
    gemeld = (
        f"notified to AII {o.aan_aii_gemeld_op:%Y-%m-%d %H:%M}"
        if o.aan_aii_gemeld_op
        else "NOT notified to AII: no data may go to it"
    )
    console.print(
        f"{o.naam}: {o.doel} ({', '.join(o.gegevens)}); basis: {o.rechtsgrond}; {gemeld}",
        markup=False,
    )


def _meld(naam: str, door: Actor) -> Ontvanger | None:
    settings = load_settings()
    try:
        return registers.meld_ontvanger(
            uow=uow(settings, Node.VSB),
            naam_=naam,
            messenger=ontvanger_messenger(settings),
            door=door,
            nu=datetime.now(UTC),
        )
    except PartijOnbereikbaar as fout:
        fouten.print(f"warning: not notified to AII: {fout}", markup=False)
        return None


@vsb_recipients_app.command("add")
def recipients_add(
    naam: Naam,
    doel: Annotated[str, typer.Option("--purpose", help="Why it receives data.")],
    rechtsgrond: Annotated[str, typer.Option("--legal-basis", help="The legal basis for it.")],
    gegevens: Gegevens,
    als_: Annotated[str, typer.Option("--as", help="VSB's DPO (register:entry:manage).")],
    json_uit: Json = False,
) -> None:
    """Register a recipient other than a zorgkas and notify AII over its API at once (if AII
    cannot be reached: registered, and `notify` later; nothing may go to it until then)."""
    settings = load_settings()
    door = actor(als_, Node.VSB)
    ontvanger = registers.voeg_ontvanger_toe(
        uow=uow(settings, Node.VSB),
        naam_=naam,
        doel=doel,
        rechtsgrond=rechtsgrond,
        gegevens_=gegevens,
        door=door,
        nu=datetime.now(UTC),
    )
    ontvanger = _meld(ontvanger.naam, door) or ontvanger
    if json_uit:
        typer.echo(json.dumps(ontvanger.json()))
    else:
        typer.echo(ontvanger.id)
        _toon_ontvanger(ontvanger)


@vsb_recipients_app.command("notify")
def recipients_notify(
    naam: Naam,
    als_: Annotated[str, typer.Option("--as", help="VSB's DPO.")],
) -> None:
    """Notify AII (again) of a registered recipient; exit 1 while AII does not take it."""
    ontvanger = _meld(naam, actor(als_, Node.VSB))
    if ontvanger is None:
        raise typer.Exit(1)
    typer.echo(ontvanger.id)


@vsb_recipients_app.command("list")
def recipients_list(json_uit: Json = False) -> None:
    """VSB's recipients other than a zorgkas, and whether AII was notified."""
    alle = registers.ontvangers(door=actor(None, Node.VSB), uow=uow(load_settings(), Node.VSB))
    if json_uit:
        typer.echo(json.dumps([o.json() for o in alle]))
        return
    for o in alle:
        _toon_ontvanger(o)


@aii_recipients_app.command("list")
def aii_recipients_list(json_uit: Json = False) -> None:
    """The recipients other than a zorgkas that VSB notified to AII."""
    alle = registers.ontvangers(door=actor(None, Node.AII), uow=uow(load_settings(), Node.AII))
    if json_uit:
        typer.echo(json.dumps([o.json() for o in alle]))
        return
    for o in alle:
        _toon_ontvanger(o)


def export(
    ontvanger: Annotated[str, typer.Option("--recipient", help="A registered recipient.")],
    jaar: Annotated[int, typer.Option("--year", help="The list's year.")],
    uit: Annotated[Path, typer.Option("--out", help="The file to write (JSON, mode 0600).")],
    als_: Annotated[
        str, typer.Option("--as", help="The vsb-operator who discloses it (vsb:export:disclose).")
    ],
) -> None:
    """Pass VSB's members on the year's list to a recipient other than a zorgkas: refused
    unless it is registered, notified to AII and registered for list data (art. 4), and while
    VSB's record of the protocol does not allow the list's flow; never a non-member's INSZ;
    by a named person only; audited before the file is written."""
    settings = load_settings()
    _, inhoud = registers.exporteer_lijst(
        uow=uow(settings, Node.VSB),
        ontvanger_naam=ontvanger,
        jaar=jaar,
        door=actor(als_, Node.VSB),
        nu=datetime.now(UTC),
    )
    write_atomic(uit, orjson.dumps(inhoud), modus=0o600)
    typer.echo(str(uit))
    console.print(f"{inhoud['aantal']} INSZ of the list of {jaar} for {ontvanger}")
