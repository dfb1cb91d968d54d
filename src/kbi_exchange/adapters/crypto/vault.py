"""A party's CMS with its own certificate and key (`services.ports.Vault`): what the use cases
that sign, encrypt, open and check exchange files are given, so that they never see a key."""

from __future__ import annotations

from datetime import datetime

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki


class CmsVault:
    """``partij``'s files (``aii``, ``vsb``): signed with its key, encrypted to another
    party's certificate, opened with its key, checked against the trusted CA."""

    def __init__(self, pki: Pki, partij: str) -> None:
        self.pki = pki
        self.partij = partij

    def sign(self, inhoud: bytes) -> bytes:
        return cms.sign(inhoud, self.pki.certificaat(self.partij), self.pki.sleutel(self.partij))

    def encrypt(self, inhoud: bytes, voor: str) -> bytes:
        return cms.encrypt(inhoud, self.pki.certificaat(voor))

    def decrypt(self, bestand: bytes) -> bytes:
        return cms.decrypt(
            bestand, self.pki.certificaat(self.partij), self.pki.sleutel(self.partij)
        )

    def verify(self, ondertekend: bytes, *, van: str, moment: datetime) -> bytes:
        return cms.verify(
            ondertekend, ca=self.pki.ca(), ondertekenaar=self.pki.certificaat(van), moment=moment
        )
