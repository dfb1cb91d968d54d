"""Calendar dates and moments in Belgium (Europe/Brussels), as SPEC §4 reads them."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

BRUSSEL = ZoneInfo("Europe/Brussels")


class OngeldigeTijd(ValueError):
    """A date or moment that cannot be read."""


def datum_uit_tekst(tekst: str) -> date:
    """A calendar date written as ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(tekst)
    except (TypeError, ValueError):
        raise OngeldigeTijd("expected a date as YYYY-MM-DD") from None


def moment_uit_tekst(tekst: str) -> datetime:
    """A knowledge time: an RFC 3339 timestamp with its offset, or a bare date.

    A bare date means the start of that day in Brussels.
    """
    if len(tekst) == 10:
        return begin_van_dag(datum_uit_tekst(tekst))
    try:
        moment = datetime.fromisoformat(tekst)
    except ValueError:
        raise OngeldigeTijd("expected an RFC 3339 timestamp with offset, or YYYY-MM-DD") from None
    if moment.tzinfo is None:
        raise OngeldigeTijd("a timestamp must carry its offset (RFC 3339)")
    return moment


def begin_van_dag(dag: date) -> datetime:
    """The first moment of a calendar day in Brussels."""
    return datetime.combine(dag, time(0), tzinfo=BRUSSEL)


def dag_in_brussel(moment: datetime) -> date:
    """The calendar date in Brussels at a moment."""
    return moment.astimezone(BRUSSEL).date()
