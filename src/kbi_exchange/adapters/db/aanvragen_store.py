"""Care-budget applications on the VSB node's database (SPEC §9)."""

from __future__ import annotations

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.lijsten_store import schrijf_door
from kbi_exchange.adapters.db.vsb_models import AanvraagRow
from kbi_exchange.domain.aanvraag import Aanvraag, AanvraagStatus, NietGevraagd

_VELDEN = (
    "insz",
    "opening",
    "zorgkas",
    "aangemaakt_op",
    "aangemaakt_door",
    "referte",
    "advies",
    "reden_code",
    "reden_omschrijving",
    "pogingen",
    "gevraagd_op",
    "beslist_op",
    "einde",
    "einde_reden",
)
ONBESLIST = (AanvraagStatus.WACHT_OP_BRON.value, AanvraagStatus.VRAAG_GEWEIGERD.value)


def _als_aanvraag(rij: AanvraagRow) -> Aanvraag:
    return Aanvraag(
        id=rij.id,
        status=AanvraagStatus(rij.status),
        niet_gevraagd=NietGevraagd(rij.niet_gevraagd) if rij.niet_gevraagd else None,
        uitzonderingen=tuple(orjson.loads(rij.uitzonderingen)),
        **{veld: getattr(rij, veld) for veld in _VELDEN},
    )


class SqlAanvragen:
    """The applications within one transaction; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def bewaar(self, aanvraag: Aanvraag) -> None:
        """Insert or update an application as it now stands."""
        rij = self.session.get(AanvraagRow, aanvraag.id) or AanvraagRow(id=aanvraag.id)
        for veld in _VELDEN:
            setattr(rij, veld, getattr(aanvraag, veld))
        rij.status = aanvraag.status.value
        rij.niet_gevraagd = aanvraag.niet_gevraagd.value if aanvraag.niet_gevraagd else None
        rij.uitzonderingen = orjson.dumps(list(aanvraag.uitzonderingen)).decode()
        rij.bewaren_tot = aanvraag.bewaren_tot
        self.session.add(rij)
        schrijf_door(self.session)

    def met_referte(self, referte: str) -> Aanvraag | None:
        """The application whose question to AII went under this referte."""
        rij = self.session.scalar(select(AanvraagRow).where(AanvraagRow.referte == referte))
        return _als_aanvraag(rij) if rij is not None else None

    def get(self, aanvraag_id: str) -> Aanvraag | None:
        rij = self.session.get(AanvraagRow, aanvraag_id)
        return _als_aanvraag(rij) if rij is not None else None

    def alle(
        self, *, zorgkas: str | None = None, onbeslist: bool = False, insz: str | None = None
    ) -> list[Aanvraag]:
        """Applications, oldest first; of one zorgkas, undecided only, or of one person."""
        stmt = select(AanvraagRow).order_by(AanvraagRow.aangemaakt_op, AanvraagRow.id)
        if zorgkas is not None:
            stmt = stmt.where(AanvraagRow.zorgkas == zorgkas)
        if onbeslist:
            stmt = stmt.where(AanvraagRow.status.in_(ONBESLIST))
        if insz is not None:
            stmt = stmt.where(AanvraagRow.insz == insz)
        return [_als_aanvraag(rij) for rij in self.session.scalars(stmt)]
