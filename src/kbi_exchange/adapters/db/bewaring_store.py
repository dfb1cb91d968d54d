"""What the retention run removes, found and removed on a node's database (SPEC §10).

Every query finds only what still holds the data, so a rerun after a kill (or a second run)
finds what is left and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import (
    BeslissingRij,
    LijstRij,
    MeldingRij,
    RectificatieRij,
)
from kbi_exchange.adapters.db.audit_store import AII_AUDIT, VSB_AUDIT
from kbi_exchange.adapters.db.leden_store import IN_BLOK, SqlLeden
from kbi_exchange.adapters.db.vsb_models import (
    AanvraagRij,
    VerdelingRij,
    VsbLijstInszRij,
    VsbLijstRij,
    VsbMeldingRij,
    VsbRectificatieRij,
    ZendingRij,
    ZorgkasBerichtRij,
)
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.bewaring import (
    GEGEVENS_VAN_NODE,
    PURGE_GEBEURTENISSEN,
    Gegevens,
    Opdracht,
)
from kbi_exchange.domain.dates import begin_van_dag
from kbi_exchange.domain.kwaliteit import MeldingStatus

_BESLISSING = cast(Table, BeslissingRij.__table__)
_LIJST = cast(Table, LijstRij.__table__)
_AANVRAAG = cast(Table, AanvraagRij.__table__)
_VSB_LIJST = cast(Table, VsbLijstRij.__table__)
_LIJST_INSZ = cast(Table, VsbLijstInszRij.__table__)
_ZENDING = cast(Table, ZendingRij.__table__)
_VERDELING = cast(Table, VerdelingRij.__table__)
_BERICHT = cast(Table, ZorgkasBerichtRij.__table__)


class SqlBewaring:
    """Within one transaction; never commits."""

    def __init__(self, session: Session, node: Node) -> None:
        self.session = session
        self.node = node
        self.audit = (AII_AUDIT if node is Node.AII else VSB_AUDIT).audit
        vsb = node is Node.VSB
        self.melding = cast(Table, (VsbMeldingRij if vsb else MeldingRij).__table__)
        self.rectificatie = cast(Table, (VsbRectificatieRij if vsb else RectificatieRij).__table__)

    def _ids(self, stmt: Any) -> list[str]:
        return [str(rij[0]) for rij in self.session.connection().execute(stmt)]

    def te_verwijderen(self, opdracht: Opdracht) -> list[str]:
        """The ids of what ``opdracht`` removes and still holds its data, oldest first."""
        g = opdracht.gegevens
        if g not in GEGEVENS_VAN_NODE[self.node]:
            raise ValueError(f"{g} is not kept on the {self.node} node")
        voor = begin_van_dag(opdracht.grens)
        if g in (Gegevens.BESLISSING, Gegevens.BESLISSING_F1):
            b = _BESLISSING
            stmt = select(b.c.id).where(b.c.gewist_op.is_(None), b.c.gegeven_op < voor)
            if g is Gegevens.BESLISSING_F1:
                stmt = stmt.where(b.c.doel == "ZORGBUDGET")
            return self._ids(stmt.order_by(b.c.gegeven_op, b.c.id))
        if g is Gegevens.LIJST_F2:
            x = _LIJST
            return self._ids(
                select(x.c.id)
                .where(x.c.gewist_op.is_(None), x.c.gemaakt_op < voor)
                .order_by(x.c.gemaakt_op, x.c.id)
            )
        if g is Gegevens.AUDIT:
            a = self.audit
            return self._ids(
                select(a.c.seq)
                .where(
                    a.c.inhoud.is_not(None),
                    a.c.tijdstip < voor,
                    # the purge entries stay whole: they are what `audit verify` checks every
                    # emptied entry against (they name ids and reasons, no person)
                    a.c.gebeurtenis.notin_(PURGE_GEBEURTENISSEN),
                )
                .order_by(a.c.seq)
            )
        if g is Gegevens.AANVRAAG:
            a = _AANVRAAG
            return self._ids(
                select(a.c.id)
                .where(a.c.bewaren_tot < opdracht.grens)
                .order_by(a.c.bewaren_tot, a.c.id)
            )
        if g is Gegevens.AANVRAAG_F1:
            a = _AANVRAAG
            return self._ids(
                select(a.c.id)
                .where(a.c.referte.is_not(None), a.c.aangemaakt_op < voor)
                .order_by(a.c.aangemaakt_op, a.c.id)
            )
        if g is Gegevens.ONTVANGEN_LIJST_F2:
            x = _VSB_LIJST
            met_insz = exists().where(_LIJST_INSZ.c.lijst_id == x.c.id)
            met_bestand = exists().where(
                _ZENDING.c.lijst_id == x.c.id, func.length(_ZENDING.c.bestand) > 0
            )
            return self._ids(
                select(x.c.id)
                .where(x.c.ontvangen_op < voor, or_(met_insz, met_bestand))
                .order_by(x.c.ontvangen_op, x.c.id)
            )
        if g is Gegevens.MELDING:
            m = self.melding
            return self._ids(
                select(m.c.id)
                .where(
                    m.c.status == MeldingStatus.GESLOTEN.value,
                    m.c.gesloten_op < voor,
                    m.c.insz != "",
                )
                .order_by(m.c.gesloten_op, m.c.id)
            )
        if g is Gegevens.BERICHT:
            b = _BERICHT
            return self._ids(
                select(b.c.id).where(b.c.gemaakt_op < voor).order_by(b.c.gemaakt_op, b.c.id)
            )
        return self._overleden(opdracht.grens)

    def _overleden(self, voor: date) -> list[str]:
        """The INSZ on a received list or in the distribution of someone who died before
        ``voor``, as the member registry knows it now."""
        op_lijst = sorted(
            set(self._ids(select(_LIJST_INSZ.c.insz).distinct()))
            | set(self._ids(select(_VERDELING.c.insz).distinct()))
        )
        leden = SqlLeden(self.session).op(op_lijst)
        return [
            insz
            for insz in op_lijst
            if (lid := leden.get(insz)) is not None
            and lid.overlijdensdatum is not None
            and lid.overlijdensdatum < voor
        ]

    def verwijder(self, gegevens: Gegevens, ids: Sequence[str], nu: datetime) -> None:
        """Remove the data of ``ids`` (found by `te_verwijderen`)."""
        v = self.session.connection()
        for start in range(0, len(ids), IN_BLOK):
            blok = list(ids[start : start + IN_BLOK])
            if gegevens in (Gegevens.BESLISSING, Gegevens.BESLISSING_F1):
                b = _BESLISSING
                v.execute(
                    update(b)
                    .where(b.c.id.in_(blok))
                    .values(insz="", datum="", antwoord="", feit_ids="[]", gewist_op=nu)
                )
            elif gegevens is Gegevens.LIJST_F2:
                v.execute(
                    update(_LIJST)
                    .where(_LIJST.c.id.in_(blok))
                    .values(payload="", bestand=None, gewist_op=nu)
                )
            elif gegevens is Gegevens.AUDIT:
                a = self.audit
                v.execute(update(a).where(a.c.seq.in_([int(i) for i in blok])).values(inhoud=None))
            elif gegevens is Gegevens.MELDING:
                # emptied, not deleted: the rectifications' numbers stay, so that VSB's
                # position in AII's sequence never points past rows that come again
                r = self.rectificatie
                leeg = (
                    {"oud": "{}", "nieuw": "{}"}
                    if self.node is Node.VSB
                    else {"insz": "", "oud": None, "nieuw": None, "feit_ids": "[]"}
                )
                v.execute(update(r).where(r.c.melding_id.in_(blok)).values(**leeg))
                v.execute(
                    update(self.melding)
                    .where(self.melding.c.id.in_(blok))
                    .values(insz="", omschrijving="", bevinding=None)
                )
            elif gegevens is Gegevens.BERICHT:
                v.execute(delete(_BERICHT).where(_BERICHT.c.id.in_(blok)))
            elif gegevens in (Gegevens.AANVRAAG, Gegevens.AANVRAAG_F1):
                v.execute(delete(_AANVRAAG).where(_AANVRAAG.c.id.in_(blok)))
            elif gegevens is Gegevens.ONTVANGEN_LIJST_F2:
                zendingen = select(_ZENDING.c.id).where(_ZENDING.c.lijst_id.in_(blok))
                v.execute(delete(_VERDELING).where(_VERDELING.c.zending_id.in_(zendingen)))
                v.execute(update(_ZENDING).where(_ZENDING.c.lijst_id.in_(blok)).values(bestand=b""))
                v.execute(delete(_LIJST_INSZ).where(_LIJST_INSZ.c.lijst_id.in_(blok)))
            else:
                v.execute(delete(_VERDELING).where(_VERDELING.c.insz.in_(blok)))
                v.execute(delete(_LIJST_INSZ).where(_LIJST_INSZ.c.insz.in_(blok)))
