"""The mailbox over FTPS (SPEC §2): one account per party, confined to its own folder.

pyftpdlib with TLS on both the control and the data connection. A party lists its folder,
uploads into ``out/`` and reads and removes files in ``in/``; it can do nothing else. An
upload is written under a hidden ``.part`` name and, once complete, moved straight into the
recipient's ``in/`` before the client is told it arrived (``226``); a file that cannot be routed
is refused (``553``) and removed, so no one ever sees half a file, or an unroutable one, under
a final name. Passwords are Argon2id hashes in a file apart from the mailbox
(``$KBI_HOME/keys/mailbox-accounts.json``). Repeated failures lock an account for a while, but
only from the address they came from, and lock an address that fails too often, whatever
accounts it tries: a stranger cannot lock a party out. Each connection has its own thread, so
that a password check (Argon2, tens of milliseconds by design) or a slow client never holds up
the others.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.adapters.mailbox import IN, UIT, Mailbox, MailboxError, recipient_of
from kbi_exchange.adapters.passwords import controleer, hash_wachtwoord

_DEEL = ".part"
# Failure counts kept at most: past it, those expired are dropped (addresses are the caller's).
_MAX_COUNTS = 10_000

log = logging.getLogger(__name__)
# Connections the server holds at once, per source address among them, and the seconds a
# connection may say nothing: each connection is a thread, so an address that opens hundreds
# and idles must not crowd the parties out (`tests/integration/test_mailbox_ftps.py`).
MAX_CONNECTIONS = 256
MAX_CONNECTIONS_PER_ADDRESS = 8
IDLE_SECONDS = 60


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


@dataclass(frozen=True)
class LoginLimits:
    """Failed log-ins allowed to an account from one address, and from one address to any
    accounts, before that is refused for `lockout_seconds` (`[mailbox]` in settings.toml)."""

    max_failed: int
    max_failed_per_address: int
    lockout_seconds: float


@dataclass
class _Count:
    failed: int = 0
    last: float = float("-inf")
    locked_until: float = float("-inf")


class _Failures:
    """Failed log-ins per key: ``maximum`` of them lock it for ``seconds``; a failure is
    forgotten ``seconds`` after the last one, so that rare typos never add up to a lock."""

    def __init__(self, maximum: int, seconds: float) -> None:
        self.maximum = maximum
        self.seconds = seconds
        self._counts: dict[Hashable, _Count] = {}

    def locked(self, key: Hashable, now: float) -> bool:
        count = self._counts.get(key)
        return count is not None and count.locked_until > now

    def failed(self, key: Hashable, now: float) -> bool:
        """Count a failure; True when it locks the key."""
        if len(self._counts) >= _MAX_COUNTS:
            self._drop_expired(now)
        count = self._counts.setdefault(key, _Count())
        if now - count.last > self.seconds:
            count.failed = 0
        count.failed, count.last = count.failed + 1, now
        if count.failed < self.maximum:
            return False
        count.failed, count.locked_until = 0, now + self.seconds
        return True

    def forget(self, key: Hashable) -> None:
        self._counts.pop(key, None)

    def _drop_expired(self, now: float) -> None:
        for key, count in list(self._counts.items()):
            if count.locked_until <= now and now - count.last > self.seconds:
                del self._counts[key]


def _source(ip: str) -> str:
    """Where a log-in comes from, as counted: its IPv4 address, or its IPv6 /64 network (one
    machine is given a whole /64, and could take a new address for each guess)."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # an IPv4 client of a dual-stack server
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class _Authorizer(DummyAuthorizer):  # type: ignore[misc]
    """pyftpdlib's user table, with passwords checked against Argon2id hashes.

    Failures are counted per address, and per account at an address. An address past its
    limit is refused whatever account it names, and an account past its limit is refused from
    that address only: while either holds, no password is even checked (the right one neither),
    which also spares the CPU. Its party still logs in from its own address.
    """

    def __init__(
        self,
        hashes: dict[str, str],
        limits: LoginLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.hashes = hashes
        self.clock = clock
        self._per_address = _Failures(limits.max_failed_per_address, limits.lockout_seconds)
        self._per_account = _Failures(limits.max_failed, limits.lockout_seconds)
        self._lock = threading.Lock()

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        address = _source(str(getattr(handler, "remote_ip", "")))
        with self._lock:
            now = self.clock()
            if self._per_address.locked(address, now):
                raise AuthenticationFailed("Too many failed log-ins from this address; try later.")
            if self._per_account.locked((username, address), now):
                self._failed_from(address, now)  # still a failure of that address
                raise AuthenticationFailed("Account locked after repeated failures; try later.")
        if controleer(self.hashes.get(username), password):
            with self._lock:
                self._per_account.forget((username, address))
            return
        with self._lock:
            now = self.clock()
            if self._per_account.failed((username, address), now):
                log.warning("mailbox account %s locked for address %s", username, address)
            self._failed_from(address, now)
        raise AuthenticationFailed("Authentication failed.")

    def _failed_from(self, address: str, now: float) -> None:
        if self._per_address.failed(address, now):
            log.warning("mailbox: address %s locked after repeated failed log-ins", address)


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
    limits: LoginLimits,
) -> ThreadedFTPServer:
    """An FTPS server on the mailbox; every party with a password gets its account."""
    hashes = accounts.read()
    if not hashes:
        raise MailboxError("no mailbox accounts: set one with `kbi mailbox account PARTY`")
    authorizer = _Authorizer(hashes, limits)
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
            # a client that says nothing is let go: each connection holds a thread
            "timeout": IDLE_SECONDS,
        },
    )
    # what a crash left whole in an out/ still goes on its way; what cannot is reported
    for probleem in mailbox.route_all()[1]:
        log.warning("mailbox: %s", probleem)
    server = ThreadedFTPServer((host, poort), handler)
    # one address cannot take every connection the server has: the parties' own still fit
    server.max_cons = MAX_CONNECTIONS
    server.max_cons_per_ip = MAX_CONNECTIONS_PER_ADDRESS
    return server
