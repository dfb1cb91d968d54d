"""The demo's nodes, each `kbi serve` in a process of its own; AII asked over HTTP like VSB
asks it."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from kbi_exchange.adapters.mailbox_ftps import Accounts
from kbi_exchange.adapters.process import PARENT_PID_ENV
from kbi_exchange.bootstrap import aii_uow, pki_partijen
from kbi_exchange.demo.lijst import DEMO_LOG_INS, DEMO_WACHTWOORD
from kbi_exchange.domain.access import Actor, Node
from kbi_exchange.domain.insz import Insz
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
    """A node's web service as production runs it: `kbi serve` in a process of its own, on
    the node's own database, writing JSON log lines (with a line per request) to
    ``<home>/demo/logs/<node>.jsonl``. A busy preferred port is replaced by a free one, and
    the demo says so."""

    def __init__(
        self,
        settings: Settings,
        node: Node = Node.AII,
        poort: int | None = None,
        omgeving: dict[str, str] | None = None,
    ) -> None:
        self.node = node
        self.naam = f"{node.value.upper()} node"
        voorkeur = poort or (8000 if node is Node.AII else 8001)
        self.poort = _vrije_poort(voorkeur)
        self.bezet = None if self.poort == voorkeur else voorkeur
        self.log = settings.home / "demo" / "logs" / f"{node.value}.jsonl"
        self.home = settings.home
        self.omgeving = omgeving or {}
        self.proces: subprocess.Popen[bytes] | None = None

    @property
    def adres(self) -> str:
        return f"http://127.0.0.1:{self.poort}"

    def commando(self) -> list[str]:
        return ["serve", "--node", self.node.value, "--port", str(self.poort),
                "--log-file", str(self.log), "--access-log"]  # fmt: skip

    def gereed(self) -> bool:
        try:
            return httpx.get(f"{self.adres}/api/v1/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        fouten = self.log.with_suffix(".stderr")
        with fouten.open("ab") as stderr:
            self.proces = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                [sys.executable, "-m", "kbi_exchange", *self.commando()],
                # should the demo die without stopping them, the nodes die with it
                env={**os.environ, "KBI_HOME": str(self.home), PARENT_PID_ENV: str(os.getpid()),
                     **self.omgeving},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                # Ctrl-C reaches the demo, which stops its nodes in order, not each on its own
                start_new_session=True,
            )  # fmt: skip
        for _ in range(300):
            if self.proces.poll() is not None:
                raise RuntimeError(
                    f"the demo's {self.naam} exited at start "
                    f"(code {self.proces.returncode}); see {fouten}"
                )
            if self.gereed():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the demo's {self.naam} at {self.adres} did not start; see {fouten}")

    def leeft(self) -> bool:
        return self.proces is not None and self.proces.poll() is None

    def stop(self) -> None:
        if self.proces is None:
            return
        self.proces.terminate()  # uvicorn stops gracefully: answers in flight are finished
        try:
            self.proces.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proces.kill()
            self.proces.wait()
        self.proces = None


class DemoMailbox(DemoServer):
    """The mailbox served over FTPS (`kbi mailbox serve`), a process of its own too; each
    party's account has the demo password."""

    def __init__(self, settings: Settings, poort: int = 2121) -> None:
        super().__init__(settings, Node.AII, poort)
        self.log = settings.home / "demo" / "logs" / "mailbox.stderr"
        self.naam = "mailbox"
        accounts = Accounts(settings.home / "keys" / "mailbox-accounts.json")
        bekend = accounts.read()
        for partij, _ in pki_partijen(settings):
            if partij not in bekend:
                accounts.zet(partij, DEMO_WACHTWOORD)

    @property
    def adres(self) -> str:
        return f"ftps://127.0.0.1:{self.poort}"

    def commando(self) -> list[str]:
        return ["mailbox", "serve", "--port", str(self.poort)]

    def gereed(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.poort), timeout=1) as verbinding:
                return verbinding.recv(3) == b"220"
        except OSError:
            return False


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


def serveer_tot_ctrl_c(
    console: Console, aii: DemoServer, vsb: DemoServer, postbus: DemoServer, home: Path
) -> None:
    console.print(
        f"\n[bold]Serving[/] the AII node at {aii.adres} (docs {aii.adres}/api/v1/docs, "
        f"health {aii.adres}/api/v1/health)\nand the VSB node at {vsb.adres} (docs "
        f"{vsb.adres}/api/v1/docs).\nTokens (`Authorization: Bearer <token>`): VSB's client of "
        f"AII in {home}/demo/vsb-client.token; each zorgkas's client of VSB in "
        f"{home}/demo/zorgkas-<CODE>.token.\nThe mailbox at {postbus.adres} (explicit TLS): "
        f"each party logs in with its name (vsb, zorgkas-cm, …) and {DEMO_WACHTWOORD!r}, e.g. "
        f"curl --ssl-reqd --cacert {home}/pki/ca.crt -u zorgkas-cm:{DEMO_WACHTWOORD} "
        f"ftp://127.0.0.1:{postbus.poort}/in/"
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
        while aii.leeft() and vsb.leeft() and postbus.leeft():
            time.sleep(0.5)
        console.print("a process stopped: stopping the demo (its log is in the home's demo/logs/)")
    except KeyboardInterrupt:
        console.print("stopping the nodes and the mailbox")
    finally:
        postbus.stop()
        vsb.stop()
        aii.stop()
