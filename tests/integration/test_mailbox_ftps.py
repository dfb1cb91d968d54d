"""The mailbox over FTPS, used with a stock client (Python's ftplib) — SPEC §2."""

from __future__ import annotations

import io
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from ftplib import FTP, FTP_TLS, error_perm
from pathlib import Path
from types import SimpleNamespace

import pytest
from pyftpdlib.authorizers import AuthenticationFailed

from kbi_exchange.adapters import mailbox_ftps, passwords
from kbi_exchange.adapters.mailbox_ftps import LoginLimits
from kbi_exchange.bootstrap import init_home, mailbox
from tests.conftest import kbi, stel_in

Cap = pytest.CaptureFixture[str]
WACHTWOORD = "mailbox password 1"
LIJST = "KBI_VSB_LIJST_2024_20240115100211000.p7m"
ONROUTEERBAAR = "mangled name.bin"


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, int]]:
    home = tmp_path / "home"
    monkeypatch.setenv("KBI_HOME", str(home))
    monkeypatch.setenv("KBI_PASSWORD", WACHTWOORD)
    init_home(home)
    stel_in(
        home,
        ("max_failed_logins = 5", "max_failed_logins = 2"),
        ("max_failed_logins_per_address = 20", "max_failed_logins_per_address = 3"),
    )
    for partij in ("aii", "vsb"):
        assert kbi(capsys, "mailbox", "account", partij).code == 0
    # a file no one can route, left in an out/ folder: it must not stop the server starting
    (home / "mailbox" / "aii" / "out" / ONROUTEERBAAR).write_bytes(b"?")
    poort = _vrije_poort()
    proces = subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "mailbox", "serve", "--port", str(poort)],
        env=dict(os.environ),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", poort), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the mailbox server did not start")
        yield home, poort
    finally:
        proces.terminate()
        proces.wait(timeout=10)


def _aanmelden(
    home: Path, poort: int, partij: str, wachtwoord: str = WACHTWOORD, *, van: str = "127.0.0.1"
) -> FTP_TLS:
    """Logged in over FTPS from the address ``van`` (any 127.x.y.z is this machine)."""
    context = ssl.create_default_context(cafile=str(home / "pki" / "ca.crt"))
    ftp = FTP_TLS(context=context, timeout=10, source_address=(van, 0))  # noqa: S321 — FTPS
    ftp.connect("localhost", poort)
    ftp.login(partij, wachtwoord)
    ftp.prot_p()
    return ftp


def test_a_file_uploaded_by_aii_arrives_whole_in_vsbs_in_folder(server: tuple[Path, int]) -> None:
    home, poort = server
    inhoud = os.urandom(300_000)
    with _aanmelden(home, poort, "aii") as aii:
        aii.storbinary(f"STOR out/{LIJST}", io.BytesIO(inhoud))
    # (not listed over FTP: ftplib fails to close the TLS data connection of an empty listing,
    # "shutdown while in init", python/cpython#75908; curl lists it fine)
    assert [p.name for p in (home / "mailbox" / "aii" / "out").iterdir()] == [ONROUTEERBAAR]
    assert (home / "mailbox" / "vsb" / "in" / LIJST).read_bytes() == inhoud
    with _aanmelden(home, poort, "vsb") as vsb:
        assert vsb.nlst("in") == [LIJST]
        ontvangen = io.BytesIO()
        vsb.retrbinary(f"RETR in/{LIJST}", ontvangen.write)
        assert ontvangen.getvalue() == inhoud
        vsb.delete(f"in/{LIJST}")
    assert list((home / "mailbox" / "vsb" / "in").iterdir()) == []


def test_each_party_is_confined_to_its_own_folder_and_its_own_kind_of_file(
    server: tuple[Path, int],
) -> None:
    home, poort = server
    (home / "mailbox" / "vsb" / "in" / LIJST).write_bytes(b"for vsb only")
    with _aanmelden(home, poort, "aii") as aii:
        assert sorted(aii.nlst("/")) == ["in", "out"]
        aii.cwd("/..")
        assert aii.pwd() == "/"
        with pytest.raises(error_perm):
            aii.cwd("../vsb/in")
        with pytest.raises(error_perm):
            aii.retrbinary(f"RETR /../vsb/in/{LIJST}", lambda _: None)
        with pytest.raises(error_perm, match="553"):  # only VSB sends receipts
            aii.storbinary(
                "STOR out/KBI_VSB_ONTVANGST_2024_20240115100211000.p7s", io.BytesIO(b"x")
            )
        with pytest.raises(error_perm, match="550"):  # in/ is for reading
            aii.storbinary(f"STOR in/{LIJST}", io.BytesIO(b"x"))
        with pytest.raises(error_perm, match="553"):
            aii.storbinary("STOR out/anything.txt", io.BytesIO(b"x"))
        with pytest.raises(error_perm):  # out/ is for sending, not for removing
            aii.delete("out/x")
    assert (home / "mailbox" / "vsb" / "in" / LIJST).read_bytes() == b"for vsb only"
    assert [p.name for p in (home / "mailbox" / "aii" / "out").iterdir()] == [ONROUTEERBAAR]


