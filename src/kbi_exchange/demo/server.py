"""The demo's AII node: served in a thread, asked over HTTP like VSB will ask it."""

from __future__ import annotations

import getpass
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table

from kbi_exchange.bootstrap import aii_uow
from kbi_exchange.demo.lijst import DEMO_LOG_INS, DEMO_WACHTWOORD
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.insz import Insz
from kbi_exchange.entrypoints.api.app import maak_app
from kbi_exchange.services.clients import voeg_client_toe
from kbi_exchange.settings import Settings

VRAGEN = (
    ("85073001348", "2023-01-01"),
    ("85073001546", "2022-01-01"),
    ("85073002338", "2024-10-01"),
    ("85073002932", "2023-01-01"),
    ("85073002537", "2023-01-01"),
)


def _vrije_poort(voorkeur: int) -> int:
    with socket.socket() as proef:
        # as uvicorn binds: a port just left by a stopped demo node is free again at once
        proef.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            proef.bind(("127.0.0.1", voorkeur))
        except OSError:
            proef.bind(("127.0.0.1", 0))
        return int(proef.getsockname()[1])


def demo_token(settings: Settings) -> str:
    """The demo's VSB client token, made once and kept (0600) in the home."""
    bestand = settings.home / "demo" / "vsb-client.token"
    if bestand.exists():
        return bestand.read_text(encoding="utf-8").strip()
    _, token = voeg_client_toe(
        uow=aii_uow(settings),
        naam=f"demo-vsb-{uuid.uuid4().hex[:8]}",
        doelen=["ZORGBUDGET", "VERLAAGDE_PREMIE"],
        afzender="VSB",
        nu=datetime.now(UTC),
        door=Actor.os_account(Node.AII, getpass.getuser()),
    )
    bestand.parent.mkdir(exist_ok=True)
    bestand.touch(mode=0o600)
    bestand.write_text(token + "\n", encoding="utf-8")
    return token


class DemoServer:
    """A node's web service in a background thread of the demo process: AII's by default."""

    def __init__(
        self,
        settings: Settings,
        poort: int = 8000,
        maak: Callable[[Settings], FastAPI] | None = None,
    ) -> None:
        self.poort = _vrije_poort(poort)
        self.server = uvicorn.Server(
            uvicorn.Config(
                # AII's WSDL names the address it is served at: that of this demo
                (maak or maak_app)(replace(settings, public_url=self.adres)),
                host="127.0.0.1",
                port=self.poort,
                log_level="warning",
                access_log=False,
            )
        )
        self.draad = threading.Thread(target=self.server.run, daemon=True)

    @property
    def adres(self) -> str:
        return f"http://127.0.0.1:{self.poort}"

    def start(self) -> None:
        self.draad.start()
        for _ in range(100):
            if self.server.started:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the demo node at {self.adres} did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.draad.join(timeout=5)


def vraag_over_http(console: Console, adres: str, token: str) -> None:
    """Ask the demo questions over REST and show the answers, as VSB receives them."""
    tabel = Table(title=f"Advice over HTTP: POST {adres}/api/v1/advies")
    for kolom in ("INSZ", "datum", "HTTP", "advies", "reden", "uitzonderingen"):
        tabel.add_column(kolom)
    with httpx.Client(base_url=adres, headers={"Authorization": f"Bearer {token}"}) as http:
        for insz, datum in VRAGEN:
            antwoord = http.post(
                "/api/v1/advies",
                json={
                    "insz": insz,
                    "datum": datum,
                    "doel": "ZORGBUDGET",
                    "referte": str(uuid.uuid4()),
                },
            )
            body = antwoord.json()
            tabel.add_row(
                Insz(insz).opgemaakt() if body["advies"] else insz,
                datum,
                str(antwoord.status_code),
                body["advies"] or "—",
                body["reden"]["code"] if body["reden"] else "",
                ", ".join(u["identificatie"] for u in body["uitzonderingen"]),
            )
    console.print(tabel)


def serveer_tot_ctrl_c(console: Console, aii: DemoServer, vsb: DemoServer, home: Path) -> None:
    console.print(
        f"\n[bold]Serving[/] the AII node at {aii.adres} (docs {aii.adres}/api/v1/docs, "
        f"health {aii.adres}/api/v1/health)\nand the VSB node at {vsb.adres} (docs "
        f"{vsb.adres}/api/v1/docs).\nTokens (`Authorization: Bearer <token>`): VSB's client of "
        f"AII in {home}/demo/vsb-client.token; each zorgkas's client of VSB in "
        f"{home}/demo/zorgkas-<CODE>.token."
    )
    console.print(
        f"[bold]Pages[/]: open {aii.adres}/protocol (public), then log in at {aii.adres}/login "
        f"(AII) or {vsb.adres}/login (VSB) with password {DEMO_WACHTWOORD!r} as\n"
        + "\n".join(
            f"  {naam:<18} {rol}{' of ' + zk if zk else ''} ({node.value.upper()})"
            for naam, node, rol, zk in DEMO_LOG_INS
        )
        + "\n(the same people work on the command line with `--as NAME`). Press Ctrl-C to stop."
    )
    try:
        while aii.draad.is_alive() and vsb.draad.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        vsb.stop()
        aii.stop()
