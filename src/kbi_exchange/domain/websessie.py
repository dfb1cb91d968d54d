"""A person's session on a node's web pages (SPEC §11): known to the node only by the hash of
its cookie's random token; it ends when idle too long, when too old, or at log-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# idle: a page left open over lunch asks for the password again; absolute: a working day
INACTIEF = timedelta(minutes=30)
HOOGSTENS = timedelta(hours=10)
# a session's last use is written at most this often (a page view is not a write)
BIJWERKEN_NA = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WebSessie:
    """One log-in of one person: who, since when, last seen, and how (password or OIDC)."""

    token_hash: str
    naam: str
    aangemaakt_op: datetime
    gezien_op: datetime
    via: str = "wachtwoord"

    def verlopen(self, nu: datetime) -> bool:
        return nu - self.gezien_op > INACTIEF or nu - self.aangemaakt_op > HOOGSTENS

    def verloopt_op(self) -> datetime:
        return min(self.gezien_op + INACTIEF, self.aangemaakt_op + HOOGSTENS)
