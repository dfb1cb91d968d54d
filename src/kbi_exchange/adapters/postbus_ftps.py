"""The mailbox over FTPS (SPEC §2): one account per party, confined to its own folder.

pyftpdlib with TLS on both the control and the data connection. A party lists its folder,
uploads into ``out/`` and reads and removes files in ``in/``; it can do nothing else. An
upload is written under a hidden ``.part`` name and renamed when it is complete, then routed
into the recipient's ``in/`` — so no one ever sees half a file under its final name, and an
interrupted upload is removed. Passwords are Argon2id hashes in a file apart from the
mailbox (``$KBI_HOME/keys/mailbox-accounts.json``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

from kbi_exchange.adapters.bestanden import schrijf_atomisch
from kbi_exchange.adapters.postbus import IN, UIT, Postbus, PostbusFout, ontvanger_van
from kbi_exchange.adapters.wachtwoord import controleer, hash_wachtwoord

_DEEL = ".part"


class Accounts:
    """The mailbox accounts: party → Argon2id hash of its password."""

    def __init__(self, bestand: Path) -> None:
        self.bestand = bestand

    def lees(self) -> dict[str, str]:
        if not self.bestand.exists():
            return {}
        return dict(json.loads(self.bestand.read_text(encoding="utf-8")))

    def zet(self, partij: str, wachtwoord: str) -> None:
        accounts = self.lees()
        accounts[partij] = hash_wachtwoord(wachtwoord)
        self.bestand.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        schrijf_atomisch(self.bestand, json.dumps(accounts).encode(), modus=0o600)


class _Authorizer(DummyAuthorizer):  # type: ignore[misc]
    """pyftpdlib's user table, with passwords checked against Argon2id hashes."""

    def __init__(self, hashes: dict[str, str]) -> None:
        super().__init__()
        self.hashes = hashes

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        if not controleer(self.hashes.get(username), password):
            raise AuthenticationFailed("Authentication failed.")


class _Handler(TLS_FTPHandler):  # type: ignore[misc]
    """Uploads land whole: written under a hidden name, renamed, then routed."""

    postbus: Postbus
    tls_control_required = True
    tls_data_required = True
    banner = "kbi-exchange mailbox"

    def ftp_STOR(self, file: str, mode: str = "w") -> Any:  # noqa: N802 — pyftpdlib's name
        pad = Path(file)
        try:
            if pad.parent.name != UIT:
                raise PostbusFout("upload into your out/ folder")
            ontvanger_van(pad.name, self.username)
        except PostbusFout as fout:
            self.respond(f"553 {fout}.")
            return None
        return super().ftp_STOR(str(pad.with_name(f".{pad.name}{_DEEL}")), mode)

    def on_file_received(self, file: str) -> None:
        deel = Path(file)
        heel = deel.with_name(deel.name[1 : -len(_DEEL)])
        os.replace(deel, heel)
        self.postbus.routeer(heel)

    def on_incomplete_file_received(self, file: str) -> None:
        Path(file).unlink(missing_ok=True)


def maak_server(
    postbus: Postbus,
    accounts: Accounts,
    *,
    certificaat: Path,
    sleutel: Path,
    host: str,
    poort: int,
) -> FTPServer:
    """An FTPS server on the mailbox; every party with a password gets its account."""
    hashes = accounts.lees()
    if not hashes:
        raise PostbusFout("no mailbox accounts: set one with `kbi mailbox account PARTY`")
    authorizer = _Authorizer(hashes)
    for partij in sorted(hashes):
        thuis = postbus.wortel / partij
        postbus.maak_aan([partij])
        # e: change folder, l: list — in the party's own folder only
        authorizer.add_user(partij, "", str(thuis), perm="el")
        authorizer.override_perm(partij, str(thuis / IN), "elrd", recursive=True)
        authorizer.override_perm(partij, str(thuis / UIT), "elw", recursive=True)
    # pyftpdlib configures handlers through class attributes: one class per server
    handler: Any = type(
        "PostbusHandler",
        (_Handler,),
        {
            "authorizer": authorizer,
            "certfile": str(certificaat),
            "keyfile": str(sleutel),
            "postbus": postbus,
        },
    )
    postbus.routeer_alles()  # what a crash left whole in an out/ still goes on its way
    return FTPServer((host, poort), handler)
