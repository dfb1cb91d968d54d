"""The `kbi` command line (SPEC §14). Every error ends in one line and a non-zero exit."""

from __future__ import annotations

import functools
import importlib
import ipaddress
import os
import shutil
import ssl
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer
import typer.main
from rich.console import Console
from rich.table import Table
from typer import _click as click  # Typer's own click, which its groups are built on
from typer.core import TyperGroup

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.fouten import KbiFout
from kbi_exchange.entrypoints.api import grenzen
from kbi_exchange.settings import SERVE_URL_ENV, load_settings


@functools.cache
def _aii() -> typer.Typer:
    from kbi_exchange.entrypoints import (  # noqa: PLC0415 - loaded when asked for
        cli_aii,
        cli_clients,
        cli_kwaliteit,
        cli_lijst,
        cli_registers,
    )

    cli_aii.app.add_typer(cli_registers.aii_recipients_app, name="recipients")
    cli_aii.app.add_typer(cli_clients.app, name="clients")
    cli_aii.app.add_typer(cli_lijst.app, name="list")
    cli_aii.app.add_typer(cli_kwaliteit.aii_app, name="report")
    return cli_aii.app


@functools.cache
def _vsb() -> typer.Typer:
    from kbi_exchange.entrypoints import (  # noqa: PLC0415 - loaded when asked for
        cli_clients,
        cli_kwaliteit,
        cli_registers,
        cli_vsb,
    )

    cli_vsb.app.add_typer(cli_registers.vsb_recipients_app, name="recipients")
    cli_vsb.app.command("export")(cli_registers.export)
    cli_vsb.app.add_typer(cli_clients.vsb_app, name="clients")
    cli_vsb.app.add_typer(cli_kwaliteit.vsb_app, name="report")
    cli_vsb.app.command("messages")(cli_kwaliteit.messages)
    return cli_vsb.app


def _groep(module: str, naam: str = "app") -> Callable[[], typer.Typer]:
    def laad() -> typer.Typer:
        return cast(typer.Typer, getattr(importlib.import_module(f"{__package__}.{module}"), naam))

    return laad


# The command groups, each with its one-line help, loaded when a command of theirs runs (or
# its help is asked): `kbi --help` and a command of one group import nothing of the others
# (tests/unit/test_cli_snel.py holds each line to the group's own help).
GROEPEN: dict[str, tuple[str, Callable[[], typer.Typer]]] = {
    "aii": ("The AII node: KBI store, rules engine, advice.", _aii),
    "vsb": ("The VSB node.", _vsb),
    "synth": ("Synthetic data with valid INSZ numbers.", _groep("cli_synth")),
    "users": ("People of a node: roles and passwords (Argon2id).", _groep("cli_users")),
    "audit": ("The audit log: verify the chain, search by person.", _groep("cli_audit")),
    "mailbox": ("The exchange mailbox: FTPS accounts and server.", _groep("cli_mailbox")),
    "protocol": (
        "The protocol: its state, suspension, notice and end.",
        _groep("cli_protocol"),
    ),
    "retention": ("Retention: remove what may no longer be kept.", _groep("cli_retention")),
    "incident": (
        "Incidents: registered, notified to the other party (24 h) and, for a personal-data "
        "breach, to the Vlaamse Toezichtcommissie (72 h).",
        _groep("cli_incident"),
    ),
    "processors": (
        "The processors of a party and their agreements (art. 6), exportable for the other.",
        _groep("cli_registers", "processors_app"),
    ),
}


