"""`kbi demo`: a home, the examples and a synthetic population imported, decisions shown."""

from __future__ import annotations

import signal
from collections import Counter
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kbi_exchange.adapters.line_file import dossier_file, member_file
from kbi_exchange.bootstrap import aii_uow, init_home, uow
from kbi_exchange.demo.kwaliteit import WIE, rechtzetting
from kbi_exchange.demo.lijst import jaarlijst_cyclus, pagina_mensen
from kbi_exchange.demo.server import (
    DemoMailbox,
    DemoServer,
    demo_token,
    serveer_tot_ctrl_c,
    vraag_over_http,
)
from kbi_exchange.demo.vsb import (
    aanvragen_over_http,
    extra_leden,
    per_zorgkas,
    verbind_vsb_met_aii,
    verdeel_lijst,
    vsb_server,
    zorgkas_tokens,
)
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.advies import Antwoord, Vraag
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.insz import Insz
from kbi_exchange.entrypoints.cli_synth import schrijf_dossiers, schrijf_leden
from kbi_exchange.services.decide import beslis, overzicht
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.services.leden_import import import_leden
from kbi_exchange.settings import Settings, load_settings

DEMO_DATUMS = (date(2022, 1, 1), date(2023, 6, 1), date(2024, 10, 1))
SAMENVATTING_DATUM = date(2025, 1, 1)
SYNTHETISCH = 100_000  # the synthetic KBI's size (`kbi demo --dossiers N`)
LEDEN = 8_000  # VSB's members at least: most of the synthetic KBI persons, and many others
ZAAD = 2026


def _uitleg(antwoord: Antwoord) -> str:
    if antwoord.beslissing is None:
        return "\n".join(f"  ✖ {u.identificatie} {u.diagnose}" for u in antwoord.uitzonderingen)
    regels = [
        f"  {'✔' if s.geldt else '·'} {s.naam}: {s.toelichting}"
        for s in antwoord.beslissing.uitleg
        if s.geldt or s.naam == "doelgroep_plicht"
    ]
    regels += [f"  ⚠ {u.identificatie} {u.diagnose}" for u in antwoord.uitzonderingen]
    return "\n".join(regels)


def _voorbeelden(console: Console, settings: Settings, inszen: list[str], nu: datetime) -> None:
    """The example dossiers on a few dates, with the rules that held."""
    for datum in DEMO_DATUMS:
        tabel = Table(title=f"Advice on {datum.isoformat()} (purpose ZORGBUDGET)")
        for kolom in ("INSZ", "Status", "Advies", "Reden"):
            tabel.add_column(kolom)
        uitleg: list[tuple[str, str]] = []
        for insz in inszen:
            antwoord = beslis(door=AII, uow=aii_uow(settings), vraag=Vraag(insz, datum), nu=nu)
            advies = antwoord.advies.value if antwoord.advies else "—"
            kleur = {"OK": "green", "NOK": "red"}.get(advies, "yellow")
            reden = antwoord.beslissing.reden if antwoord.beslissing else None
            opgemaakt = Insz(insz).opgemaakt()
            tabel.add_row(
                opgemaakt,
                antwoord.status.value if antwoord.status else "refused",
                f"[{kleur}]{advies}[/]",
                reden.code.value if reden else "",
            )
            uitleg.append((opgemaakt, _uitleg(antwoord)))
        console.print(tabel)
        console.print(f"[bold]Uitleg on {datum.isoformat()}[/] (✔ rule held, · did not)")
        for opgemaakt, tekst in uitleg:
            console.print(f"[cyan]{opgemaakt}[/]")
            console.print(tekst, soft_wrap=False, markup=False)
        console.print()


def _voorbeelden_kort(
    console: Console, settings: Settings, inszen: list[str], nu: datetime
) -> None:
    """The example dossiers on the demo's dates, counted in one line per date (``--detail``:
    every answer with the rules that held)."""
    for datum in DEMO_DATUMS:
        telling: Counter[str] = Counter()
        for insz in inszen:
            antwoord = beslis(door=AII, uow=aii_uow(settings), vraag=Vraag(insz, datum), nu=nu)
            telling[antwoord.advies.value if antwoord.advies else "refused"] += 1
        console.print(
            f"the {len(inszen)} example dossiers on {datum.isoformat()}: "
            + ", ".join(f"{n} {advies}" for advies, n in sorted(telling.items()))
        )
    console.print(
        "(`kbi demo --detail` shows every answer with the rules that held; "
        "`kbi aii decide INSZ --date D` one person's, and the dossier page the same)"
    )


