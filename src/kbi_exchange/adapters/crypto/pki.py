"""The development PKI that `kbi init` makes (SPEC §14): one CA and an RSA certificate per party.

PEM files in ``$KBI_HOME/pki/``: ``ca.crt`` (+ ``ca.key``), ``aii``, ``vsb`` and
``zorgkas-<CODE>`` (``.crt`` and ``.key``), and ``mailbox`` for the FTPS server. The
extensions are those that ``openssl cms -verify`` and pyHanko expect of an S/MIME signer and
recipient: key usage, subject and authority key identifiers, extended key usage
``emailProtection`` (``serverAuth`` and the host names for the mailbox). Production settings
point at real certificates instead; nothing here replaces a file that exists.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.domain.fouten import PkiError

_T = TypeVar("_T")

SLEUTEL_BITS = 2048
CA_GELDIG = timedelta(days=10 * 365)
PARTIJ_GELDIG = timedelta(days=3 * 365)
MAILBOX = "mailbox"


def nieuwe_sleutel(naam: str) -> rsa.RSAPrivateKey:
    """A fresh RSA key for ``naam`` (the tests swap in a cache: generating is ~60 ms each)."""
    del naam
    return rsa.generate_private_key(public_exponent=65537, key_size=SLEUTEL_BITS)


def _naam(gewone_naam: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kbi-exchange development PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, gewone_naam),
        ]
    )


@dataclass(frozen=True)
class Uitgever:
    """A CA that signs certificates."""

    certificaat: x509.Certificate
    sleutel: rsa.RSAPrivateKey

    def geef_uit(
        self,
        gewone_naam: str,
        sleutel: rsa.RSAPrivateKey,
        *,
        van: datetime,
        tot: datetime,
        server: tuple[str, ...] = (),
    ) -> x509.Certificate:
        """An end-entity certificate fit to sign and to receive S/MIME (CMS) messages.

        With ``server`` host names it is a TLS server certificate for those names instead.
        """
        publiek = sleutel.public_key()
        gebruik = (
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
            if server
            else x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION])
        )
        bouwer = (
            x509.CertificateBuilder()
            .subject_name(_naam(gewone_naam))
            .issuer_name(self.certificaat.subject)
            .public_key(publiek)
            .serial_number(x509.random_serial_number())
            .not_valid_before(van)
            .not_valid_after(tot)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(gebruik, critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(publiek), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.sleutel.public_key()),
                critical=False,
            )
        )
        if server:
            namen: list[x509.GeneralName] = [
                x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n)
                for n in server
            ]
            bouwer = bouwer.add_extension(x509.SubjectAlternativeName(namen), critical=False)
        return bouwer.sign(self.sleutel, hashes.SHA256())


def maak_ca(gewone_naam: str, sleutel: rsa.RSAPrivateKey, *, van: datetime) -> Uitgever:
    """A self-signed root CA."""
    publiek = sleutel.public_key()
    certificaat = (
        x509.CertificateBuilder()
        .subject_name(_naam(gewone_naam))
        .issuer_name(_naam(gewone_naam))
        .public_key(publiek)
        .serial_number(x509.random_serial_number())
        .not_valid_before(van)
        .not_valid_after(van + CA_GELDIG)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(publiek), critical=False)
        .sign(sleutel, hashes.SHA256())
    )
    return Uitgever(certificaat, sleutel)


def pem(certificaat: x509.Certificate) -> bytes:
    return certificaat.public_bytes(serialization.Encoding.PEM)


def sleutel_pem(sleutel: rsa.RSAPrivateKey) -> bytes:
    return sleutel.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def lees_certificaat(pad: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pad.read_bytes())


def lees_sleutel(pad: Path) -> rsa.RSAPrivateKey:
    sleutel = serialization.load_pem_private_key(pad.read_bytes(), password=None)
    if not isinstance(sleutel, rsa.RSAPrivateKey):
        raise ValueError(f"{pad}: not an RSA private key")
    return sleutel


def maak_ontwikkel_pki(
    map_: Path,
    partijen: list[tuple[str, str]],
    *,
    nu: datetime,
    sleutel_voor: Callable[[str], rsa.RSAPrivateKey] | None = None,
) -> list[str]:
    """Make the CA and each party's ``<bestand>.crt``/``.key`` that is missing; returns them.

    ``partijen`` holds (file stem, common name), e.g. ``("aii", "AII-KBI")``. An existing CA
    is reused, so certificates added later (a new zorgkas) chain to the same root.
    """
    maak_sleutel = sleutel_voor or nieuwe_sleutel
    map_.mkdir(parents=True, exist_ok=True, mode=0o700)
    gemaakt: list[str] = []
    ca_crt, ca_key = map_ / "ca.crt", map_ / "ca.key"
    if ca_crt.exists() and ca_key.exists():
        uitgever = Uitgever(lees_certificaat(ca_crt), lees_sleutel(ca_key))
    else:
        uitgever = maak_ca("kbi-exchange development CA", maak_sleutel("ca"), van=nu)
        write_atomic(ca_key, sleutel_pem(uitgever.sleutel), modus=0o600)
        write_atomic(ca_crt, pem(uitgever.certificaat))
        gemaakt.append("ca")
    # the mailbox's FTPS server, for connections on this machine
    server = {MAILBOX: ("localhost", "127.0.0.1")}
    for stam, gewone_naam in [*partijen, (MAILBOX, "kbi-exchange mailbox")]:
        crt, key = map_ / f"{stam}.crt", map_ / f"{stam}.key"
        if crt.exists() and key.exists():
            continue
        sleutel = maak_sleutel(stam)
        certificaat = uitgever.geef_uit(
            gewone_naam, sleutel, van=nu, tot=nu + PARTIJ_GELDIG, server=server.get(stam, ())
        )
        write_atomic(key, sleutel_pem(sleutel), modus=0o600)
        write_atomic(crt, pem(certificaat))
        gemaakt.append(stam)
    return gemaakt


@dataclass(frozen=True)
class Pki:
    """A node's view of the PKI: files found through the settings (`Settings.pki_file`)."""

    pad: Callable[[str], Path]
    # each file read and parsed once per Pki (ingest needs the VSB key twice, for instance)
    _gelezen: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def _lees(self, naam: str, lezer: Callable[[Path], _T]) -> _T:
        if naam in self._gelezen:
            return cast(_T, self._gelezen[naam])
        pad = self.pad(naam)
        try:
            self._gelezen[naam] = gelezen = lezer(pad)
            return gelezen
        except FileNotFoundError:
            raise PkiError(
                f"{naam} not found at {pad}: run `kbi init`, or name the file in [pki.files]"
            ) from None
        except ValueError as fout:
            raise PkiError(f"{pad}: not a PEM {naam.rsplit('.', 1)[-1]} file ({fout})") from None

    def ca(self) -> x509.Certificate:
        return self._lees("ca.crt", lees_certificaat)

    def certificaat(self, partij: str) -> x509.Certificate:
        return self._lees(f"{partij}.crt", lees_certificaat)

    def sleutel(self, partij: str) -> rsa.RSAPrivateKey:
        return self._lees(f"{partij}.key", lees_sleutel)
