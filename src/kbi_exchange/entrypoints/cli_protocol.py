"""`kbi protocol ...`: the protocol's state and life (SPEC §12, §14)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.adapters.party_messenger import STAPPEN
from kbi_exchange.bootstrap import aii_uow, mailbox, termijnen, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.protocol import ProtocolStaat, Soort, Stroom, te_beoordelen
from kbi_exchange.entrypoints.cli_aanvragen import dag
from kbi_exchange.entrypoints.cli_notify import vertel
from kbi_exchange.entrypoints.cli_users import actor, als
from kbi_exchange.parameters import protocol_definitie, standaard_parameters
from kbi_exchange.services import incidenten, kwaliteit, protocol, registers
from kbi_exchange.settings import Settings, load_settings

app = typer.Typer(help="The protocol: its state, suspension, notice and end.", no_args_is_help=True)
console = Console(soft_wrap=True, width=None if Console().is_terminal else 160)
fouten = Console(stderr=True)

Als = Annotated[str, typer.Option("--as", help="The DPO taking this step (AII's by default).")]
NodeOptie = Annotated[
    Node,
    typer.Option(
        help="Whose record: AII's (it suspends and ends the protocol) or VSB's own (a lapsed "
        "basis binds VSB too; recorded by VSB's DPO)."
    ),
]
RedenOptie = Annotated[str, typer.Option("--reason", help="Why (recorded and audited).")]


def _toon(staat: ProtocolStaat) -> None:
    definitie = protocol_definitie()
    eind = f", ends on {staat.eindigt_op}" if staat.eindigt_op else ""
    console.print(f"[bold]{definitie.naam}[/]")
    console.print(f"in force from {definitie.in_werking}; state: [bold]{staat.toestand}[/]{eind}")
    console.print("parties: " + "; ".join(f"{p['naam']} ({p['rol']})" for p in definitie.partijen))
    tabel = Table(title="Flows and their legal bases")
    for kolom in ("flow", "purpose", "allowed now", "legal basis", "valid from", "valid until"):
        tabel.add_column(kolom)
    for stroom in staat.stromen:
        weigering = staat.weigering(stroom.stroom)
        for i, grond in enumerate(stroom.rechtsgronden):
            tabel.add_row(
                stroom.stroom.value if i == 0 else "",
                stroom.doel if i == 0 else "",
                ("yes" if weigering is None else f"no: {weigering}") if i == 0 else "",
                f"{grond.instrument}, {grond.artikel}",
                grond.geldig_van.isoformat(),
                grond.geldig_tot.isoformat() if grond.geldig_tot else "—",
            )
    console.print(tabel)
    for g in staat.gebeurtenissen:
        console.print(f"{g.op:%Y-%m-%d %H:%M} UTC {g.soort} by {g.door}: {g.reden}")


@app.command("status")
def status(
    json_uit: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
    node: NodeOptie = Node.AII,
) -> None:
    """Parties, flows, each flow's legal bases, and the state (in force, suspended, notice
    given, ended), as the node records them."""
    settings = load_settings()
    nu = datetime.now(UTC)
    staat = protocol.status(uow=uow(settings, node), definitie=protocol_definitie(), nu=nu)
    waarschuwingen = _waarschuwingen(settings, node, nu)
    if json_uit:
        definitie = protocol_definitie()
        typer.echo(
            json.dumps(
                {
                    "protocol": definitie.naam,
                    "in_werking": definitie.in_werking.isoformat(),
                    "partijen": list(definitie.partijen),
                    **staat.json(),
                    "waarschuwingen": waarschuwingen,
                }
            )
        )
    else:
        _toon(staat)
        for w in waarschuwingen:
            console.print(f"[bold red]warning:[/] {w}" if "OVERDUE" in w else f"to do: {w}")


def _waarschuwingen(settings: Settings, node: Node, nu: datetime) -> list[str]:
    """What the protocol's obligations make due or overdue on this node: steps the other
    party has not taken yet (art. 8, 12), incident notifications (art. 9) and, at AII,
    data-quality reports (art. 7)."""
    andere = Node.VSB if node is Node.AII else Node.AII
    uit = [
        f"{g.soort} of {g.op:%Y-%m-%d %H:%M} UTC ({g.id}) not yet taken by {andere.value}: "
        f"`kbi protocol notify --node {node.value}`"
        for g in protocol.te_melden_nu(uow=uow(settings, node), node=node)
    ]
    uit += (
        [
            f"VSB reports that the basis of {g.stroom} lapsed on {g.datum} ({g.reden}): review it; "
            f"`kbi protocol basis end --flow {g.stroom} --date {g.datum} --reason R --as DPO` "
            "records it at AII"
            for g in te_beoordelen(
                protocol.status(uow=uow(settings, node), definitie=protocol_definitie(), nu=nu)
            )
        ]
        if node is Node.AII
        else []
    )
    uit += [
        f"processor {v.naam} ({'ended' if v.beeindigd_op else 'added'}) not yet told to "
        f"{andere.value}: `kbi processors notify --node {node.value}`"
        for v in registers.te_melden_verwerkers(uow=uow(settings, node), node=node)
    ]
    uit += incidenten.waarschuwingen(uow=uow(settings, node), nu=nu)
    if node is Node.AII:
        uit += [
            f"data-quality report {m_id}: past its 2 weeks (due {vervalt_op:%Y-%m-%d %H:%M}"
            " UTC), OVERDUE"
            for m_id, vervalt_op in kwaliteit.achterstallig(uow=uow(settings, node), nu=nu)
        ]
    return uit


def _stap(soort: Soort, als_: str, reden: str, **extra: str) -> None:
    settings = load_settings()
    door = als(als_, Node.AII)
    g, staat = protocol.stap(
        uow=aii_uow(settings),
        definitie=protocol_definitie(),
        soort=soort,
        door=door,
        reden=reden,
        nu=datetime.now(UTC),
        **extra,  # type: ignore[arg-type]
    )
    typer.echo(g.id)
    eind = f"; it ends on {staat.eindigt_op}" if staat.eindigt_op else ""
    console.print(f"recorded: {soort}; the protocol is now {staat.toestand}{eind}", style=None)
    _houd_lijsten_vast(settings, staat)
    _meld(settings, Node.AII, door)


def _meld(settings: Settings, node: Node, door: Actor) -> bool:
    """Tell the other party's node every step of this node's that binds it and it has not
    taken yet (SPEC §12); say what could not be told. True when nothing is left."""
    return vertel(
        node,
        STAPPEN,
        protocol.meld_stappen,
        lambda uitkomst, andere: uitkomst.zin(andere.value),
        f"kbi protocol notify --node {node.value}",
        door,
    )


def _houd_lijsten_vast(settings: Settings, staat: ProtocolStaat) -> None:
    """A list file written before the step but not yet routed must not leave either: it is
    moved from aii/out/ to aii/ingehouden/ (a `deliver` rerun sends it once allowed)."""
    if staat.weigering(Stroom.F2) is None:
        return
    for pad in mailbox(settings).houd_vast("aii", "KBI_VSB_LIJST_*.p7m"):
        console.print(f"held back, not sent: {pad}")


@app.command("suspend")
def suspend(reden: RedenOptie, als_: Als) -> None:
    """Suspend every flow at once (art. 8): REST, SOAP and the list's pull answer 40001, and
    no list can be delivered, until AII's DPO resumes them."""
    _stap(Soort.GESCHORST, als_, reden)


