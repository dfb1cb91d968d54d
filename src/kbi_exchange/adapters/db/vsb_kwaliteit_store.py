"""Data quality on the VSB node's database: the reports it sent, the rectifications it
received, and the messages that tell a zorgkas what changed (art. 7)."""

from __future__ import annotations

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.adapters.db.vsb_models import VsbMeldingRow, VsbRectificatieRow, ZorgkasBerichtRow
from kbi_exchange.domain.kwaliteit import MeldingStatus, Uitvoering, VsbMelding, ZorgkasBericht

_VELDEN = (
    "insz",
    "omschrijving",
    "gemeld_op",
    "gemeld_door",
    "vervalt_op",
    "aanvraag_id",
    "referte",
    "bevinding",
    "gesloten_op",
    "verstuurd_op",
)


class SqlVsbMeldingen:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def bewaar(self, melding: VsbMelding) -> None:
        rij = self.session.get(VsbMeldingRow, melding.id) or VsbMeldingRow(id=melding.id)
        for veld in _VELDEN:
            setattr(rij, veld, getattr(melding, veld))
        rij.status = melding.status.value
        self.session.add(rij)
        schrijf_door(self.session)

    def alle(self, *, open_: bool = False) -> list[VsbMelding]:
        stmt = select(VsbMeldingRow).order_by(VsbMeldingRow.gemeld_op, VsbMeldingRow.id)
        if open_:
            stmt = stmt.where(VsbMeldingRow.status != MeldingStatus.GESLOTEN.value)
        return [
            VsbMelding(
                id=rij.id,
                status=MeldingStatus(rij.status),
                **{veld: getattr(rij, veld) for veld in _VELDEN},
            )
            for rij in reversed(self.session.scalars(stmt).all())
        ]


class SqlVsbRectificaties:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def bekend(self, rectificatie_id: str) -> bool:
        return self.session.get(VsbRectificatieRow, rectificatie_id) is not None

    def laatste_seq(self) -> int:
        return int(self.session.scalar(select(func.max(VsbRectificatieRow.seq))) or 0)

    def voeg_toe(
        self,
        ruw: dict[str, object],
        *,
        aanvraag_id: str | None,
        uitvoering: Uitvoering,
        ontvangen_op: object,
    ) -> None:
        self.session.add(
            VsbRectificatieRow(
                id=str(ruw["id"]),
                seq=int(str(ruw["seq"])),
                melding_id=str(ruw["melding"]),
                referte=ruw.get("referte"),
                aanvraag_id=aanvraag_id,
                oud=orjson.dumps(ruw.get("oud")).decode(),
                nieuw=orjson.dumps(ruw.get("nieuw")).decode(),
                ontvangen_op=ontvangen_op,
                uitkomst=uitvoering.value,
            )
        )
        schrijf_door(self.session)


class SqlZorgkasBerichten:
    """Within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def voeg_toe(self, bericht: ZorgkasBericht) -> None:
        self.session.add(
            ZorgkasBerichtRow(
                id=bericht.id,
                zorgkas=bericht.zorgkas,
                soort=bericht.soort,
                aanvraag_id=bericht.aanvraag_id,
                inhoud=orjson.dumps(bericht.inhoud).decode(),
                gemaakt_op=bericht.gemaakt_op,
            )
        )
        schrijf_door(self.session)

    def over(self, insz: str, aanvraag_ids: list[str]) -> list[str]:
        """The ids of the messages about a person: on their applications, or naming them."""
        m = ZorgkasBerichtRow
        return list(
            self.session.scalars(
                select(m.id).where(m.aanvraag_id.in_(aanvraag_ids) | m.inhoud.contains(f'"{insz}"'))
            )
        )

    def van(self, zorgkas: str | None, hoeveel: int = 500) -> list[ZorgkasBericht]:
        """A zorgkas's newest ``hoeveel`` messages, oldest first (None: every zorgkas's, for
        VSB staff)."""
        m = ZorgkasBerichtRow
        stmt = select(m).order_by(m.gemaakt_op.desc(), m.id.desc()).limit(hoeveel)
        if zorgkas is not None:
            stmt = stmt.where(m.zorgkas == zorgkas)
        return [
            ZorgkasBericht(
                id=rij.id,
                zorgkas=rij.zorgkas,
                soort=rij.soort,
                gemaakt_op=rij.gemaakt_op,
                inhoud=orjson.loads(rij.inhoud),
                aanvraag_id=rij.aanvraag_id,
            )
            for rij in reversed(self.session.scalars(stmt).all())
        ]
