"""`kbi serve` against slow and hostile clients, over raw sockets: bounded headers and bodies,
no redirect built from the Host header, and the WSDL's address where the node listens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import zeep

from kbi_exchange.bootstrap import init_home, sluit_engines
from tests.conftest import kbi, stel_in

Cap = pytest.CaptureFixture[str]
# the servers of these tests wait this long for headers and for a body (`kbi serve` options)
TIMEOUT = 1.0
PAD = "/soap/GeefAdviesInburgeringsplicht"


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(node: str, poort: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kbi_exchange",
            "serve",
            "--node",
            node,
            "--port",
            str(poort),
            "--header-timeout",
            str(TIMEOUT),
            "--body-timeout",
            str(TIMEOUT),
        ],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wacht_op(poort: int) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{poort}/api/v1/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"no node answered on port {poort}")


def _stop(proces: subprocess.Popen[bytes]) -> None:
    proces.terminate()
    proces.wait(timeout=20)


@pytest.fixture(scope="module")
def poorten(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """Both nodes served by `kbi serve` on one home (SQLite), for all these tests: node → port."""
    home = tmp_path_factory.mktemp("serve") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KBI_HOME", str(home))
        patch.delenv("KBI_AII_DATABASE_URL", raising=False)
        patch.delenv("KBI_VSB_DATABASE_URL", raising=False)
        init_home(home)
        sluit_engines()
        poorten = {"aii": _vrije_poort(), "vsb": _vrije_poort()}
        processen = [_start(node, poort) for node, poort in poorten.items()]
    try:
        for poort in poorten.values():
            _wacht_op(poort)
        yield poorten
    finally:
        for proces in processen:
            _stop(proces)


def _verbind(poort: int) -> socket.socket:
    verbinding = socket.create_connection(("127.0.0.1", poort))
    verbinding.settimeout(5 * TIMEOUT)
    return verbinding


def _tot_gesloten(verbinding: socket.socket) -> bytes:
    """What the server still says before it closes the connection (fails if it does not)."""
    ontvangen = b""
    with verbinding:
        while True:
            try:
                stuk = verbinding.recv(65536)
            except ConnectionResetError:
                return ontvangen
            if not stuk:
                return ontvangen
            ontvangen += stuk


def _druppel(verbinding: socket.socket, data: bytes, pauze: float, begin: float) -> None:
    """Send ``data`` a byte at a time until the server closes (or 5 timeouts have passed)."""
    for byte in data:
        try:
            verbinding.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return
        time.sleep(pauze)
        if time.monotonic() - begin > 5 * TIMEOUT:
            return


@pytest.mark.parametrize("node", ["aii", "vsb"])
def test_a_client_trickling_its_headers_gets_408_and_is_cut_off_within_the_limit(
    poorten: dict[str, int], node: str
) -> None:
    verbinding = _verbind(poorten[node])
    begin = time.monotonic()
    kop = b"GET /api/v1/live HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    _druppel(verbinding, kop, 0.1, begin)
    antwoord = _tot_gesloten(verbinding)
    duur = time.monotonic() - begin
    assert antwoord.startswith(b"HTTP/1.1 408 "), antwoord[:80]
    assert TIMEOUT * 0.9 <= duur < TIMEOUT + 1.5, duur


@pytest.mark.parametrize("node", ["aii", "vsb"])
def test_a_connection_that_says_nothing_is_closed_after_the_header_timeout(
    poorten: dict[str, int], node: str
) -> None:
    begin = time.monotonic()
    assert _tot_gesloten(_verbind(poorten[node])) == b""
    assert time.monotonic() - begin < TIMEOUT + 1.5


@pytest.mark.parametrize("node", ["aii", "vsb"])
@pytest.mark.parametrize("stukken", [1, 40], ids=["at-once", "in-pieces"])
def test_headers_larger_than_16_kib_get_431_and_the_connection_closed(
    poorten: dict[str, int], node: str, stukken: int
) -> None:
    verbinding = _verbind(poorten[node])
    kop = b"GET /api/v1/live HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * 20_000 + b"\r\n\r\n"
    deel = -(-len(kop) // stukken)
    for i in range(0, len(kop), deel):
        try:
            verbinding.sendall(kop[i : i + deel])
        except (BrokenPipeError, ConnectionResetError):  # refused before the rest came
            break
    antwoord = _tot_gesloten(verbinding)
    assert antwoord.startswith(b"HTTP/1.1 431 "), antwoord[:80]
    assert b"connection: close" in antwoord.lower()


@pytest.mark.parametrize("node", ["aii", "vsb"])
def test_a_trickled_body_gets_408_and_the_connection_closed(
    poorten: dict[str, int], node: str
) -> None:
    # /api/v1/incidenten reads its body before anything else: the handler's own deadline
    verbinding = _verbind(poorten[node])
    begin = time.monotonic()
    verbinding.sendall(
        b"POST /api/v1/incidenten HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
        b"Content-Type: application/pkcs7-mime\r\n\r\n0123456789"
    )
    _druppel(verbinding, b"x" * 100, 0.1, begin)
    antwoord = _tot_gesloten(verbinding)
    assert antwoord.startswith(b"HTTP/1.1 408 "), antwoord[:80]
    assert b'"detail":"the body did not arrive within 1 s"' in antwoord
    assert time.monotonic() - begin < TIMEOUT + 1.5


@pytest.mark.parametrize("node", ["aii", "vsb"])
def test_a_body_no_handler_reads_cannot_hold_the_connection_either(
    poorten: dict[str, int], node: str
) -> None:
    # answered at once (no handler reads a body on /live); the trickle after it is cut off
    verbinding = _verbind(poorten[node])
    begin = time.monotonic()
    verbinding.sendall(b"GET /api/v1/live HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
    _druppel(verbinding, b"x" * 1000, 0.1, begin)
    antwoord = _tot_gesloten(verbinding)
    assert antwoord.startswith(b"HTTP/1.1 200 ")
    assert time.monotonic() - begin < 2 * TIMEOUT + 1.5


@pytest.mark.parametrize("node", ["aii", "vsb"])
def test_a_trailing_slash_is_a_404_never_a_redirect_to_the_callers_host(
    poorten: dict[str, int], node: str
) -> None:
    antwoord = httpx.get(
        f"http://127.0.0.1:{poorten[node]}/api/v1/health/", headers={"Host": "evil.example"}
    )
    assert antwoord.status_code == 404
    assert "location" not in antwoord.headers
    assert "evil.example" not in antwoord.text


def test_the_wsdl_names_the_port_kbi_serve_listens_on(poorten: dict[str, int]) -> None:
    adres = f"http://127.0.0.1:{poorten['aii']}"
    wsdl = httpx.get(f"{adres}{PAD}?wsdl", headers={"Host": "evil.example:666"}).text
    assert f'location="{adres}{PAD}"' in wsdl
    assert "evil.example" not in wsdl
    client = zeep.Client(f"{adres}{PAD}?wsdl")  # type: ignore[no-untyped-call]
    assert client.service._binding_options["address"] == f"{adres}{PAD}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_wsdl_names_public_url_when_it_is_set(home: Path, capsys: Cap) -> None:
    stel_in(home, ('public_url = ""', 'public_url = "https://aii.example/kbi/"'))
    assert kbi(capsys, "aii", "clients", "list").code == 0  # the file is valid
    poort = _vrije_poort()
    proces = _start("aii", poort)
    try:
        _wacht_op(poort)
        wsdl = httpx.get(f"http://127.0.0.1:{poort}{PAD}?wsdl").text
    finally:
        _stop(proces)
    assert f'location="https://aii.example/kbi{PAD}"' in wsdl
