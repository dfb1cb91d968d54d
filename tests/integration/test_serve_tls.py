"""TLS on `kbi serve` (issue 23, docs/operations.md): HTTPS with the node's certificate, and
client certificates required where MAGDA requires them — a connection without one, or with
one of another CA, is refused in the handshake; bad options are named before anything
starts."""

from __future__ import annotations

import datetime as dt
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kbi_exchange.bootstrap import init_home, sluit_engines
from tests.aii_node import vrije_poort
from tests.conftest import kbi

Cap = pytest.CaptureFixture[str]


@pytest.fixture
def tls_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KBI_HOME", str(home))
    monkeypatch.delenv("KBI_AII_DATABASE_URL", raising=False)
    monkeypatch.delenv("KBI_VSB_DATABASE_URL", raising=False)
    init_home(home)
    sluit_engines()
    return home


def _client_certificaat(map_: Path, ca: Path, ca_sleutel: Path, naam: str) -> tuple[Path, Path]:
    """A TLS client certificate (clientAuth) issued by ``ca``."""
    uitgever = x509.load_pem_x509_certificate(ca.read_bytes())
    uitgever_sleutel = serialization.load_pem_private_key(ca_sleutel.read_bytes(), None)
    sleutel = ec.generate_private_key(ec.SECP256R1())
    nu = dt.datetime.now(dt.UTC)
    certificaat = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, naam)]))
        .issuer_name(uitgever.subject)
        .public_key(sleutel.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(nu - dt.timedelta(minutes=5))
        .not_valid_after(nu + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(uitgever_sleutel, hashes.SHA256())  # type: ignore[arg-type]
    )
    crt, key = map_ / f"{naam}.crt", map_ / f"{naam}.key"
    crt.write_bytes(certificaat.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        sleutel.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, key


def _context(ca: Path, crt: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    """Trust the node's CA; present a client certificate when given."""
    context = ssl.create_default_context(cafile=str(ca))
    if crt is not None and key is not None:
        context.load_cert_chain(str(crt), str(key))
    return context


def _serveer(*opties: str) -> tuple[subprocess.Popen[bytes], int]:
    poort = vrije_poort()
    proces = subprocess.Popen(
        [sys.executable, "-m", "kbi_exchange", "serve", "--node", "aii", "--port", str(poort),
         *opties],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", poort), timeout=1):
                return proces, poort
        except OSError:
            time.sleep(0.1)
    proces.kill()
    raise AssertionError("the node did not listen")


def test_https_with_client_certificates_required(tls_home: Path, tmp_path: Path) -> None:
    pki = tls_home / "pki"
    ca = pki / "ca.crt"
    crt, key = _client_certificaat(tmp_path, ca, pki / "ca.key", "vsb-client")
    # a CA of its own, which the node does not trust
    vreemde_ca_sleutel = ec.generate_private_key(ec.SECP256R1())
    naam = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vreemd")])
    nu = dt.datetime.now(dt.UTC)
    vreemde_ca = (
        x509.CertificateBuilder().subject_name(naam).issuer_name(naam)
        .public_key(vreemde_ca_sleutel.public_key()).serial_number(1)
        .not_valid_before(nu - dt.timedelta(minutes=5)).not_valid_after(nu + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(vreemde_ca_sleutel, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "vreemd.crt").write_bytes(vreemde_ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "vreemd.key").write_bytes(
        vreemde_ca_sleutel.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    vreemd_crt, vreemd_key = _client_certificaat(
        tmp_path, tmp_path / "vreemd.crt", tmp_path / "vreemd.key", "vreemd-client"
    )
    proces, poort = _serveer(
        "--ssl-certfile", str(pki / "mailbox.crt"), "--ssl-keyfile", str(pki / "mailbox.key"),
        "--ssl-ca-certs", str(ca), "--require-client-cert",
    )  # fmt: skip
    adres = f"https://127.0.0.1:{poort}/api/v1/live"
    try:
        for _ in range(50):  # the socket listens before the app is ready
            try:
                met = httpx.get(adres, verify=_context(ca, crt, key), timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert met.status_code == 200
        with pytest.raises(httpx.HTTPError):
            httpx.get(adres, verify=_context(ca), timeout=2)  # no client certificate
        with pytest.raises(httpx.HTTPError):
            httpx.get(adres, verify=_context(ca, vreemd_crt, vreemd_key), timeout=2)
        with pytest.raises(httpx.HTTPError):
            httpx.get(adres.replace("https", "http"), timeout=2)  # plain HTTP: no answer
    finally:
        proces.terminate()
        proces.wait(timeout=20)


@pytest.mark.usefixtures("tls_home")
@pytest.mark.parametrize(
    ("opties", "melding"),
    [
        (("--ssl-keyfile", "x.key"), "TLS needs --ssl-certfile"),
        (("--ssl-certfile", "pki/mailbox.crt"), "the certificate's key is needed"),
        (
            ("--ssl-certfile", "pki/mailbox.crt", "--ssl-keyfile", "pki/mailbox.key",
             "--require-client-cert"),
            "give --ssl-ca-certs",
        ),
        (("--ssl-certfile", "nergens.crt", "--ssl-keyfile", "pki/mailbox.key"), "no such file"),
    ],
)  # fmt: skip
def test_bad_tls_options_are_named_before_anything_starts(
    capsys: Cap, opties: tuple[str, ...], melding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(os.environ["KBI_HOME"])
    uit = kbi(capsys, "serve", "--node", "aii", "--port", str(vrije_poort()), *opties)
    assert uit.code == 2
    assert melding in uit.err
