"""Keys kept beside, never in, a node's database: the INSZ hashing key and the checkpoint key.

`$KBI_HOME/keys/<node>/`:
- ``insz-hmac-<id>.key`` — 32 random bytes for the keyed hash of INSZ in the audit log. The
  newest is current; older ones stay so that a DPO can still search older entries (rotation).
- ``audit-checkpoint.key`` / ``.pub`` — Ed25519 key pair that signs audit checkpoints.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kbi_exchange.adapters.files import write_atomic
from kbi_exchange.domain.audit_bewijs import sleutel_id_van


@dataclass(frozen=True)
class InszKey:
    id: str
    geheim: bytes

    def hash(self, insz: str) -> str:
        """The keyed hash (HMAC-SHA-256) under which an INSZ appears in the audit log."""
        return hmac.new(self.geheim, insz.encode(), hashlib.sha256).hexdigest()


class Keys:
    """A node's keys in its home."""

    def __init__(self, map_: Path) -> None:
        self.map = map_
        self._insz: list[InszKey] | None = None
        self._privaat: Ed25519PrivateKey | None = None
        self._sleutel_id = ""

    @classmethod
    def for_node(cls, home: Path, node: str) -> Keys:
        return cls(home / "keys" / node)

    def create(self) -> None:
        """Create the keys that do not exist yet; existing keys are never replaced."""
        self.map.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not list(self.map.glob("insz-hmac-*.key")):
            self.rotate_insz_key(datetime.now(UTC))
        privaat = self.map / "audit-checkpoint.key"
        if not privaat.exists():
            sleutel = Ed25519PrivateKey.generate()
            write_atomic(
                privaat,
                sleutel.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
                modus=0o600,
            )
            (self.map / "audit-checkpoint.pub").write_bytes(
                sleutel.public_key().public_bytes(
                    serialization.Encoding.PEM,
                    serialization.PublicFormat.SubjectPublicKeyInfo,
                )
            )

    def rotate_insz_key(self, nu: datetime) -> InszKey:
        """Make a new current INSZ key; the old ones are kept for searching."""
        self.map.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(
            self.map / f"insz-hmac-{nu:%Y%m%d%H%M%S}.key", secrets.token_bytes(32), modus=0o600
        )
        self._insz = None
        return self.insz_keys()[0]

    def insz_keys(self) -> list[InszKey]:
        """All INSZ keys, the current one first (read once per process)."""
        if self._insz is None:
            self._insz = self._lees_insz_sleutels()
        return self._insz

    def insz_hashes(self, insz: str) -> list[str]:
        """The keyed hashes of a number under every INSZ key, the current one first."""
        return [sleutel.hash(insz) for sleutel in self.insz_keys()]

    def _lees_insz_sleutels(self) -> list[InszKey]:
        bestanden = sorted(self.map.glob("insz-hmac-*.key"), reverse=True)
        if not bestanden:
            raise FileNotFoundError(f"no INSZ key in {self.map}: run `kbi init`")
        return [InszKey(b.stem.removeprefix("insz-hmac-"), b.read_bytes()) for b in bestanden]

    def signing_key(self) -> Ed25519PrivateKey:
        """The checkpoint key, read once per process (every group commit signs with it)."""
        if self._privaat is None:
            privaat = serialization.load_pem_private_key(
                (self.map / "audit-checkpoint.key").read_bytes(), password=None
            )
            if not isinstance(privaat, Ed25519PrivateKey):
                raise TypeError("the checkpoint key is not an Ed25519 key")
            self._privaat = privaat
            self._sleutel_id = self.checkpoint_key_id()
        return self._privaat

    def sign(self, gegevens: bytes) -> tuple[str, str]:
        """Sign with the checkpoint key; returns (key id, signature in hex)."""
        handtekening = self.signing_key().sign(gegevens).hex()
        return self._sleutel_id, handtekening

    def checkpoint_key_id(self) -> str:
        return sleutel_id_van((self.map / "audit-checkpoint.pub").read_bytes())

    def verify_signature(self, gegevens: bytes, handtekening: str) -> bool:
        return klopt_met(self.publieke_sleutel())(gegevens, handtekening)

    def publieke_sleutel(self) -> bytes:
        """The checkpoint key's public half (PEM): all anyone needs to check a head or proof."""
        return (self.map / "audit-checkpoint.pub").read_bytes()


def klopt_met(publieke_pem: bytes) -> Callable[[bytes, str], bool]:
    """Whether a signature (hex) over some bytes was made by this Ed25519 public key (PEM);
    ValueError when the PEM is not such a key."""
    publiek = serialization.load_pem_public_key(publieke_pem)
    if not isinstance(publiek, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key (audit-checkpoint.pub)")

    def klopt(gegevens: bytes, handtekening: str) -> bool:
        try:
            publiek.verify(bytes.fromhex(handtekening), gegevens)
        except (InvalidSignature, ValueError):
            return False
        return True

    return klopt
