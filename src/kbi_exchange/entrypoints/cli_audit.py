"""`kbi audit ...`: check the chain; who received what about a person (SPEC §11, §14)."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.adapters.getuige import KOPPEN
from kbi_exchange.adapters.keys import klopt_met
from kbi_exchange.bootstrap import getuige, keys, messenger, uow
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.audit_bewijs import controleer
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.incident import PartijOnbereikbaar
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.entrypoints.cli_users import actor, bestaat
from kbi_exchange.services.audit import (
    MAX_KOPPEN,
    LegeLog,
    bewijs_consistentie,
    bewijs_opname,
    getuigde_koppen,
    kop_voor_getuige,
    verifieer_audit,
    zoek_over_persoon,
)
from kbi_exchange.settings import Settings, load_settings


class AuditGeschonden(KbiFout):
    """The audit log was tampered with; the message names the first problem and the count."""

    def __init__(self, problemen: list[str]) -> None:
        meer = f" (and {len(problemen) - 1} more problems)" if len(problemen) > 1 else ""
        super().__init__(f"audit log NOT intact: {problemen[0]}{meer}")


class GetuigeOnbereikbaar(KbiFout):
    """`kbi audit verify` could not ask the other node what it witnessed: not a pass."""


app = typer.Typer(help="The audit log: verify the chain, search by person.", no_args_is_help=True)
console = Console()


def _getuigd(settings: Settings, n: Node, bestand: Path | None, alleen: bool) -> list[Any]:
    """The heads of node ``n``'s log the other node witnessed: from a file (`kbi audit
    witnessed --json` there), else asked of the other node; none with ``alleen``."""
    if alleen:
        return []
    if bestand is not None:
        try:
            gelezen = json.loads(bestand.read_text(encoding="utf-8"))
        except (OSError, ValueError) as fout:
            raise typer.BadParameter(f"{bestand}: {fout}", param_hint="--witnessed") from None
        koppen = gelezen.get("koppen") if isinstance(gelezen, dict) else gelezen
        if not isinstance(koppen, list):
            raise typer.BadParameter(
                f"{bestand}: a list of heads (or {{'koppen': [...]}}) is needed",
                param_hint="--witnessed",
            )
        return [k for k in koppen if not isinstance(k, dict) or k.get("node") in (None, n.value)]
    try:
        return getuige(settings, n).alle()
    except PartijOnbereikbaar as fout:
        # fail closed: a log rolled back past what the other node witnessed passes without it
        raise GetuigeOnbereikbaar(
            f"{n.value}: the heads the other node witnessed could not be read ({fout}): the "
            "log is NOT checked against them; try again, give --witnessed FILE, or --alone to "
            "check the log on its own"
        ) from None


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
    getuigd: Annotated[
        Path | None,
        typer.Option(
            "--witnessed",
            help="The other node's witnessed heads as a file (`kbi audit witnessed --json` "
            "there) instead of asking it; with --node.",
        ),
    ] = None,
    alleen: Annotated[
        bool, typer.Option("--alone", help="Do not ask the other node what it witnessed.")
    ] = False,
) -> None:
    """Check that no entry was changed, deleted, inserted or reordered (exit 1 if one was),
    and that the log still holds every head of it the other node witnessed (a log rolled back
    to an older signed head fails here, naming the missing entries)."""
    nodes = [node] if node else list(Node)
    if getuigd is not None and node is None:
        raise typer.BadParameter("a file of witnessed heads is one node's: give --node too")
    # an auditor exists on each node; a DPO on their own
    wie = {n: actor(als_, n) for n in nodes}
    settings = load_settings()
    geschonden: list[str] = []
    for n in nodes:
        koppen = _getuigd(settings, n, getuigd, alleen)
        andere = Node.VSB if n is Node.AII else Node.AII
        with uow(settings, n) as werk:
            aantal, problemen = verifieer_audit(
                door=wie[n], audit=werk.audit, getuigd=koppen, getuige=andere.value.upper()
            )
        if problemen:
            geschonden += [f"{n.value}: {p}" for p in problemen]
        else:
            getuige_tekst = f", {len(koppen)} witnessed heads held" if koppen else ""
            typer.echo(f"{n.value} audit log intact: {aantal} entries verified{getuige_tekst}")
    if geschonden:
        raise AuditGeschonden(geschonden)


def _schrijf(document: dict[str, Any], uit: Path | None) -> None:
    tekst = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if uit is None:
        typer.echo(tekst, nl=False)
    else:
        write_atomic(uit, tekst.encode())
        typer.echo(f"written to {uit}", err=True)


NodeOptie = Annotated[Node, typer.Option(help="The node whose log.")]
AlsOptie = Annotated[
    str | None,
    typer.Option("--as", help="As this person (an auditor or DPO); else as the OS account."),
]
UitOptie = Annotated[
    Path | None, typer.Option("--out", help="Write the proof here (default: print it).")
]


@app.command("prove")
def prove(
    entry: Annotated[int, typer.Argument(help="The entry's number (seq).", min=1)],
    node: NodeOptie = Node.AII,
    grootte: Annotated[
        int | None,
        typer.Option("--size", help="Against the head of this many entries (default: all).", min=1),
    ] = None,
    als_: AlsOptie = None,
    uit: UitOptie = None,
) -> None:
    """A proof that an entry is in the log (RFC 9162 inclusion proof, with the signed head):
    anyone checks it with `kbi audit check-proof FILE --key audit-checkpoint.pub`."""
    settings = load_settings()
    document = bewijs_opname(
        door=actor(als_, node),
        uow=uow(settings, node),
        seq=entry,
        grootte=grootte,
        nu=datetime.now(UTC),
    )
    _schrijf(document, uit)


@app.command("consistency")
def consistency(
    oud: Annotated[int, typer.Argument(metavar="OLD", help="The earlier head's size.", min=1)],
    nieuw: Annotated[
        int | None,
        typer.Argument(metavar="[NEW]", help="The later head's size (default: all).", min=1),
    ] = None,
    node: NodeOptie = Node.AII,
    als_: AlsOptie = None,
    uit: UitOptie = None,
) -> None:
    """A proof that the log's head of NEW entries extends its head of OLD entries (RFC 9162
    consistency proof, both heads signed): nothing before was changed, removed or reordered."""
    settings = load_settings()
    document = bewijs_consistentie(
        door=actor(als_, node),
        uow=uow(settings, node),
        oud=oud,
        nieuw=nieuw,
        nu=datetime.now(UTC),
    )
    _schrijf(document, uit)


@app.command("check-proof")
def check_proof(
    bestand: Annotated[Path, typer.Argument(metavar="FILE", help="A proof (prove/consistency).")],
    sleutel: Annotated[
        Path,
        typer.Option(
            "--key", help="The node's public audit key (PEM: keys/<node>/audit-checkpoint.pub)."
        ),
    ],
) -> None:
    """Check a proof with the node's public key alone: no database, no home (exit 1 when it
    does not hold, naming the check that failed)."""
    try:
        document = json.loads(bestand.read_text(encoding="utf-8"))
    except (OSError, ValueError) as fout:
        raise typer.BadParameter(f"{bestand}: {fout}", param_hint="FILE") from None
    try:
        pem = sleutel.read_bytes()
        klopt = klopt_met(pem)
    except (OSError, ValueError) as fout:
        raise typer.BadParameter(f"{sleutel}: {fout}", param_hint="--key") from None
    # the key that checked it, named by its own hash (what the proof says of itself is no proof)
    typer.echo(
        f"proof holds: {controleer(document, klopt)} "
        f"(signed with key {hashlib.sha256(pem).hexdigest()[:16]}, {sleutel.name})"
    )


@app.command("witness")
def witness(
    node: Annotated[
        Node | None, typer.Option(help="The node whose head to send; default: each node.")
    ] = None,
) -> None:
    """Send this node's signed audit head to the other node, which keeps it for good (run it
    every few minutes, from cron): the log can then not be rolled back unnoticed."""
    settings = load_settings()
    for n in [node] if node else list(Node):
        door = Actor.os_account(n, getpass.getuser())
        wie = getuige(settings, n)
        try:
            bericht = kop_voor_getuige(
                door=door, uow=uow(settings, n), getuigd=wie.laatste(), nu=datetime.now(UTC)
            )
        except LegeLog:  # a new node (from cron, every few minutes): not an error
            typer.echo(f"{n.value}: the audit log has no entries yet: nothing to witness")
            continue
        bericht["publieke_sleutel"] = keys(settings, n).publieke_sleutel().decode()
        messenger(settings, n, KOPPEN).stuur(bericht)
        kop, oud = bericht["kop"], bericht["oud"]
        typer.echo(
            f"{n.value}: head of {kop['seq']} entries (root {kop['wortel'][:16]}…) witnessed "
            f"by {wie.url}" + (f", extending its head of {oud} entries" if oud else "")
        )


@app.command("witnessed")
def witnessed(
    van: Annotated[
        Node | None,
        typer.Option("--of", help="The node whose heads (kept by the other); default: each."),
    ] = None,
    json_uit: Annotated[
        bool, typer.Option("--json", help="Print the heads as JSON (with --of).")
    ] = False,
) -> None:
    """The heads of the other node's log witnessed here (give the JSON to its DPO for
    `kbi audit verify --node NODE --witnessed FILE` when it cannot ask this node)."""
    if json_uit and van is None:
        raise typer.BadParameter("one node's heads: give --of too", param_hint="--json")
    settings = load_settings()
    for andere in [van] if van else list(Node):
        hier = Node.VSB if andere is Node.AII else Node.AII
        koppen: list[dict[str, Any]] = []
        na = 0
        while True:
            pagina = getuigde_koppen(uow=uow(settings, hier), van=andere, na=na)
            koppen += pagina
            if len(pagina) < MAX_KOPPEN:
                break
            na = pagina[-1]["seq"]
        if json_uit:
            typer.echo(json.dumps({"koppen": koppen}, ensure_ascii=False))
            continue
        laatste = koppen[-1] if koppen else None
        typer.echo(
            f"{hier.value} witnessed {len(koppen)} heads of {andere.value}'s audit log"
            + (
                f", the largest of {laatste['seq']} entries ({laatste['tijdstip']}), signed "
                f"with audit key {laatste['sleutel_id']}"
                if laatste
                else ""
            )
        )


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