@app.command("resume")
def resume(als_: Als, reden: RedenOptie = "hervat na onderzoek") -> None:
    """Resume the suspended flows (AII's DPO)."""
    _stap(Soort.HERVAT, als_, reden)


@app.command("notice")
def notice(
    by: Annotated[Node, typer.Option("--by", help="The party giving notice: aii or vsb.")],
    als_: Als,
    reden: RedenOptie = "opzegging",
) -> None:
    """Give notice (art. 12): recorded in the party's own record (its DPO) and sent to the
    other party's node over its API, signed; the protocol ends 12 months after that node
    received it, to the day. Rerun it to send it again when the other node could not be
    reached (it is sent dated when it leaves: a receiver refuses a notice dated in the past)."""
    settings = load_settings()
    door = als(als_, by)
    nu = datetime.now(UTC)
    staat = protocol.status(uow=uow(settings, by), definitie=protocol_definitie(), nu=nu)
    onderweg = staat.opzegging_onderweg
    if onderweg is not None and not onderweg.ontvangen and onderweg.partij == by.value:
        stap_id = onderweg.id
        typer.echo(onderweg.id)
        console.print(f"notice was given on {onderweg.op:%Y-%m-%d}; sending it again")
    else:
        g, _ = protocol.stap(
            uow=uow(settings, by),
            definitie=protocol_definitie(),
            soort=Soort.OPGEZEGD,
            door=door,
            reden=reden,
            nu=nu,
            partij=by.value,
            gebeurtenis=protocol.PROTOCOL_STAP[by],
        )
        stap_id = g.id
        typer.echo(g.id)
        console.print(f"recorded: notice by {by.value}; it runs from its receipt")
    if _meld(settings, by, door):
        nu = datetime.now(UTC)  # after its receipt
        staat = protocol.status(uow=uow(settings, by), definitie=protocol_definitie(), nu=nu)
        [deze] = [g for g in staat.gebeurtenissen if g.id == stap_id]
        if deze.geweigerd is not None:  # refused for good (a notice of theirs was first)
            fouten.print(
                f"kbi: error: the other party refused this notice; it does not run: "
                f"{deze.geweigerd}",
                markup=False,
            )
            raise typer.Exit(1)
        console.print(f"the protocol ends on {staat.eindigt_op}")


