"""What the retention run removes, found and removed on a node's database (SPEC §10).

Every query finds only what still holds the data, so a rerun after a kill (or a second run)
finds what is left and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aanvragen_store import ONBESLIST
from kbi_exchange.adapters.db.aii_models import (
    BeslissingRow,
    LijstRow,
    LijstSleutelRow,
    MeldingRow,
    RectificatieRow,
)
from kbi_exchange.adapters.db.audit_store import AII_AUDIT, VSB_AUDIT
from kbi_exchange.adapters.db.bewaring_vsb import (
    AANVRAAG,
    BERICHT,
    LIJST_INSZ,
    VERDELING,
    VSB_LIJST,
    ZENDING,
    ids,
    meld_onbeslist,
    overleden,
    overtollig,
    vergeet_overledenen,
)
from kbi_exchange.adapters.db.leden_store import IN_BLOK
from kbi_exchange.adapters.db.vsb_models import (
    VsbLijstSleutelRow,
    VsbMeldingRow,
    VsbRectificatieRow,
)
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.bewaring import (
    GEGEVENS_VAN_NODE,
    PURGE_GEBEURTENISSEN,
    Gegevens,
    Opdracht,
    persoon,
)
from kbi_exchange.domain.dates import begin_van_dag
from kbi_exchange.domain.kwaliteit import MeldingStatus
from kbi_exchange.domain.lijst import LijstStatus

_BESLISSING = cast(Table, BeslissingRow.__table__)
_LIJST = cast(Table, LijstRow.__table__)


def _lijst_inhoud_weg(voor: datetime) -> Any:
    """AII's lists whose payload and file may go: VSB received the list and a later year's
    list, or — for a replaced list — its rectification."""
    x = _LIJST
    later = _LIJST.alias("later")
    opvolger = _LIJST.alias("opvolger")
    ontvangen_en_later = and_(
        x.c.ontvangen_op.is_not(None),
        exists().where(later.c.jaar > x.c.jaar, later.c.ontvangen_op.is_not(None)),
    )
    vervangen = and_(
        x.c.status == LijstStatus.VERVANGEN.value,
        exists().where(opvolger.c.vervangt == x.c.id, opvolger.c.ontvangen_op.is_not(None)),
    )
    return (
        select(x.c.id)
        .where(x.c.gewist_op.is_(None), x.c.gemaakt_op < voor, or_(ontvangen_en_later, vervangen))
        .order_by(x.c.gemaakt_op, x.c.id)
    )


class SqlBewaring:
    """Within one transaction; never commits."""

    def __init__(self, session: Session, node: Node) -> None:
        self.session = session
        self.node = node
        self.audit = (AII_AUDIT if node is Node.AII else VSB_AUDIT).audit
        vsb = node is Node.VSB
        self.melding = cast(Table, (VsbMeldingRow if vsb else MeldingRow).__table__)
        self.sleutel = cast(Table, (VsbLijstSleutelRow if vsb else LijstSleutelRow).__table__)
        self.rectificatie = cast(Table, (VsbRectificatieRow if vsb else RectificatieRow).__table__)

    def _ids(self, stmt: Any) -> list[str]:
        return ids(self.session, stmt)

    def te_verwijderen(self, opdracht: Opdracht) -> list[str]:
        """The ids of what ``opdracht`` removes and still holds its data, oldest first."""
        g = opdracht.gegevens
        if g not in GEGEVENS_VAN_NODE[self.node]:
            raise ValueError(f"{g} is not kept on the {self.node} node")
        voor = begin_van_dag(opdracht.grens)
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
        if self.node is Node.AII:
            return self._aii_te_verwijderen(g, voor)
        return self._vsb_te_verwijderen(opdracht, voor)

    def _aii_te_verwijderen(self, g: Gegevens, voor: datetime) -> list[str]:
        """AII's kinds: decision records, lists."""
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
        if g is Gegevens.LIJST_INHOUD:
            return self._ids(_lijst_inhoud_weg(voor))
        raise ValueError(f"{g} is not kept on the AII node")

    def _vsb_te_verwijderen(self, opdracht: Opdracht, voor: datetime) -> list[str]:
        """VSB's kinds: applications, received lists and their distribution, messages."""
        g = opdracht.gegevens
        if g is Gegevens.AANVRAAG:
            a = AANVRAAG
            return self._ids(
                select(a.c.id)
                .where(a.c.bewaren_tot < opdracht.grens)
                .order_by(a.c.bewaren_tot, a.c.id)
            )
        if g is Gegevens.AANVRAAG_ONBESLIST:
            a = AANVRAAG
            laatst = func.coalesce(a.c.gevraagd_op, a.c.aangemaakt_op)  # asked, else recorded
            return self._ids(
                select(a.c.id)
                .where(a.c.status.in_(ONBESLIST), laatst < voor)
                .order_by(a.c.aangemaakt_op, a.c.id)
            )
        if g is Gegevens.ZORGKAS_BESTAND:
            z = ZENDING
            return self._ids(
                select(z.c.id)
                .where(
                    func.length(z.c.bestand) > 0,
                    z.c.verzonden_op.is_not(None),  # one not yet sent is still to go out
                    or_(z.c.gedownload_op.is_not(None), z.c.gemaakt_op < voor),
                )
                .order_by(z.c.gemaakt_op, z.c.id)
            )
        if g is Gegevens.LIJST_OVERTOLLIG:
            return overtollig(self.session)
        if g is Gegevens.AANVRAAG_F1:
            a = AANVRAAG
            return self._ids(
                select(a.c.id)
                .where(a.c.referte.is_not(None), a.c.aangemaakt_op < voor)
                .order_by(a.c.aangemaakt_op, a.c.id)
            )
        if g is Gegevens.ONTVANGEN_LIJST_F2:
            x = VSB_LIJST
            met_insz = exists().where(LIJST_INSZ.c.lijst_id == x.c.id)
            met_bestand = exists().where(
                ZENDING.c.lijst_id == x.c.id, func.length(ZENDING.c.bestand) > 0
            )
            return self._ids(
                select(x.c.id)
                .where(x.c.ontvangen_op < voor, or_(met_insz, met_bestand))
                .order_by(x.c.ontvangen_op, x.c.id)
            )
        if g is Gegevens.BERICHT:
            b = BERICHT
            return self._ids(
                select(b.c.id).where(b.c.gemaakt_op < voor).order_by(b.c.gemaakt_op, b.c.id)
            )
        return overleden(self.session, opdracht.grens)

    def verwijder(
        self,
        gegevens: Gegevens,
        ids: Sequence[str],
        nu: datetime,
        sleutels: Callable[[str], list[str]],
    ) -> list[str]:
        """Remove the data of ``ids`` (found by `te_verwijderen`); the names of the exchange
        files that carried it, for the caller to take out of the mailbox once committed.
        ``sleutels`` gives a number's keyed hashes (the current key's first): a person taken
        off a list by its retention stays findable by them (SPEC §8.7); a person whose ground
        went (death, the flow's end) does not."""
        v = self.session.connection()
        bestanden: list[str] = []
        for start in range(0, len(ids), IN_BLOK):
            blok = list(ids[start : start + IN_BLOK])
            if gegevens is Gegevens.AUDIT:
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
            elif self.node is Node.AII:
                bestanden += self._verwijder_aii(v, gegevens, blok, nu, sleutels)
            else:
                bestanden += self._verwijder_vsb(v, gegevens, blok, nu, sleutels)
        return bestanden

    def _verwijder_aii(
        self,
        v: Connection,
        gegevens: Gegevens,
        blok: list[str],
        nu: datetime,
        sleutels: Callable[[str], list[str]],
    ) -> list[str]:
        """AII's kinds: decision records' content, lists' payloads and files."""
        bestanden: list[str] = []
        if gegevens in (Gegevens.BESLISSING, Gegevens.BESLISSING_F1):
            b = _BESLISSING
            v.execute(
                update(b)
                .where(b.c.id.in_(blok))
                .values(insz="", datum="", antwoord="", feit_ids="[]", gewist_op=nu)
            )
        elif gegevens in (Gegevens.LIJST_F2, Gegevens.LIJST_INHOUD):
            if gegevens is Gegevens.LIJST_INHOUD:
                self._bewaar_sleutels(blok, sleutels)
            else:
                v.execute(delete(self.sleutel).where(self.sleutel.c.lijst_id.in_(blok)))
            # a file held back (or never routed) goes with the payload it carried
            bestanden += [
                str(naam)
                for (naam,) in v.execute(
                    select(_LIJST.c.bestand_naam).where(
                        _LIJST.c.id.in_(blok), _LIJST.c.bestand_naam.is_not(None)
                    )
                )
            ]
            v.execute(
                update(_LIJST)
                .where(_LIJST.c.id.in_(blok))
                .values(payload="", bestand=None, gewist_op=nu)
            )
        else:
            raise ValueError(f"{gegevens} is not removed by this store")
        return bestanden

    def _verwijder_vsb(
        self,
        v: Connection,
        gegevens: Gegevens,
        blok: list[str],
        nu: datetime,
        sleutels: Callable[[str], list[str]],
    ) -> list[str]:
        """VSB's kinds: applications, received lists, their files and distribution, the dead."""
        bestanden: list[str] = []
        if gegevens is Gegevens.ZORGKAS_BESTAND:
            v.execute(update(ZENDING).where(ZENDING.c.id.in_(blok)).values(bestand=b""))
        elif gegevens is Gegevens.LIJST_OVERTOLLIG:
            for item in blok:
                insz, lijst_id = persoon(item)
                self._voeg_sleutels_toe([(str(lijst_id), sleutels(insz)[0])])
                v.execute(
                    delete(LIJST_INSZ).where(
                        LIJST_INSZ.c.lijst_id == lijst_id, LIJST_INSZ.c.insz == insz
                    )
                )
        elif gegevens is Gegevens.BERICHT:
            v.execute(delete(BERICHT).where(BERICHT.c.id.in_(blok)))
        elif gegevens is Gegevens.AANVRAAG_ONBESLIST:
            meld_onbeslist(self.session, blok, nu)
            v.execute(delete(AANVRAAG).where(AANVRAAG.c.id.in_(blok)))
        elif gegevens in (Gegevens.AANVRAAG, Gegevens.AANVRAAG_F1):
            v.execute(delete(AANVRAAG).where(AANVRAAG.c.id.in_(blok)))
        elif gegevens is Gegevens.ONTVANGEN_LIJST_F2:
            zendingen = select(ZENDING.c.id).where(ZENDING.c.lijst_id.in_(blok))
            v.execute(delete(VERDELING).where(VERDELING.c.zending_id.in_(zendingen)))
            v.execute(update(ZENDING).where(ZENDING.c.lijst_id.in_(blok)).values(bestand=b""))
            v.execute(delete(LIJST_INSZ).where(LIJST_INSZ.c.lijst_id.in_(blok)))
            v.execute(delete(self.sleutel).where(self.sleutel.c.lijst_id.in_(blok)))
        elif gegevens is Gegevens.OVERLEDEN:
            bestanden += vergeet_overledenen(self.session, blok)
            hashes = [h for insz in blok for h in sleutels(insz)]
            v.execute(delete(self.sleutel).where(self.sleutel.c.insz_hash.in_(hashes)))
        else:
            raise ValueError(f"{gegevens} is not removed by this store")
        return bestanden

    def _bewaar_sleutels(self, lijst_ids: list[str], sleutels: Callable[[str], list[str]]) -> None:
        """Before AII's list payloads go: each listed person's keyed hash, per list."""
        rijen = self.session.connection().execute(
            select(_LIJST.c.id, _LIJST.c.payload).where(_LIJST.c.id.in_(lijst_ids))
        )
        self._voeg_sleutels_toe(
            [
                (str(lijst_id), sleutels(insz)[0])
                for lijst_id, payload in rijen
                for insz in str(payload).partition("\n\n")[2].split()
            ]
        )

    def _voeg_sleutels_toe(self, paren: list[tuple[str, str]]) -> None:
        bestaand = {
            (str(a), str(b))
            for a, b in self.session.connection().execute(
                select(self.sleutel.c.lijst_id, self.sleutel.c.insz_hash).where(
                    self.sleutel.c.lijst_id.in_({lijst for lijst, _ in paren})
                )
            )
        }
        nieuw = [p for p in dict.fromkeys(paren) if p not in bestaand]
        for start in range(0, len(nieuw), IN_BLOK):
            self.session.connection().execute(
                self.sleutel.insert(),
                [{"lijst_id": a, "insz_hash": b} for a, b in nieuw[start : start + IN_BLOK]],
            )
