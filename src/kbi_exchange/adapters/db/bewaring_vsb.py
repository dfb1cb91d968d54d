"""What the retention run finds and removes of the VSB node's people: who is on a
distributed list without ground to stay, who died, and what their numbers were in."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.leden_store import IN_BLOK, SqlLeden
from kbi_exchange.adapters.db.vsb_models import (
    AanvraagRow,
    VerdelingRow,
    VsbLijstInszRow,
    VsbLijstRow,
    ZendingRow,
    ZorgkasBerichtRow,
)

# the VSB node's tables the retention run reads and empties (also `bewaring_store`'s)
AANVRAAG = cast(Table, AanvraagRow.__table__)
VSB_LIJST = cast(Table, VsbLijstRow.__table__)
LIJST_INSZ = cast(Table, VsbLijstInszRow.__table__)
ZENDING = cast(Table, ZendingRow.__table__)
VERDELING = cast(Table, VerdelingRow.__table__)
BERICHT = cast(Table, ZorgkasBerichtRow.__table__)


def ids(session: Session, stmt: Any) -> list[str]:
    """The first column of each row a statement selects, as strings."""
    return [str(rij[0]) for rij in session.connection().execute(stmt)]


def overtollig(session: Session) -> list[str]:
    """``lijst-id/insz`` of each INSZ on a distributed list that is no member, or was a
    member without VT on 1 January of the list's year, as the registry knows it now."""
    x, i = VSB_LIJST, LIJST_INSZ
    rijen = [
        (str(lijst_id), int(jaar), str(insz))
        for lijst_id, jaar, insz in session.connection().execute(
            select(i.c.lijst_id, x.c.jaar, i.c.insz)
            .join(x, x.c.id == i.c.lijst_id)
            .where(x.c.verdeeld_op.is_not(None))
            .order_by(i.c.lijst_id, i.c.insz)
        )
    ]
    uit: list[str] = []
    for start in range(0, len(rijen), IN_BLOK):
        blok = rijen[start : start + IN_BLOK]
        leden = SqlLeden(session).op([insz for _, _, insz in blok])
        uit += [
            f"{lijst_id}/{insz}"
            for lijst_id, jaar, insz in blok
            if (lid := leden.get(insz)) is None or not lid.vt_op(date(jaar, 1, 1))
        ]
    return uit


def overleden(session: Session, voor: date) -> list[str]:
    """The INSZ on a received list or in the distribution of someone who died before
    ``voor``, as the member registry knows it now."""
    op_lijst = sorted(
        set(ids(session, select(LIJST_INSZ.c.insz).distinct()))
        | set(ids(session, select(VERDELING.c.insz).distinct()))
    )
    leden = SqlLeden(session).op(op_lijst)
    return [
        insz
        for insz in op_lijst
        if (lid := leden.get(insz)) is not None
        and lid.overlijdensdatum is not None
        and lid.overlijdensdatum < voor
    ]


def meld_onbeslist(session: Session, ids: list[str], nu: datetime) -> None:
    """The zorgkas of each application removed undecided gets a message: its handler
    knows to record it anew (no INSZ: the application's id and opening)."""
    a = AANVRAAG
    for aanvraag_id, zorgkas, opening in session.connection().execute(
        select(a.c.id, a.c.zorgkas, a.c.opening).where(a.c.id.in_(ids))
    ):
        session.connection().execute(
            BERICHT.insert().values(
                id=str(uuid.uuid4()),
                zorgkas=zorgkas,
                soort="aanvraag_verwijderd",
                aanvraag_id=aanvraag_id,
                gemaakt_op=nu,
                inhoud=orjson.dumps(
                    {
                        "aanvraag": aanvraag_id,
                        "opening": opening.isoformat(),
                        "toelichting": (
                            "De aanvraag kreeg geen beslissing binnen de bewaartermijn en "
                            "werd verwijderd; dien ze opnieuw in als de persoon ze nog wil."
                        ),
                    }
                ).decode(),
            )
        )


def vergeet_overledenen(session: Session, inszen: list[str]) -> list[str]:
    """A deceased person's entries go, and so does the content of every zorgkas file
    that carried their number (its name, hash and count stay: the proof of what was
    disclosed) and their number in the messages that named them."""
    v = session.connection()
    zendingen = select(VERDELING.c.zending_id).where(VERDELING.c.insz.in_(inszen))
    bestanden = [
        str(naam)
        for (naam,) in v.execute(select(ZENDING.c.bestand_naam).where(ZENDING.c.id.in_(zendingen)))
    ]
    v.execute(update(ZENDING).where(ZENDING.c.id.in_(zendingen)).values(bestand=b""))
    weg = set(inszen)
    for bericht_id, inhoud in v.execute(
        select(BERICHT.c.id, BERICHT.c.inhoud).where(
            or_(*(BERICHT.c.inhoud.contains(i) for i in inszen))
        )
    ).all():
        gelezen = orjson.loads(inhoud)
        if isinstance(gelezen.get("inszen"), list):
            gelezen["inszen"] = [i for i in gelezen["inszen"] if i not in weg]
        v.execute(
            update(BERICHT)
            .where(BERICHT.c.id == bericht_id)
            .values(inhoud=orjson.dumps(gelezen).decode())
        )
    v.execute(delete(VERDELING).where(VERDELING.c.insz.in_(inszen)))
    v.execute(delete(LIJST_INSZ).where(LIJST_INSZ.c.insz.in_(inszen)))
    return bestanden