@app.command("notify")
def notify(
    node: Annotated[
        Node | None, typer.Option(help="Whose steps to send (default: each node present).")
    ] = None,
) -> None:
    """Send the other party's node every step of this node's it has not taken yet —
    suspension, resumption, end, a lapse, a notice — oldest first (SPEC §12). Exits 1 while
    it cannot be reached."""
    settings = load_settings()
    gelukt = [_meld(settings, n, actor(None, n)) for n in ([node] if node else list(Node))]
    if not all(gelukt):
        raise typer.Exit(1)


@app.command("end")
def end(reden: RedenOptie, als_: Als) -> None:
    """End the protocol at once (AII, art. 8): every flow stops for good."""
    _stap(Soort.BEEINDIGD, als_, reden)


basis_app = typer.Typer(help="The flows' legal bases.", no_args_is_help=True)
rapport_app = typer.Typer(help="Reports on the protocol's life.", no_args_is_help=True)
app.add_typer(basis_app, name="basis")
app.add_typer(rapport_app, name="report")


@basis_app.command("end")
def basis_end(
    flow: Annotated[Stroom, typer.Option("--flow", help="The flow whose basis lapses.")],
    als_: Als,
    datum: Annotated[
        date | None,
        typer.Option(
            "--date", parser=dag, metavar="YYYY-MM-DD", help="The first day it no longer holds."
        ),
    ] = None,
    reden: Annotated[
        str | None, typer.Option("--reason", help="Why (recorded and audited).")
    ] = None,
    annulering: Annotated[
        bool,
        typer.Option(
            "--annulment",
            help="The lapse by GwH 112/2023: date and reason from the parameters "
            "(vernietiging.yaml), with their sources.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what stops and what will be purged; record nothing."),
    ] = False,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    node: NodeOptie = Node.AII,
) -> None:
    """A legal basis lapses (--annulment for GwH 112/2023, or --date D --reason R): the flow
    stops from that day, on every channel and on the other node once told; the node's data
    held only for it is purged by `kbi retention run` after the grace period; `report
    annulment` lists the refusals it bore."""
    if annulering:
        datum, reden = _annulering(datum, reden)
    if datum is None or reden is None:
        raise typer.BadParameter("give --date and --reason, or --annulment", param_hint="--date")
    settings = load_settings()
    door = als(als_, node)
    verval = protocol.grond_vervalt(
        uow=uow(settings, node),
        definitie=protocol_definitie(),
        termijnen=termijnen(settings),
        node=node,
        stroom=flow,
        datum=datum,
        reden=reden,
        door=door,
        nu=datetime.now(UTC),
        dry_run=dry_run,
    )
    if json_uit:
        typer.echo(json.dumps(verval.json()))
        return
    _zeg_verval(settings, node, door, verval, dry_run=dry_run)


