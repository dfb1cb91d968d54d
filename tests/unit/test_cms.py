"""The CMS adapter: round trip, and every way a file must be refused (SPEC §8.3, STYLE)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import (
    Pki,
    Uitgever,
    lees_certificaat,
    maak_ca,
    maak_ontwikkel_pki,
    pem,
    sleutel_pem,
)
from kbi_exchange.domain.fouten import CmsError

NU = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
INHOUD = b"KBI-LIJST 1\nlijst-id: x\n\n12345678901\n"


@dataclass
class Partijen:
    map: Path
    pki: Pki

    def crt(self, partij: str) -> x509.Certificate:
        return self.pki.certificaat(partij)

    def key(self, partij: str) -> rsa.RSAPrivateKey:
        return self.pki.sleutel(partij)


@pytest.fixture(scope="module")
def partijen(tmp_path_factory: pytest.TempPathFactory) -> Partijen:
    map_ = tmp_path_factory.mktemp("pki")
    maak_ontwikkel_pki(
        map_, [("aii", "AII-KBI"), ("vsb", "VSB"), ("zorgkas-CM", "Zorgkas CM")], nu=NU
    )
    return Partijen(map_, Pki(lambda naam: map_ / naam))


def _lijst_bestand(p: Partijen, ondertekenaar: str = "aii", ontvanger: str = "vsb") -> bytes:
    ondertekend = cms.sign(INHOUD, p.crt(ondertekenaar), p.key(ondertekenaar))
    return cms.encrypt(ondertekend, p.crt(ontvanger))


def _open(p: Partijen, bestand: bytes, *, moment: datetime = NU) -> bytes:
    ondertekend = cms.decrypt(bestand, p.crt("vsb"), p.key("vsb"))
    return cms.verify(ondertekend, ca=p.pki.ca(), ondertekenaar=p.crt("aii"), moment=moment)


def test_a_signed_and_encrypted_file_opens_to_exactly_what_was_signed(partijen: Partijen) -> None:
    assert _open(partijen, _lijst_bestand(partijen)) == INHOUD


def test_openssl_decrypts_then_verifies_our_file(partijen: Partijen, tmp_path: Path) -> None:
    (tmp_path / "lijst.p7m").write_bytes(_lijst_bestand(partijen))
    m = partijen.map
    subprocess.run(
        ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", tmp_path / "lijst.p7m",
         "-recip", m / "vsb.crt", "-inkey", m / "vsb.key", "-out", tmp_path / "signed.der"],
        check=True, capture_output=True,
    )  # fmt: skip
    verify = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "signed.der",
         "-CAfile", m / "ca.crt", "-attime", str(int((NU + timedelta(days=1)).timestamp())),
         "-out", tmp_path / "payload"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    assert "Verification successful" in verify.stderr
    assert (tmp_path / "payload").read_bytes() == INHOUD


def test_a_file_signed_and_encrypted_by_openssl_opens_here(
    partijen: Partijen, tmp_path: Path
) -> None:
    m = partijen.map
    (tmp_path / "payload").write_bytes(INHOUD)
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-nodetach", "-md", "sha256", "-outform", "DER",
         "-in", tmp_path / "payload", "-signer", m / "aii.crt", "-inkey", m / "aii.key",
         "-out", tmp_path / "signed.der"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "cms", "-encrypt", "-binary", "-aes256", "-inform", "DER", "-outform", "DER",
         "-in", tmp_path / "signed.der", "-out", tmp_path / "lijst.p7m", m / "vsb.crt"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert _open(partijen, (tmp_path / "lijst.p7m").read_bytes()) == INHOUD


def test_a_flipped_byte_anywhere_in_the_signed_data_is_refused(partijen: Partijen) -> None:
    ondertekend = cms.sign(INHOUD, partijen.crt("aii"), partijen.key("aii"))
    ca, aii = partijen.pki.ca(), partijen.crt("aii")
    geweigerd = 0
    for plaats in range(len(ondertekend)):
        kapot = bytearray(ondertekend)
        kapot[plaats] ^= 0x01
        with pytest.raises(CmsError):
            cms.verify(bytes(kapot), ca=ca, ondertekenaar=aii, moment=NU)
        geweigerd += 1
    assert geweigerd == len(ondertekend) > 1000


def test_changed_content_is_refused_as_not_matching_the_signed_digest(partijen: Partijen) -> None:
    ondertekend = cms.sign(INHOUD, partijen.crt("aii"), partijen.key("aii"))
    vervalst = ondertekend.replace(b"12345678901", b"12345678902")
    with pytest.raises(CmsError, match="does not match the signed digest"):
        cms.verify(vervalst, ca=partijen.pki.ca(), ondertekenaar=partijen.crt("aii"), moment=NU)


def test_a_file_for_another_recipient_does_not_decrypt(partijen: Partijen) -> None:
    bestand = _lijst_bestand(partijen, ontvanger="zorgkas-CM")
    with pytest.raises(CmsError, match="cannot decrypt"):
        _open(partijen, bestand)


def test_a_file_signed_by_another_party_of_the_same_ca_is_a_wrong_signer(
    partijen: Partijen,
) -> None:
    bestand = _lijst_bestand(partijen, ondertekenaar="zorgkas-CM")
    with pytest.raises(CmsError, match="signed by CN=Zorgkas CM"):
        _open(partijen, bestand)


def test_a_signer_from_another_ca_is_not_trusted(partijen: Partijen) -> None:
    vreemd = maak_ca("someone else", rsa.generate_private_key(65537, 2048), van=NU)
    sleutel = rsa.generate_private_key(65537, 2048)
    certificaat = vreemd.geef_uit("AII-KBI", sleutel, van=NU, tot=NU + timedelta(days=30))
    ondertekend = cms.sign(INHOUD, certificaat, sleutel)
    with pytest.raises(CmsError, match="not trusted: no chain to the trusted CA"):
        cms.verify(ondertekend, ca=partijen.pki.ca(), ondertekenaar=certificaat, moment=NU)


def test_a_signature_by_an_expired_certificate_is_refused(partijen: Partijen) -> None:
    ca_sleutel = partijen.key("ca")
    uitgever = Uitgever(partijen.pki.ca(), ca_sleutel)
    oud = uitgever.geef_uit(
        "AII-KBI", partijen.key("aii"), van=NU - timedelta(days=400), tot=NU - timedelta(days=1)
    )
    ondertekend = cms.sign(INHOUD, oud, partijen.key("aii"))
    with pytest.raises(CmsError, match="expired on"):
        cms.verify(ondertekend, ca=partijen.pki.ca(), ondertekenaar=oud, moment=NU)


def test_something_that_is_not_cms_is_refused_in_one_line(partijen: Partijen) -> None:
    for rommel in (b"", b"junk", b"\x30\x82\xff\xff"):
        with pytest.raises(CmsError) as fout:
            cms.verify(rommel, ca=partijen.pki.ca(), ondertekenaar=partijen.crt("aii"), moment=NU)
        assert "\n" not in str(fout.value)
        with pytest.raises(CmsError):
            cms.decrypt(rommel, partijen.crt("vsb"), partijen.key("vsb"))


def test_the_development_pki_has_what_an_smime_signer_needs(partijen: Partijen) -> None:
    certificaat = lees_certificaat(partijen.map / "aii.crt")
    gebruik = certificaat.extensions.get_extension_for_class(x509.KeyUsage).value
    assert gebruik.digital_signature
    assert gebruik.key_encipherment
    eku = certificaat.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    ski = partijen.pki.ca().extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = certificaat.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert (partijen.map / "aii.key").stat().st_mode & 0o077 == 0


def test_an_existing_certificate_is_never_replaced(partijen: Partijen) -> None:
    voor = (partijen.map / "aii.crt").read_bytes()
    assert maak_ontwikkel_pki(partijen.map, [("aii", "AII-KBI")], nu=NU) == []
    assert (partijen.map / "aii.crt").read_bytes() == voor
    assert pem(lees_certificaat(partijen.map / "aii.crt")) == voor
    assert sleutel_pem(partijen.key("aii")).startswith(b"-----BEGIN PRIVATE KEY-----")