def test_a_wrong_password_or_a_connection_without_tls_gets_nothing(
    server: tuple[Path, int],
) -> None:
    home, poort = server
    with pytest.raises(error_perm, match="530"):
        _aanmelden(home, poort, "aii", "wrong")
    with pytest.raises(error_perm, match="530"):
        _aanmelden(home, poort, "zorgkas-CM")  # no account
    platte = FTP()  # noqa: S321 — to show that plain FTP is refused
    platte.connect("127.0.0.1", poort, timeout=10)
    with pytest.raises(error_perm, match="550"):
        platte.login("aii", WACHTWOORD)
    platte.close()


def test_stou_is_refused_and_leaves_nothing(server: tuple[Path, int]) -> None:
    home, poort = server
    with _aanmelden(home, poort, "aii") as aii:
        aii.cwd("out")
        with pytest.raises(error_perm, match="502"):
            aii.storbinary("STOU", io.BytesIO(b"x"))
    assert [p.name for p in (home / "mailbox" / "aii" / "out").iterdir()] == [ONROUTEERBAAR]
    assert list((home / "mailbox" / "vsb" / "in").iterdir()) == []


def test_an_upload_that_cannot_be_routed_is_refused_not_acknowledged(
    server: tuple[Path, int],
) -> None:
    home, poort = server
    (home / "mailbox" / "vsb" / "in" / LIJST).write_bytes(b"the list that is waiting")
    with _aanmelden(home, poort, "aii") as aii, pytest.raises(error_perm, match="553"):
        aii.storbinary(f"STOR out/{LIJST}", io.BytesIO(b"another list under that name"))
    # no 226 for it, nothing left behind: neither a part file nor the file in out/
    assert [p.name for p in (home / "mailbox" / "aii" / "out").iterdir()] == [ONROUTEERBAAR]
    assert (home / "mailbox" / "vsb" / "in" / LIJST).read_bytes() == b"the list that is waiting"


def test_failures_lock_their_address_out_but_not_the_party_at_its_own_address(
    server: tuple[Path, int],
) -> None:
    home, poort = server
    vreemd = "127.0.0.2"  # a stranger guessing AII's password
    for _ in range(2):  # max_failed_logins = 2 in this home
        with pytest.raises(error_perm, match="530 Authentication failed"):
            _aanmelden(home, poort, "aii", "wrong", van=vreemd)
    # the account is locked from there, even for the right password (not even checked) ...
    with pytest.raises(error_perm, match="530 Account locked"):
        _aanmelden(home, poort, "aii", van=vreemd)
    # ... and that was the address's third failure (max_failed_logins_per_address = 3): it is
    # refused whatever account it names
    with pytest.raises(error_perm, match="530 Too many failed log-ins from this address"):
        _aanmelden(home, poort, "vsb", van=vreemd)
    # meanwhile both parties log in from their own address
    with _aanmelden(home, poort, "aii") as aii:
        assert sorted(aii.nlst("/")) == ["in", "out"]
    with _aanmelden(home, poort, "vsb") as vsb:
        assert sorted(vsb.nlst("/")) == ["in", "out"]


