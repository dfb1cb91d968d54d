"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name costs as long as a
# wrong password and names cannot be probed by timing.
_LOKAAS = _HASHER.hash("kbi-exchange: no such user")


def hash_wachtwoord(wachtwoord: str) -> str:
    return _HASHER.hash(wachtwoord)


def controleer(wachtwoord_hash: str | None, wachtwoord: str) -> bool:
    """True when the password matches; with no hash, spends the same time and says no."""
    try:
        return _HASHER.verify(wachtwoord_hash or _LOKAAS, wachtwoord) and bool(wachtwoord_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def moet_herhasht(wachtwoord_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(wachtwoord_hash)


class Argon2Passwords:
    """`services.ports.PasswordHasher` with Argon2id."""

    def hash(self, wachtwoord: str) -> str:
        return hash_wachtwoord(wachtwoord)

    def verify(self, wachtwoord_hash: str | None, wachtwoord: str) -> bool:
        return controleer(wachtwoord_hash, wachtwoord)

    def needs_rehash(self, wachtwoord_hash: str) -> bool:
        return moet_herhasht(wachtwoord_hash)


ARGON2 = Argon2Passwords()
