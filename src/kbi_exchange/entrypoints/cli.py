"""The `kbi` command line (SPEC §14). Every error ends in one line and a non-zero exit."""

from __future__ import annotations

import functools
import ipaddress
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from kbi_exchange.bootstrap import init_home
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.domain.rules import REGELS
from kbi_exchange.entrypoints import (
    cli_aii,
    cli_audit,
    cli_clients,
    cli_incident,
    cli_kwaliteit,
    cli_lijst,
    cli_mailbox,
    cli_protocol,
    cli_registers,
    cli_retention,
    cli_synth,
    cli_users,
    cli_vsb,
)
from kbi_exchange.entrypoints.api import http
from kbi_exchange.entrypoints.demo import run_demo
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.settings import (
    SERVE_URL_ENV,
    load_settings,
)

app = typer.Typer(
    help="kbi-exchange: the KBI → VSB civic-integration data exchange (AII and VSB nodes).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(cli_aii.app, name="aii")
app.add_typer(cli_synth.app, name="synth")
app.add_typer(cli_users.app, name="users")
app.add_typer(cli_audit.app, name="audit")
app.add_typer(cli_vsb.app, name="vsb")
app.add_typer(cli_mailbox.app, name="mailbox")
app.add_typer(cli_protocol.app, name="protocol")
app.add_typer(cli_retention.app, name="retention")
app.add_typer(cli_incident.app, name="incident")
app.add_typer(cli_registers.processors_app, name="processors")
cli_vsb.app.add_typer(cli_registers.vsb_recipients_app, name="recipients")
cli_aii.app.add_typer(cli_registers.aii_recipients_app, name="recipients")
cli_vsb.app.command("export")(cli_registers.export)
cli_aii.app.add_typer(cli_clients.app, name="clients")
cli_vsb.app.add_typer(cli_clients.vsb_app, name="clients")
cli_aii.app.add_typer(cli_lijst.app, name="list")
cli_aii.app.add_typer(cli_kwaliteit.aii_app, name="report")
cli_vsb.app.add_typer(cli_kwaliteit.vsb_app, name="report")
cli_vsb.app.command("messages")(cli_kwaliteit.messages)
console = Console()


@app.callback()
def hoofd(
    home: Annotated[
        Path | None, typer.Option(help="The home (default: $KBI_HOME or ./var).")
    ] = None,
) -> None:
    """kbi-exchange: the KBI → VSB civic-integration data exchange."""
    if home is not None:
        os.environ["KBI_HOME"] = str(home)


@app.command()
def init() -> None:
    """Create KBI_HOME: settings and migrated databases. Rerunning it changes nothing."""
    settings = init_home()
    typer.echo(f"home ready: {settings.home}")


@app.command()
def serve(
    node: Annotated[Node, typer.Option(help="The node whose web service to run.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="Port (default 8000 for AII, 8001 for VSB).")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Server processes (one per core is a good start).")
    ] = 1,
    header_timeout: Annotated[
        float,
        typer.Option(min=0.1, help="Seconds a client has for a request's line and headers."),
    ] = http.HEADER_TIMEOUT,
    body_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has for a request's body.")
    ] = http.BODY_TIMEOUT,
) -> None:
    """Run a node's web service (API and pages) until Ctrl-C."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    settings = load_settings()  # refuses an uninitialised home before any worker starts
    poort = port or (8000 if node is Node.AII else 8001)
    adres = _http_adres(host, poort)
    # uvicorn's worker processes read their settings from the environment: the home, the
    # address the WSDL publishes when `[aii] public_url` is empty, and the timeouts
    os.environ["KBI_HOME"] = str(settings.home)
    os.environ[SERVE_URL_ENV] = adres
    os.environ[http.HEADER_TIMEOUT_ENV] = repr(header_timeout)
    os.environ[http.BODY_TIMEOUT_ENV] = repr(body_timeout)
    module = "app" if node is Node.AII else "vsb_app"
    typer.echo(f"{node.value.upper()} node on {adres} (API under /api/v1, docs /api/v1/docs)")
    if node is Node.AII and _alle_adressen(host) and load_settings().public_url == adres:
        typer.echo(
            f"warning: the WSDL publishes {adres}, which no caller can use: set [aii] public_url",
            err=True,
        )
    uvicorn.run(
        f"kbi_exchange.entrypoints.api.{module}:maak_app_uit_omgeving",
        factory=True,
        host=host,
        port=poort,
        workers=workers,
        log_level="warning",
        access_log=False,
        # what one client may hold of a process (api/http.py); no websockets: neither app has one
        http=http.BoundedHttpToolsProtocol,
        ws="none",
        timeout_keep_alive=http.KEEP_ALIVE_TIMEOUT,
        limit_concurrency=http.MAX_CONCURRENCY,
    )


def _http_adres(host: str, poort: int) -> str:
    """The URL of a listening address (an IPv6 address in brackets)."""
    return f"http://[{host}]:{poort}" if ":" in host else f"http://{host}:{poort}"


def _alle_adressen(host: str) -> bool:
    """Whether ``host`` means every interface (0.0.0.0, ::): no address a caller can use."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