def test_a_lock_lasts_lockout_seconds_and_lone_failures_are_forgotten() -> None:
    nu = [1000.0]
    wachtwoorden = {"aii": "aii-wachtwoord", "vsb": "vsb-wachtwoord"}
    authorizer = mailbox_ftps._Authorizer(
        {partij: passwords.hash_wachtwoord(w) for partij, w in wachtwoorden.items()},
        LoginLimits(max_failed=2, max_failed_per_address=3, lockout_seconds=60),
        clock=lambda: nu[0],
    )
    vreemd, eigen = SimpleNamespace(remote_ip="192.0.2.66"), SimpleNamespace(remote_ip="192.0.2.7")

    def aanmelden(partij: str, van: SimpleNamespace, wachtwoord: str | None = None) -> str:
        try:
            authorizer.validate_authentication(partij, wachtwoord or wachtwoorden[partij], van)
        except AuthenticationFailed as fout:
            return str(fout)
        return "ok"

    assert [aanmelden("aii", vreemd, "gok") for _ in range(2)] == ["Authentication failed."] * 2
    assert aanmelden("aii", vreemd).startswith("Account locked")
    assert aanmelden("vsb", vreemd).startswith("Too many failed log-ins from this address")
    assert aanmelden("aii", eigen) == "ok"
    nu[0] += 59
    assert aanmelden("vsb", vreemd).startswith("Too many failed log-ins")
    nu[0] += 2  # past lockout_seconds: both locks have gone
    assert aanmelden("vsb", vreemd) == "ok"
    assert aanmelden("aii", vreemd) == "ok"
    # a typo now and then never adds up to a lock: a failure is forgotten after 60 s
    for _ in range(4):
        assert aanmelden("aii", eigen, "typo") == "Authentication failed."
        nu[0] += 61
    assert aanmelden("aii", eigen) == "ok"
    # an IPv6 address counts as its /64: a new address for each guess gains nothing
    for partij, laatste in zip(("aii", "vsb", "zorgkas-CM"), "abc", strict=True):
        nieuw = SimpleNamespace(remote_ip=f"2001:db8:0:1::{laatste}")
        assert aanmelden(partij, nieuw, "gok") == "Authentication failed."
    buur = SimpleNamespace(remote_ip="2001:db8:0:1::d")
    assert aanmelden("vsb", buur).startswith("Too many failed log-ins from this address")
    assert aanmelden("vsb", SimpleNamespace(remote_ip="2001:db8:0:2::a")) == "ok"


def test_a_slow_password_check_does_not_hold_up_other_connections(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each connection has its own thread: a single-threaded server would not greet the second
    caller until the first caller's password check (made slow here) was done."""
    home = tmp_path / "home"
    monkeypatch.setenv("KBI_HOME", str(home))
    monkeypatch.setenv("KBI_PASSWORD", WACHTWOORD)
    settings = init_home(home)
    assert kbi(capsys, "mailbox", "account", "aii").code == 0
    echte = passwords.controleer

    def traag(wachtwoord_hash: str | None, wachtwoord: str) -> bool:
        time.sleep(2)
        return echte(wachtwoord_hash, wachtwoord)

    monkeypatch.setattr(mailbox_ftps, "controleer", traag)
    server = mailbox_ftps.maak_server(
        mailbox(settings),
        mailbox_ftps.Accounts(home / "keys" / "mailbox-accounts.json"),
        certificaat=settings.pki_file("mailbox.crt"),
        sleutel=settings.pki_file("mailbox.key"),
        host="127.0.0.1",
        poort=0,
        limits=LoginLimits(
            max_failed=settings.mailbox_max_failed_logins,
            max_failed_per_address=settings.mailbox_max_failed_logins_per_address,
            lockout_seconds=settings.mailbox_lockout_seconds,
        ),
    )
    poort = server.socket.getsockname()[1]
    draad = threading.Thread(target=server.serve_forever, kwargs={"handle_exit": False})
    draad.start()
    try:
        eerste = threading.Thread(target=lambda: _aanmelden(home, poort, "aii").close())
        eerste.start()
        time.sleep(0.5)  # the first log-in's password check is now running
        begin = time.monotonic()
        tweede = FTP_TLS(timeout=10)  # noqa: S321 — only the greeting is read
        welkom = tweede.connect("127.0.0.1", poort)
        gewacht = time.monotonic() - begin
        tweede.close()
        eerste.join(timeout=10)
    finally:
        server.close_all()
        draad.join(timeout=10)
    assert "kbi-exchange mailbox" in welkom
    assert gewacht < 1.0, f"the second caller waited {gewacht:.2f} s for its greeting"


def test_one_address_holding_connections_open_does_not_crowd_out_a_party(
    server: tuple[Path, int],
) -> None:
    """An address that opens connection after connection and says nothing gets at most
    `MAX_CONNECTIONS_PER_ADDRESS`; a party from its own address still logs in."""
    home, poort = server
    stil = []
    try:
        for _ in range(mailbox_ftps.MAX_CONNECTIONS_PER_ADDRESS + 12):
            verbinding = socket.create_connection(("127.0.0.1", poort), timeout=5)
            verbinding.settimeout(5)
            stil.append((verbinding, verbinding.recv(200)))
        welkom = [b[:3] for _, b in stil]
        assert welkom.count(b"220") == mailbox_ftps.MAX_CONNECTIONS_PER_ADDRESS
        assert set(welkom[mailbox_ftps.MAX_CONNECTIONS_PER_ADDRESS :]) == {b"421"}
        with _aanmelden(home, poort, "vsb", van="127.0.0.9") as vsb:
            assert vsb.pwd() == "/"
    finally:
        for verbinding, _ in stil:
            verbinding.close()