# the demo acts as each node's operating-system account
AII = Actor.os_account(Node.AII, "demo")
VSB = Actor.os_account(Node.VSB, "demo")


class NietVoorProductie(KbiFout):
    """The demo adds people with a public password, a client and synthetic dossiers: never to
    a home whose settings say it is not for development."""


def run_demo(
    console: Console,
    *,
    nu: datetime,
    serveer: bool = True,
    dossiers: int = SYNTHETISCH,
    detail: bool = False,
) -> int:
    """Set up a home, import the examples and a synthetic population, show decisions, take the
    yearly list through every state, then run the AII node, ask it over HTTP, and (unless
    ``serveer`` is off) serve until Ctrl-C."""
    bestaand = load_settings(required=False)
    if bestaand.environment != "development":
        raise NietVoorProductie(
            f"{bestaand.home} is a {bestaand.environment!r} home (environment in settings.toml): "
            "the demo adds demo users, a client and synthetic people, so it runs only in a "
            "development home"
        )
    settings = init_home()
    # a `kill` (SIGTERM) stops the demo as Ctrl-C does: its node processes stopped first; and
    # Ctrl-C works even when whoever started the demo ignores it (a background job, a test
    # runner's worker: Python then keeps SIGINT ignored)
    signal.signal(signal.SIGTERM, _als_ctrl_c)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    console.print(f"[bold]kbi-exchange demo[/] — home {settings.home}")
    synthetisch, inszen = _kbi(console, settings, nu, dossiers)
    leden = _leden(console, settings, synthetisch, nu, max(LEDEN, dossiers))
    if detail:
        _voorbeelden(console, settings, inszen, nu)
    else:
        _voorbeelden_kort(console, settings, inszen, nu)
    _samenvatting(console, settings, nu)
    lijst = jaarlijst_cyclus(console, settings, nu)
    pagina_mensen(settings, nu)
    verdeling = verdeel_lijst(console, settings, lijst.jaar, nu)
    token = demo_token(settings)  # before the servers start, which read their clients then
    tokens = zorgkas_tokens(settings)
    aii = DemoServer(settings, Node.AII)
    aii.start()
    _meld_poort(console, aii)
    vsb: DemoServer | None = None
    try:
        vraag_over_http(console, aii.adres, token)
        vsb_settings = verbind_vsb_met_aii(settings, aii.adres, token)
        vsb = vsb_server(vsb_settings)
        vsb.start()
        _meld_poort(console, vsb)

        def herstart_aii() -> DemoServer:
            opnieuw = DemoServer(settings, Node.AII, aii.poort)
            opnieuw.start()
            return opnieuw

        aii = aanvragen_over_http(
            console,
            vsb_settings,
            vsb,
            aii,
            herstart_aii,
            tokens,
            leden,
            {orjson.loads(r)["insz"] for r in synthetisch.read_bytes().splitlines() if r.strip()},
        )
        rechtzetting(console, vsb_settings)
        per_zorgkas(console, settings, verdeling)
    except BaseException:
        if vsb is not None:
            vsb.stop()
        aii.stop()
        raise
    if serveer:
        _serveer(console, settings, aii, vsb)
    else:
        vsb.stop()
        aii.stop()
    return 0


def _serveer(console: Console, settings: Settings, aii: DemoServer, vsb: DemoServer) -> None:
    """The mailbox served beside both nodes, and all three until Ctrl-C."""
    postbus = DemoMailbox(settings)
    try:
        postbus.start()
        _meld_poort(console, postbus)
    except BaseException:
        vsb.stop()
        aii.stop()
        raise
    serveer_tot_ctrl_c(console, aii, vsb, postbus, settings.home)