def _annulering(datum: date | None, reden: str | None) -> tuple[date, str]:
    """The lapse by GwH 112/2023: its date and (unless given) its reason from the parameters
    (vernietiging.yaml), with their sources."""
    if datum is not None:
        raise typer.BadParameter(
            "the annulment's date comes from the parameters", param_hint="--date"
        )
    parameters = standaard_parameters()
    vandaag = datetime.now(UTC).date()
    uitspraak = parameters.datum("vernietiging_uitspraak", vandaag)
    bekend = parameters.datum("vernietiging_bekendmaking", vandaag)
    bron = parameters["vernietiging_uitspraak"].waarde_op(vandaag).bron
    standaard = f"GwH nr. 112/2023 van {uitspraak.isoformat()} (BS {bekend.isoformat()}): {bron}"
    return uitspraak, reden or standaard[:500]


def _zeg_verval(
    settings: Settings, node: Node, door: Actor, verval: protocol.Verval, *, dry_run: bool
) -> None:
    """Say what a lapse stops and what retention will purge; hold the lists it concerns and
    tell the other node once it is recorded."""
    if verval.gebeurtenis is not None:
        typer.echo(verval.gebeurtenis.id)
    if verval.gebeurtenis is not None and node is Node.AII:
        _houd_lijsten_vast(
            settings,
            protocol.status(
                uow=aii_uow(settings), definitie=protocol_definitie(), nu=datetime.now(UTC)
            ),
        )
    if verval.gebeurtenis is not None:
        _meld(settings, node, door)
    console.print(("would stop: " if dry_run else "stops: ") + verval.stopt)
    for soort, ids in verval.gegevens.items():
        console.print(
            f"purged by `kbi retention run` from {verval.weg_op} (after the grace period): "
            f"{len(ids)} {soort}"
        )
        for i in ids:
            console.print(f"  {i}")


@rapport_app.command("annulment")
def report_annulment(
    als_: Als,
    json_uit: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Every earlier refusal that rested on a lapsed basis, for remediation: the NOK answers
    of its purpose by client and referte (no INSZ: VSB finds its applications by the
    referte), and F2's lists. Audited."""
    settings = load_settings()
    rapport = protocol.annulatierapport(
        uow=aii_uow(settings),
        definitie=protocol_definitie(),
        door=als(als_, Node.AII),
        nu=datetime.now(UTC),
    )
    if json_uit:
        typer.echo(json.dumps(rapport))
        return
    if not rapport:
        console.print("no legal basis has lapsed")
    for regel in rapport:
        vervallen = regel["vervallen"]
        console.print(
            f"[bold]{vervallen['stroom']}[/] lapsed on {vervallen['datum']} ({vervallen['reden']})"
        )
        for w in regel.get("weigeringen", []):
            console.print(f"  NOK {w['gegeven_op'][:10]} {w['client']} referte {w['referte']} "
                          f"(datum {w['datum']}, {w['reden']})")  # fmt: skip
        for w in regel.get("zonder_grond", []):
            console.print(
                f"  answered without ground {w['gegeven_op'][:10]} {w['client']} "
                f"referte {w['referte']}: {w['advies']} (datum {w['datum']})"
            )
        for x in regel.get("lijsten", []):
            console.print(f"  list {x['jaar']} {x['lijst']}: {x['aantal']} INSZ ({x['status']})")