class LuieGroep(TyperGroup):
    """The top of the command tree: its own commands, and the groups of `GROEPEN` made when
    first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *GROEPEN})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        gevonden = super().get_command(ctx, cmd_name)
        if gevonden is None and cmd_name in GROEPEN:
            groep = GROEPEN[cmd_name][1]()
            groep.rich_markup_mode = None  # plain help, as the top's (no boxes in a pipe)
            groep._add_completion = False  # the top offers completion for the whole tree
            gevonden = typer.main.get_group(groep)  # a group even with one command
            gevonden.name = cmd_name
            self.add_command(gevonden, cmd_name)
        return gevonden

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rijen = []
        for naam in self.list_commands(ctx):
            if naam in GROEPEN and naam not in self.commands:
                rijen.append((naam, GROEPEN[naam][0]))
            elif (commando := self.get_command(ctx, naam)) is not None and not commando.hidden:
                rijen.append((naam, commando.get_short_help_str(formatter.width - 6)))
        if rijen:
            with formatter.section("Commands"):
                formatter.write_dl(rijen)


app = typer.Typer(
    cls=LuieGroep,
    help="kbi-exchange: the KBI → VSB civic-integration data exchange (AII and VSB nodes).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
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
    from kbi_exchange.bootstrap import init_home  # noqa: PLC0415 - the wiring, when needed

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
    ] = grenzen.HEADER_TIMEOUT,
    body_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has for a request's body.")
    ] = grenzen.BODY_TIMEOUT,
    log_file: Annotated[
        Path | None,
        typer.Option(help="Write the JSON log lines here (appended); default: standard error."),
    ] = None,
    log_level: Annotated[
        str, typer.Option(help="debug, info, warning or error.", case_sensitive=False)
    ] = "info",
    access_log: Annotated[
        bool, typer.Option(help="A JSON line per request: route, method, status, milliseconds.")
    ] = False,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="Serve HTTPS with this certificate (PEM, with its chain).")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="The certificate's private key.")] = None,
    ssl_ca_certs: Annotated[
        Path | None,
        typer.Option(
            help="Ask clients for a certificate issued by these CAs (PEM), as MAGDA does."
        ),
    ] = None,
    require_client_cert: Annotated[
        bool,
        typer.Option(help="With --ssl-ca-certs: refuse a connection without a valid certificate."),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Behind a reverse proxy at these addresses (comma-separated): trust its "
            "X-Forwarded-For/-Proto, so that addresses and https are the client's."
        ),
    ] = None,
) -> None:
    """Run a node's web service (API and pages) until Ctrl-C. Logs are JSON lines without
    personal data; `GET /metrics` (Prometheus) answers the machine itself."""
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from kbi_exchange.adapters import json_log  # noqa: PLC0415 - nor its logs
    from kbi_exchange.adapters.process import PARENT_PID_ENV, die_with_parent  # noqa: PLC0415
    from kbi_exchange.entrypoints.api import http  # noqa: PLC0415 - nor its protocol
    from kbi_exchange.entrypoints.api.metrics import MULTIPROC_ENV  # noqa: PLC0415

    if ouder := os.environ.pop(PARENT_PID_ENV, ""):
        die_with_parent(int(ouder))  # started by the demo: gone with it
    settings = load_settings()  # refuses an uninitialised home before any worker starts
    poort = port or (8000 if node is Node.AII else 8001)
    tls = _tls(ssl_certfile, ssl_keyfile, ssl_ca_certs, require_client_cert)
    adres = _http_adres(host, poort, https=bool(tls))
    # uvicorn's worker processes read their settings from the environment: the home, the
    # address the WSDL publishes when `[aii] public_url` is empty, and the timeouts
    os.environ["KBI_HOME"] = str(settings.home)
    os.environ[SERVE_URL_ENV] = adres
    os.environ[grenzen.HEADER_TIMEOUT_ENV] = repr(header_timeout)
    os.environ[grenzen.BODY_TIMEOUT_ENV] = repr(body_timeout)
    if log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise typer.BadParameter("debug, info, warning or error", param_hint="--log-level")
    os.environ[json_log.LOG_LEVEL_ENV] = log_level.upper()
    os.environ[json_log.ACCESS_LOG_ENV] = "1" if access_log else "0"
    if log_file is not None:
        os.environ[json_log.LOG_FILE_ENV] = str(log_file.resolve())
    json_log.configure_from_env(node.value)
    # several worker processes add up their figures in files of one folder, emptied here
    if workers > 1:
        metriek_map = settings.home / "run" / f"metrics-{node.value}"
        shutil.rmtree(metriek_map, ignore_errors=True)
        metriek_map.mkdir(parents=True, mode=0o700)
        os.environ[MULTIPROC_ENV] = str(metriek_map)
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
        log_config=None,  # the JSON logs configured above and in each worker
        log_level=log_level.lower(),
        access_log=False,
        # what one client may hold of a process (api/http.py); no websockets: neither app has one
        http=http.BoundedHttpToolsProtocol,
        ws="none",
        timeout_keep_alive=grenzen.KEEP_ALIVE_TIMEOUT,
        limit_concurrency=grenzen.MAX_CONCURRENCY,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        **tls,
    )


def _tls(
    certfile: Path | None, keyfile: Path | None, ca_certs: Path | None, verplicht: bool
) -> dict[str, Any]:
    """uvicorn's TLS options, each file checked first (a clear error, not a traceback)."""
    if certfile is None:
        if keyfile or ca_certs or verplicht:
            raise typer.BadParameter("TLS needs --ssl-certfile", param_hint="--ssl-certfile")
        return {}
    if keyfile is None:
        raise typer.BadParameter("the certificate's key is needed", param_hint="--ssl-keyfile")
    if verplicht and ca_certs is None:
        raise typer.BadParameter(
            "whose certificates to accept: give --ssl-ca-certs", param_hint="--ssl-ca-certs"
        )
    for pad, optie in ((certfile, "--ssl-certfile"), (keyfile, "--ssl-keyfile"),
                       (ca_certs, "--ssl-ca-certs")):  # fmt: skip
        if pad is not None and not pad.is_file():
            raise typer.BadParameter(f"{pad}: no such file", param_hint=optie)
    opties: dict[str, Any] = {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}
    if ca_certs is not None:
        opties["ssl_ca_certs"] = str(ca_certs)
        opties["ssl_cert_reqs"] = ssl.CERT_REQUIRED if verplicht else ssl.CERT_OPTIONAL
    return opties