@app.command()
def demo(
    serve: Annotated[bool, typer.Option(help="Keep serving the nodes until Ctrl-C.")] = True,
) -> None:
    """The main job: a complete demo home, both flows as far as built, then serve until Ctrl-C."""
    raise typer.Exit(run_demo(console, nu=datetime.now(UTC), serveer=serve))


@app.command()
def rules() -> None:
    """List the rules with their legal basis, and the parameters with their sources."""
    regels = Table(title="Rules (SPEC §4)", show_lines=True)
    for kolom in ("Rule", "What the law requires", "Legal basis", "Regimes"):
        regels.add_column(kolom)
    for regel in REGELS:
        regels.add_row(
            regel.naam,
            regel.omschrijving,
            regel.wettelijke_basis,
            ", ".join(sorted(r.value for r in regel.regimes)),
        )
    console.print(regels)
    parameters = standaard_parameters()
    tabel = Table(title=f"Parameters (version {parameters.versie})", show_lines=True)
    for kolom in ("Parameter", "From", "Value", "Source"):
        tabel.add_column(kolom)
    for naam, parameter in sorted(parameters.parameters.items()):
        for waarde in parameter.waarden:
            bron = (
                waarde.bron
                if waarde.publieke_bron
                else f"[yellow]NO PUBLIC SOURCE[/] {waarde.bron}"
            )
            tabel.add_row(naam, waarde.vanaf.isoformat(), str(waarde.waarde), bron)
    console.print(tabel)


# Errors an operator can act on (the one family, and the file system's): one line, exit 1.
# Anything else is a bug and shows its trace.
BEKENDE_FOUTEN = (KbiFout, OSError)


@functools.cache
def _commando() -> Any:  # Typer's own (vendored) click Command
    """The command tree, built once: Typer builds it from every command's signature on each
    call (~30 ms), which a process that runs many commands (the tests, the demo) repeats."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; usage errors exit 2, refused work 1, each with one line."""
    # files this process makes (databases, keys, lists, mailbox) hold personal data or
    # secrets: readable by their owner only, whatever the shell's umask
    os.umask(0o077)
    try:
        code = _commando().main(args=argv, standalone_mode=False)
    except typer.Exit as einde:
        code = einde.exit_code
    except typer.Abort:
        print("kbi: aborted", file=sys.stderr)
        code = 130
    except typer.TyperException as fout:  # usage errors carry exit code 2
        soort = "usage error" if fout.exit_code == 2 else "error"
        print(f"kbi: {soort}: {fout.format_message()}", file=sys.stderr)
        code = fout.exit_code
    except BEKENDE_FOUTEN as fout:
        print(f"kbi: error: {fout}", file=sys.stderr)
        code = 1
    except SQLAlchemyError as fout:
        # the database's own message can quote the values it refused (an INSZ): name the
        # kind of error only (SPEC §11)
        soort = type(getattr(fout, "orig", None) or fout).__name__
        print(
            f"kbi: error: the database could not do this ({soort}); nothing was stored",
            file=sys.stderr,
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
