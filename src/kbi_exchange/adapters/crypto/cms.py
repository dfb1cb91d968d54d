"""CMS (RFC 5652) for the files that travel between the parties (SPEC §8.3, §8.6).

`cryptography` signs, encrypts and decrypts; it cannot verify a CMS signature, so pyHanko's
CMS validation does: the signer's chain to the trusted CA and its validity at the moment of
checking, the messageDigest attribute against the content, the signature over the signed
attributes, and the key usage of an S/MIME signer. On top of that the signer must be the one
certificate expected (the AII certificate for a list, the VSB one for a receipt): another
certificate of the same CA is a wrong signer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from pyhanko.sign.validation.generic_cms import async_validate_cms_signature
from pyhanko_certvalidator import ValidationContext

from kbi_exchange.domain.fouten import CmsError

# pyHanko logs each failed validation with a stack trace at WARNING/ERROR; the refusal we
# raise says it in one line.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)

# LF stays LF: without Binary the content is turned into canonical MIME (CRLF).
_BINAIR = [pkcs7.PKCS7Options.Binary]


def sign(inhoud: bytes, certificaat: x509.Certificate, sleutel: rsa.RSAPrivateKey) -> bytes:
    """SignedData (SHA-256, the signer's certificate, content included), DER."""
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(inhoud)
        .add_signer(certificaat, sleutel, hashes.SHA256())
        .sign(serialization.Encoding.DER, _BINAIR)
    )


def encrypt(inhoud: bytes, ontvanger: x509.Certificate) -> bytes:
    """EnvelopedData for one recipient (RSA key transport, AES-256-CBC), DER."""
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(inhoud)
        .add_recipient(ontvanger)
        .set_content_encryption_algorithm(algorithms.AES256)
        .encrypt(serialization.Encoding.DER, _BINAIR)
    )


def decrypt(der: bytes, certificaat: x509.Certificate, sleutel: rsa.RSAPrivateKey) -> bytes:
    """The content of an EnvelopedData addressed to ``certificaat``, in memory."""
    try:
        return pkcs7.pkcs7_decrypt_der(der, certificaat, sleutel, [])
    except ValueError as fout:
        raise CmsError(f"cannot decrypt: {_eerste_regel(fout)}") from None


def _eerste_regel(fout: Exception) -> str:
    tekst = str(fout).strip() or type(fout).__name__
    return tekst.splitlines()[0]


def _signed_data(der: bytes) -> asn1_cms.SignedData:
    try:
        info = asn1_cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise CmsError(f"not a CMS SignedData but {info['content_type'].native}")
        signed = info["content"]
        signed.native  # noqa: B018 — parses every field now, so damage shows here, not later
    except CmsError:
        raise
    except Exception as fout:  # asn1crypto raises ValueError, TypeError, OverflowError, ...
        raise CmsError(f"not a valid CMS SignedData: {_eerste_regel(fout)}") from None
    if len(signed["signer_infos"]) != 1:
        raise CmsError(f"expected one signer, found {len(signed['signer_infos'])}")
    # The fields around the signer's are not covered by the signature: they must be exactly
    # what RFC 5652 prescribes for this use, so a changed byte there is refused too.
    if signed["version"].native != "v1":
        raise CmsError(f"SignedData version {signed['version'].native}, expected v1")
    algoritmen = [a["algorithm"].native for a in signed["digest_algorithms"]]
    if algoritmen != ["sha256"]:
        raise CmsError(f"digest algorithms {algoritmen}, expected ['sha256']")
    if signed["signer_infos"][0]["version"].native != "v1":
        raise CmsError("SignerInfo version is not v1 (issuer and serial number)")
    if signed["signer_infos"][0]["digest_algorithm"]["algorithm"].native != "sha256":
        raise CmsError("the signer's digest algorithm is not SHA-256")
    if signed["encap_content_info"]["content_type"].native != "data":
        raise CmsError("the signed content is not of type data")
    return signed


def _waarom_niet_vertrouwd(certificaat: x509.Certificate, moment: datetime, indicatie: str) -> str:
    """pyHanko's AdES indication, said plainly where the certificate's dates explain it."""
    if moment > certificaat.not_valid_after_utc:
        return f"its certificate expired on {certificaat.not_valid_after_utc:%Y-%m-%d}"
    if moment < certificaat.not_valid_before_utc:
        return f"its certificate is valid only from {certificaat.not_valid_before_utc:%Y-%m-%d}"
    return {
        "NO_CERTIFICATE_CHAIN_FOUND": "no chain to the trusted CA",
        "CHAIN_CONSTRAINTS_FAILURE": "its certificate may not sign (key usage)",
    }.get(indicatie, indicatie.lower().replace("_", " "))


def verify(
    der: bytes,
    *,
    ca: x509.Certificate,
    ondertekenaar: x509.Certificate,
    moment: datetime,
) -> bytes:
    """The content of a SignedData, once its signature holds; else `CmsError` saying why."""
    signed = _signed_data(der)
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))],
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = asyncio.run(async_validate_cms_signature(signed, validation_context=context))
    except Exception as fout:  # pyHanko's structural errors
        raise CmsError(f"signature cannot be checked: {_eerste_regel(fout)}") from None
    if not status.intact:
        raise CmsError("the content does not match the signed digest (changed after signing)")
    if not status.valid:
        raise CmsError("the signature does not verify against the signer's certificate")
    try:
        gevonden = x509.load_der_x509_certificate(status.signing_cert.dump())
    except (ValueError, x509.InvalidVersion):
        raise CmsError("the signer's certificate is damaged") from None
    if status.trust_problem_indic is not None:
        raise CmsError(
            f"signer {gevonden.subject.rfc4514_string()} is not trusted: "
            + _waarom_niet_vertrouwd(
                gevonden, moment, str(status.trust_problem_indic).rpartition(".")[2]
            )
        )
    if gevonden != ondertekenaar:
        raise CmsError(
            f"signed by {gevonden.subject.rfc4514_string()}, "
            f"not by {ondertekenaar.subject.rfc4514_string()}"
        )
    inhoud = signed["encap_content_info"]["content"]
    if inhoud is None or inhoud.native is None:
        raise CmsError("the signature holds no content (detached)")
    return bytes(inhoud.native)