def _http_adres(host: str, poort: int, *, https: bool = False) -> str:
    """The URL of a listening address (an IPv6 address in brackets)."""
    schema = "https" if https else "http"
    return f"{schema}://[{host}]:{poort}" if ":" in host else f"{schema}://{host}:{poort}"


def _alle_adressen(host: str) -> bool:
    """Whether ``host`` means every interface (0.0.0.0, ::): no address a caller can use."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


@app.command()
def demo(
    serve: Annotated[bool, typer.Option(help="Keep serving the nodes until Ctrl-C.")] = True,
    dossiers: Annotated[
        int,
        typer.Option(min=1_000, max=3_000_000, help="The synthetic KBI's size (members: as many)."),
    ] = 100_000,
    detail: Annotated[
        bool, typer.Option(help="Every example answer with the rules that held, not a count.")
    ] = False,
) -> None:
    """The main job: a complete demo home with both nodes as `kbi serve` processes, both flows
    end to end, then serve until Ctrl-C."""
    from kbi_exchange.demo.run import run_demo  # noqa: PLC0415 - only this command needs it

    raise typer.Exit(
        run_demo(console, nu=datetime.now(UTC), serveer=serve, dossiers=dossiers, detail=detail)
    )


@app.command()
def rules() -> None:
    """List the rules with their legal basis, and the parameters with their sources."""
    from kbi_exchange.domain.rules import REGELS  # noqa: PLC0415
    from kbi_exchange.parameters import standaard_parameters  # noqa: PLC0415

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
    except Exception as fout:
        from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 - loaded by any database work

        if not isinstance(fout, SQLAlchemyError):
            raise
        # the database's own message can quote the values it refused (an INSZ): name the
        # kind of error only (SPEC §11)
        soort = type(getattr(fout, "orig", None) or fout).__name__
        print(
            f"kbi: error: the database could not do this ({soort}); nothing was stored",
            file=sys.stderr,
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
