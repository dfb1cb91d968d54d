"""The mailbox over FTPS (SPEC §2): one account per party, confined to its own folder.

pyftpdlib with TLS on both the control and the data connection. A party lists its folder,
uploads into ``out/`` and reads and removes files in ``in/``; it can do nothing else. An
upload is written under a hidden ``.part`` name and, once complete, moved straight into the
recipient's ``in/`` before the client is told it arrived (``226``); a file that cannot be routed
is refused (``553``) and removed, so no one ever sees half a file, or an unroutable one, under
a final name. Passwords are Argon2id hashes in a file apart from the mailbox
(``$KBI_HOME/keys/mailbox-accounts.json``); an account is locked for a while after repeated
failures. Each connection has its own thread, so that a password check (Argon2, tens of
milliseconds by design) or a slow client never holds up the others.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.adapters.mailbox import IN, UIT, Mailbox, MailboxError, recipient_of
from kbi_exchange.adapters.passwords import controleer, hash_wachtwoord

_DEEL = ".part"
# Failed log-ins after which an account is locked, and for how long (seconds).
MAX_MISLUKT = 5
VERGRENDELD = 15 * 60

log = logging.getLogger(__name__)


class Accounts:
    """The mailbox accounts: party → Argon2id hash of its password."""

    def __init__(self, bestand: Path) -> None:
        self.bestand = bestand

    def read(self) -> dict[str, str]:
        if not self.bestand.exists():
            return {}
        return dict(json.loads(self.bestand.read_text(encoding="utf-8")))

    def zet(self, partij: str, wachtwoord: str) -> None:
        accounts = self.read()
        accounts[partij] = hash_wachtwoord(wachtwoord)
        self.bestand.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(self.bestand, json.dumps(accounts).encode(), modus=0o600)


class _Authorizer(DummyAuthorizer):  # type: ignore[misc]
    """pyftpdlib's user table, with passwords checked against Argon2id hashes.

    After `max_mislukt` failed log-ins an account is locked for `vergrendeld` seconds: while it
    is, no password is even checked (the right one neither), which also spares the CPU.
    """

    def __init__(
        self,
        hashes: dict[str, str],
        *,
        max_mislukt: int = MAX_MISLUKT,
        vergrendeld: float = VERGRENDELD,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.hashes = hashes
        self.max_mislukt = max_mislukt
        self.vergrendeld = vergrendeld
        self.klok = klok
        self._mislukt: dict[str, tuple[int, float]] = {}  # name → (failures, locked until)
        self._slot = threading.Lock()

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        with self._slot:
            mislukt, tot = self._mislukt.get(username, (0, 0.0))
            if tot > self.klok():
                raise AuthenticationFailed("Account locked after repeated failures; try later.")
        if controleer(self.hashes.get(username), password):
            with self._slot:
                self._mislukt.pop(username, None)
            return
        with self._slot:
            mislukt, _ = self._mislukt.get(username, (0, 0.0))
            mislukt += 1
            if mislukt >= self.max_mislukt:
                log.warning("mailbox account %s locked after %d failed log-ins", username, mislukt)
                self._mislukt[username] = (0, self.klok() + self.vergrendeld)
            else:
                self._mislukt[username] = (mislukt, 0.0)
        raise AuthenticationFailed("Authentication failed.")


class _Dtp(TLS_DTPHandler):  # type: ignore[misc]
    """Routes a finished upload before the reply: the client hears 226 only once it arrived."""

    _resp: tuple[Any, ...]
    transfer_finished: bool

    def close(self) -> None:
        klaar = (
            not self._closed
            and self.receive
            and self.transfer_finished
            and self.file_obj is not None
            and self._resp
            and str(self._resp[0]).startswith("226")
        )
        if klaar:
            self.file_obj.close()
            try:
                self.cmd_channel.lever_af(Path(self.file_obj.name))
            except (MailboxError, OSError) as fout:
                self._resp = (f"553 {fout}.", log.warning)
                self.transfer_finished = False  # so the part file is removed
        super().close()


class _Handler(TLS_FTPHandler):  # type: ignore[misc]
    """Uploads land whole: written under a hidden name, then moved to their recipient."""

    mailbox: Mailbox
    tls_control_required = True
    tls_data_required = True
    banner = "kbi-exchange mailbox"
    dtp_handler = _Dtp

    def ftp_STOR(self, file: str, mode: str = "w") -> Any:  # noqa: N802 — pyftpdlib's name
        pad = Path(file)
        try:
            if pad.parent.name != UIT:
                raise MailboxError("upload into your out/ folder")
            recipient_of(pad.name, self.username)
        except MailboxError as fout:
            self.respond(f"553 {fout}.")
            return None
        return super().ftp_STOR(str(pad.with_name(f".{pad.name}{_DEEL}")), mode)

    def ftp_STOU(self, line: str) -> None:  # noqa: N802 — pyftpdlib's name
        """A unique name chosen by the server would say nothing about the recipient."""
        self.respond("502 STOU is not offered: send with STOR out/<file name>.")

    def lever_af(self, deel: Path) -> None:
        """Move a whole upload from its part name to its recipient's in/."""
        naam = deel.name[1 : -len(_DEEL)]
        self.mailbox.route_part(deel, self.username, naam)

    def on_incomplete_file_received(self, file: str) -> None:
        Path(file).unlink(missing_ok=True)


def maak_server(
    mailbox: Mailbox,
    accounts: Accounts,
    *,
    certificaat: Path,
    sleutel: Path,
    host: str,
    poort: int,
    max_mislukt: int = MAX_MISLUKT,
    vergrendeld: float = VERGRENDELD,
) -> ThreadedFTPServer:
    """An FTPS server on the mailbox; every party with a password gets its account."""
    hashes = accounts.read()
    if not hashes:
        raise MailboxError("no mailbox accounts: set one with `kbi mailbox account PARTY`")
    authorizer = _Authorizer(hashes, max_mislukt=max_mislukt, vergrendeld=vergrendeld)
    for partij in sorted(hashes):
        thuis = mailbox.wortel / partij
        mailbox.create([partij])
        # e: change folder, l: list — in the party's own folder only
        authorizer.add_user(partij, "", str(thuis), perm="el")
        authorizer.override_perm(partij, str(thuis / IN), "elrd", recursive=True)
        authorizer.override_perm(partij, str(thuis / UIT), "elw", recursive=True)
    # pyftpdlib configures handlers through class attributes: one class per server
    handler: Any = type(
        "MailboxHandler",
        (_Handler,),
        {
            "authorizer": authorizer,
            "certfile": str(certificaat),
            "keyfile": str(sleutel),
            "mailbox": mailbox,
        },
    )
    # what a crash left whole in an out/ still goes on its way; what cannot is reported
    for probleem in mailbox.route_all()[1]:
        log.warning("mailbox: %s", probleem)
    return ThreadedFTPServer((host, poort), handler)
