"""What every signed notification of the other party shares (SPEC §12): a JSON object of
known fields, the sender's id, its moments — each refused by name, with the caller's own error
type, before anything else is read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kbi_exchange.domain.dates import OngeldigeTijd, rfc3339_uit_tekst

# how far the other node's clock may run ahead of ours
KLOKVERSCHIL = timedelta(minutes=5)


def gemeld_object(inhoud: object, velden: set[str], fout: type[ValueError]) -> dict[str, Any]:
    """The notification as a JSON object holding no field but ``velden``."""
    if not isinstance(inhoud, dict):
        raise fout("the notification is not a JSON object")
    onbekend = sorted(set(inhoud) - velden)
    if onbekend:
        raise fout(f"unknown fields: {', '.join(onbekend)}")
    return inhoud


def afzender_id(inhoud: dict[str, Any], fout: type[ValueError]) -> str:
    """The sender's own id of what it notifies: 1 to 36 characters."""
    id_ = inhoud.get("id")
    if not isinstance(id_, str) or not 0 < len(id_) <= 36:
        raise fout("id: the sender's id, 1 to 36 characters")
    return id_


def gemeld_moment(
    inhoud: dict[str, Any], veld: str, fout: type[ValueError], nu: datetime
) -> datetime:
    """A moment the sender writes: RFC 3339 with its offset, not ahead of this node's clock
    by more than `KLOKVERSCHIL`."""
    try:
        moment = rfc3339_uit_tekst(inhoud.get(veld))
    except OngeldigeTijd as reden:
        raise fout(f"{veld}: {reden}") from None
    if moment > nu + KLOKVERSCHIL:
        raise fout(f"{veld}: lies ahead of this node's clock; check the sender's clock")
    return moment
