"""The mailbox over FTPS, used with a stock client (Python's ftplib) — SPEC §2."""

from __future__ import annotations

import io
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from ftplib import FTP, FTP_TLS, error_perm
from pathlib import Path

import pytest

from kbi_exchange.bootstrap import init_home
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]
WACHTWOORD = "mailbox password 1"
LIJST = "KBI_VSB_LIJST_2024_20240115100211000.p7m"


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
    for partij in ("aii", "vsb"):
        assert kbi(capsys, "mailbox", "account", partij).code == 0
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


def _aanmelden(home: Path, poort: int, partij: str, wachtwoord: str = WACHTWOORD) -> FTP_TLS:
    context = ssl.create_default_context(cafile=str(home / "pki" / "ca.crt"))
    ftp = FTP_TLS(context=context, timeout=10)  # noqa: S321 — FTPS, TLS on both channels
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
    assert list((home / "mailbox" / "aii" / "out").iterdir()) == []
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
    assert list((home / "mailbox" / "aii" / "out").iterdir()) == []


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
