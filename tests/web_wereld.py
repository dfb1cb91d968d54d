"""A populated home for the page tests (in-process and in the browser): both nodes on SQLite,
the example dossiers at AII, members of two zorgkassen at VSB, VSB's client at AII, a person of
every role, and the AII node served so that VSB can ask it."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from kbi_exchange.bootstrap import init_home, sluit_engines
from kbi_exchange.entrypoints.cli import main
from tests.aii_node import AiiNode
from tests.conftest import EXAMPLES

WACHTWOORD = "correct horse battery"
NOK_INSZ = "85073001546"  # NIET_TIJDIG_AANGEMELD on 2022-01-01 (examples), member of CM
OK_INSZ = "85073001348"  # complies on 2023-01-01, member of CM
LM_INSZ = "85073002140"  # a member of LM only
GEEN_LID = "85073002338"  # in the KBI, a member of no zorgkas

# name → (node, role, zorgkas)
MENSEN: dict[str, tuple[str, str, str | None]] = {
    "olga": ("aii", "aii-operator", None),
    "anton": ("aii", "aii-approver", None),
    "dora": ("aii", "aii-dpo", None),
    "aida": ("aii", "auditor", None),
    "zoe": ("vsb", "zorgkas-handler", "CM"),
    "lou": ("vsb", "zorgkas-handler", "LM"),
    "vera": ("vsb", "vsb-operator", None),
    "vida": ("vsb", "vsb-dpo", None),
    "vic": ("vsb", "auditor", None),
    # locked out by the lockout test: no other test logs in as her
    "lena": ("aii", "auditor", None),
}


def kbi_cli(*args: str) -> str:
    """Run the command line in-process; its standard output, or AssertionError with both."""
    uit, fout = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(uit), contextlib.redirect_stderr(fout):
        try:
            main(list(args))
            code = 0
        except SystemExit as einde:
            code = int(einde.code or 0)
    assert code == 0, (args, uit.getvalue(), fout.getvalue())
    return uit.getvalue()


@dataclass
class Wereld:
    home: Path
    aii_node: AiiNode

    def client(self, node: str) -> TestClient:
        from kbi_exchange.entrypoints.api import app, vsb_app  # noqa: PLC0415
        from kbi_exchange.settings import load_settings  # noqa: PLC0415

        maak = app.maak_app if node == "aii" else vsb_app.maak_app
        return TestClient(maak(load_settings()), base_url="http://testserver")


def bouw_wereld(pad: Path, monkeypatch: pytest.MonkeyPatch, poort: int) -> Iterator[Wereld]:
    home = pad / "home"
    monkeypatch.setenv("KBI_HOME", str(home))
    monkeypatch.setenv("KBI_AII_DATABASE_URL", f"sqlite:///{pad / 'aii.db'}")
    monkeypatch.setenv("KBI_VSB_DATABASE_URL", f"sqlite:///{pad / 'vsb.db'}")
    monkeypatch.setenv("KBI_PASSWORD", WACHTWOORD)
    init_home(home)
    kbi_cli("aii", "import", str(EXAMPLES / "dossiers.jsonl"))
    for naam, (waar, rol, zorgkas) in MENSEN.items():
        extra = ("--zorgkas", zorgkas) if zorgkas else ()
        kbi_cli("users", "add", naam, "--node", waar, "--role", rol, *extra)
    leden = home / "leden.jsonl"
    leden.write_text(
        "".join(
            json.dumps(
                {
                    "insz": insz,
                    "aansluitingen": [{"zorgkas": zk, "begin": "2010-01-01"}],
                    "vt": [{"begin": "2020-01-01"}],
                }
            )
            + "\n"
            for zk, insz in (("CM", NOK_INSZ), ("CM", OK_INSZ), ("LM", LM_INSZ))
        ),
        encoding="utf-8",
    )
    kbi_cli("vsb", "import", str(leden))
    token = json.loads(kbi_cli("aii", "clients", "add", "vsb", "--purpose", "ZORGBUDGET"))
    monkeypatch.setenv("KBI_VSB_AII_TOKEN", token["token"])
    node = AiiNode(poort)
    monkeypatch.setenv("KBI_VSB_AII_URL", node.adres)
    node.start()
    try:
        yield Wereld(home, node)
    finally:
        node.stop()
        sluit_engines()


def meld_aan(client: TestClient, naam: str, wachtwoord: str = WACHTWOORD) -> httpx.Response:
    """Log in through the form as a browser would: the page, its token, the post."""
    pagina = client.get("/login")
    token = pagina.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    antwoord: httpx.Response = client.post(
        "/login",
        data={"csrf": token, "naam": naam, "wachtwoord": wachtwoord, "volgende": "/start"},
        follow_redirects=False,
    )
    return antwoord


def csrf(pagina: httpx.Response) -> str:
    return pagina.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def node_van(naam: str) -> str:
    return MENSEN[naam][0]


def zet_oidc(home: Path, node: str, issuer: str, client_id: str, secret: str) -> None:
    """Point a node's pages at an identity provider, as an operator edits settings.toml."""
    import tomlkit  # noqa: PLC0415 - the OIDC tests only

    bestand = home / "settings.toml"
    document = tomlkit.parse(bestand.read_text(encoding="utf-8"))
    tabel = document[node]["oidc"]
    tabel["issuer"] = issuer
    tabel["client_id"] = client_id
    tabel["client_secret"] = secret
    tabel["label"] = "de testidentiteitsdienst"
    bestand.write_text(tomlkit.dumps(document), encoding="utf-8")
