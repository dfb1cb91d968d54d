"""Calendar dates and moments in Belgium (Europe/Brussels), as SPEC §4 reads them."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from kbi_exchange.domain.fouten import Ongeldig

BRUSSEL = ZoneInfo("Europe/Brussels")
# The years a date or moment given to this system may fall in: wide enough for any birth,
# fact or deadline it handles, narrow enough that adding a retention period or a notice
# term never leaves what a date can hold (year 9999 + 12 months is an overflow).
EERSTE_JAAR = 1900
LAATSTE_JAAR = 2999

# Python's fromisoformat also reads 20240101, 2024-W01-1 and other ISO 8601 forms, and \d
# matches any script's digits: the forms this system accepts are spelled out here.
_DATUM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)


class OngeldigeTijd(Ongeldig):
    """A date or moment that cannot be read."""


def _binnen_bereik(jaar: int) -> None:
    if not EERSTE_JAAR <= jaar <= LAATSTE_JAAR:
        raise OngeldigeTijd(f"the year must lie from {EERSTE_JAAR} to {LAATSTE_JAAR}")


def datum_uit_tekst(tekst: object) -> date:
    """A calendar date written as ``YYYY-MM-DD`` (exactly: no other ISO 8601 form)."""
    if not isinstance(tekst, str) or not _DATUM.fullmatch(tekst):
        raise OngeldigeTijd("expected a date as YYYY-MM-DD")
    try:
        dag = date.fromisoformat(tekst)
    except ValueError:
        raise OngeldigeTijd("expected a date as YYYY-MM-DD (that day does not exist)") from None
    _binnen_bereik(dag.year)
    return dag


def rfc3339_uit_tekst(tekst: object) -> datetime:
    """A moment written as RFC 3339 with its offset: ``2024-01-15T10:02:11+01:00`` (or Z)."""
    if not isinstance(tekst, str) or not _MOMENT.fullmatch(tekst):
        raise OngeldigeTijd(
            "expected an RFC 3339 moment with its offset, as 2024-01-15T10:02:11+01:00"
        )
    try:
        moment = datetime.fromisoformat(tekst)
    except ValueError:
        raise OngeldigeTijd("expected an RFC 3339 moment (that moment does not exist)") from None
    _binnen_bereik(moment.year)
    return moment


def moment_uit_tekst(tekst: str) -> datetime:
    """A knowledge time: an RFC 3339 timestamp with its offset, or a bare date.

    A bare date means the start of that day in Brussels.
    """
    if len(tekst) == 10:
        return begin_van_dag(datum_uit_tekst(tekst))
    return rfc3339_uit_tekst(tekst)


def begin_van_dag(dag: date) -> datetime:
    """The first moment of a calendar day in Brussels."""
    return datetime.combine(dag, time(0), tzinfo=BRUSSEL)


def dag_in_brussel(moment: datetime) -> date:
    """The calendar date in Brussels at a moment."""
    return moment.astimezone(BRUSSEL).date()
