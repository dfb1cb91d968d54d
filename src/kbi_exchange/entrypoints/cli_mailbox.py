"""`kbi mailbox ...`: the exchange mailbox over FTPS (SPEC §2, §14)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from kbi_exchange.adapters.crypto.pki import MAILBOX
from kbi_exchange.adapters.mailbox_ftps import Accounts, LoginLimits, maak_server
from kbi_exchange.adapters.process import PARENT_PID_ENV, die_with_parent
from kbi_exchange.bootstrap import mailbox, pki_partijen
from kbi_exchange.entrypoints.cli_users import wachtwoord
from kbi_exchange.settings import load_settings

app = typer.Typer(help="The exchange mailbox: FTPS accounts and server.", no_args_is_help=True)


@app.command("account")
def account(
    partij: Annotated[str, typer.Argument(metavar="PARTY", help="aii, vsb or zorgkas-<CODE>.")],
) -> None:
    """Set a party's mailbox password (from KBI_PASSWORD or a prompt)."""
    settings = load_settings()
    partijen = [stam for stam, _ in pki_partijen(settings)]
    if partij not in partijen:
        raise typer.BadParameter(f"{partij!r} is none of {', '.join(partijen)}", param_hint="PARTY")
    Accounts(settings.home / "keys" / "mailbox-accounts.json").zet(
        partij, wachtwoord(f"mailbox password for {partij}", bevestig=True)
    )
    typer.echo(partij)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the FTPS control connection.")] = 2121,
) -> None:
    """Serve the mailbox over FTPS (explicit TLS) until Ctrl-C; one account per party."""
    if ouder := os.environ.pop(PARENT_PID_ENV, ""):
        die_with_parent(int(ouder))  # started by the demo: gone with it
    settings = load_settings()
    server = maak_server(
        mailbox(settings),
        Accounts(settings.home / "keys" / "mailbox-accounts.json"),
        certificaat=settings.pki_file(f"{MAILBOX}.crt"),
        sleutel=settings.pki_file(f"{MAILBOX}.key"),
        host=host,
        poort=port,
        limits=LoginLimits(
            max_failed=settings.mailbox_max_failed_logins,
            max_failed_per_address=settings.mailbox_max_failed_logins_per_address,
            lockout_seconds=settings.mailbox_lockout_seconds,
        ),
    )
    adres = server.socket.getsockname()
    typer.echo(f"mailbox on ftps://{adres[0]}:{adres[1]} (explicit TLS); Ctrl-C stops", err=True)
    try:
        server.serve_forever(handle_exit=False)
    except KeyboardInterrupt:
        pass
    finally:
        server.close_all()