def _als_ctrl_c(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _meld_poort(console: Console, server: DemoServer) -> None:
    if server.bezet is not None:
        console.print(
            f"[yellow]port {server.bezet} is in use[/]: the {server.naam} serves on "
            f"{server.poort} instead"
        )
    postbus = server.naam == "mailbox"
    commando = " ".join(server.commando()[: 2 if postbus else 1])
    console.print(
        f"{server.naam}: `kbi {commando}` (process {server.proces.pid if server.proces else '?'})"
        f" at {server.adres}, {'its messages' if postbus else 'log lines'} in {server.log}"
    )


def _kbi(console: Console, settings: Settings, nu: datetime, aantal: int) -> tuple[Path, list[str]]:
    """The KBI: the examples and a synthetic population imported (a rerun adds nothing); the
    synthetic file and the examples' INSZ."""
    voorbeelden = resources.files("kbi_exchange.demo_data").joinpath("dossiers.jsonl")
    synthetisch = settings.home / "demo" / f"synthetic-{aantal}-{ZAAD}.jsonl"
    synthetisch.parent.mkdir(exist_ok=True)
    if not synthetisch.exists():
        with console.status(f"writing {aantal:,} synthetic dossiers (kbi synth dossiers)"):
            schrijf_dossiers(aantal, ZAAD, synthetisch)
    with resources.as_file(voorbeelden) as voorbeeldbestand:
        for bestand in (voorbeeldbestand, synthetisch):
            with console.status(f"AII imports {bestand.name} (all or nothing, one transaction)"):
                resultaat = import_dossiers(
                    uow=aii_uow(settings),
                    bestand=dossier_file(bestand),
                    door=AII,
                    nu=nu,
                )
            console.print(
                f"imported {bestand.name}: {resultaat.regels} lines, "
                f"{resultaat.feiten_toegevoegd} new facts (a rerun adds none)"
            )
        inszen = sorted(
            {
                orjson.loads(regel)["insz"]
                for regel in voorbeeldbestand.read_bytes().splitlines()
                if regel.strip()
            }
        )
    return synthetisch, inszen


def _leden(
    console: Console, settings: Settings, synthetisch: Path, nu: datetime, aantal: int
) -> Path:
    """VSB's member registry: synthetic members, and the demo's own (the children who apply,
    the data-quality round's applicant). Returns the synthetic members' file."""
    leden = settings.home / "demo" / f"members-{aantal}-{ZAAD}.jsonl"
    if not leden.exists():
        with console.status(f"writing {aantal:,} synthetic VSB members (kbi synth members)"):
            schrijf_leden(aantal, ZAAD, leden, kbi=synthetisch)
    with console.status(f"VSB imports {leden.name}"):
        ingelezen = import_leden(
            uow=uow(settings, Node.VSB),
            bestand=member_file(leden),
            door=VSB,
            nu=nu,
        )
    console.print(
        f"VSB imported {leden.name}: {ingelezen.leden_nieuw} new members, "
        f"{ingelezen.leden_ongewijzigd} unchanged (a rerun changes none)"
    )
    import_leden(
        uow=uow(settings, Node.VSB),
        bestand=member_file(extra_leden(settings.home / "demo", dag_in_brussel(nu), cm=(WIE,))),
        door=VSB,
        nu=nu,
    )
    return leden


def _samenvatting(console: Console, settings: Settings, nu: datetime) -> None:
    """Every dossier in the store decided on one date: how many comply, and why not."""
    with Progress(console=console, transient=True) as voortgang:
        taak = voortgang.add_task("deciding", total=None)
        uit = overzicht(
            door=AII,
            uow=aii_uow(settings),
            datum=SAMENVATTING_DATUM,
            nu=nu,
            voortgang=lambda gedaan, totaal: voortgang.update(taak, completed=gedaan, total=totaal),
        )
    statussen, redenen = uit.statussen, uit.redenen
    tabel = Table(
        title=f"All {sum(statussen.values())} dossiers on "
        f"{SAMENVATTING_DATUM.isoformat()}, as known now"
    )
    tabel.add_column("Status / reported reason")
    tabel.add_column("Persons", justify="right")
    for naam, aantal in statussen.most_common():
        tabel.add_row(naam, str(aantal))
    for naam, aantal in redenen.most_common():
        tabel.add_row(f"  NOK: {naam}", str(aantal))
    console.print(tabel)
