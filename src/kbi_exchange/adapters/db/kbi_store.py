"""The KBI store on SQL: dossiers read back from add-only rows, and rows appended in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from kbi_exchange.adapters.db.aii_models import (
    FeitRij,
    ImportRij,
    IntrekkingRij,
    PersoonRij,
    VeldRij,
)
from kbi_exchange.adapters.db.driver import alle_kolommen, lees, omzetter, voeg_rijen_toe
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.adapters.kbi_jsonl import feit_inhoud, feit_uit_opslag
from kbi_exchange.domain.dossier import (
    Dossier,
    Feit,
    VeldVersie,
    Wijzigingen,
    bouw_dossier,
)

_PERSOON = cast(Table, PersoonRij.__table__)
_FEIT = cast(Table, FeitRij.__table__)
_INTREKKING = cast(Table, IntrekkingRij.__table__)
_VELD = cast(Table, VeldRij.__table__)


def feiten_met_intrekking(*eerst: ColumnElement[Any]) -> Select[Any]:
    """Facts with the moment of their withdrawal, if any: ``eerst`` columns, then the columns
    `feit_uit_rij` takes."""
    return select(
        *eerst,
        _FEIT.c.feit_id,
        _FEIT.c.soort,
        _FEIT.c.inhoud,
        _FEIT.c.geregistreerd_op,
        _FEIT.c.opgenomen_op,
        _INTREKKING.c.ingetrokken_op,
    ).select_from(
        _FEIT.outerjoin(
            _INTREKKING,
            (_INTREKKING.c.insz == _FEIT.c.insz) & (_INTREKKING.c.feit_id == _FEIT.c.feit_id),
        )
    )


def feit_uit_rij(
    feit_id: str,
    soort: str,
    inhoud: str,
    geregistreerd_op: Any,
    opgenomen_op: Any,
    ingetrokken_op: Any,
) -> Feit:
    """A fact from a driver row of `feiten_met_intrekking` (moments in the database's form)."""
    return feit_uit_opslag(
        soort,
        orjson.loads(inhoud),
        feit_id=feit_id,
        geregistreerd_op=moment_uit_db(geregistreerd_op),
        ingetrokken_op=moment_uit_db(ingetrokken_op),
        opgenomen_op=moment_uit_db(opgenomen_op),
    )


def veld_uit_rij(veld: str, waarde: str | None, opgenomen_op: Any) -> VeldVersie[object]:
    """A field version from a driver row (``veld``, ``waarde``, ``opgenomen_op``)."""
    return VeldVersie(veldwaarde(veld, waarde), moment_uit_db(opgenomen_op))


# Built once: constructing a statement costs more than running these small queries. The same
# two queries read one person (`zoek`) and many at once (`zoek_veel`): facts with their
# withdrawal, and the dossier-level field versions, each in recording order.
_ZOEK_FEITEN = feiten_met_intrekking().where(_FEIT.c.insz == bindparam("insz")).order_by(_FEIT.c.id)
_ZOEK_VELDEN = (
    select(_VELD.c.veld, _VELD.c.waarde, _VELD.c.opgenomen_op)
    .where(_VELD.c.insz == bindparam("insz"))
    .order_by(_VELD.c.id)
)
_VEEL_FEITEN = (
    feiten_met_intrekking(_FEIT.c.insz)
    .where(_FEIT.c.insz.in_(bindparam("inszen", expanding=True)))
    .order_by(_FEIT.c.id)
)
_VEEL_VELDEN = (
    select(_VELD.c.insz, _VELD.c.veld, _VELD.c.waarde, _VELD.c.opgenomen_op)
    .where(_VELD.c.insz.in_(bindparam("inszen", expanding=True)))
    .order_by(_VELD.c.id)
)

# SQLite allows 32 766 bound parameters per statement; stay well below.
IN_BLOK = 5_000


def veldwaarde(veld: str, tekst: str | None) -> object:
    if tekst is None:
        return None
    return tekst if veld == "vervangen_door" else date.fromisoformat(tekst)


def _veldtekst(waarde: object) -> str | None:
    if waarde is None:
        return None
    return waarde.isoformat() if isinstance(waarde, date) else str(waarde)


class SqlKbi:
    """Dossiers of the KBI in a node's database, within one session (never commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def dossiers(self, inszen: Collection[str]) -> dict[str, Dossier]:
        """The dossiers of these INSZ that exist, read in a few queries."""
        resultaat: dict[str, Dossier] = {}
        lijst = list(inszen)
        for start in range(0, len(lijst), IN_BLOK):
            resultaat.update(self._blok(lijst[start : start + IN_BLOK]))
        return resultaat

    def _blok(self, gevraagd: list[str]) -> dict[str, Dossier]:
        # Persons first: a large import asks mostly for people the KBI does not hold yet,
        # and then the three queries for their facts are not needed at all. Core statements
        # on the tables: the ORM's per-statement work costs more than these small queries.
        verbinding = self.session.connection()
        bekend = set(
            verbinding.scalars(select(_PERSOON.c.insz).where(_PERSOON.c.insz.in_(gevraagd)))
        )
        if not bekend:
            return {}
        inszen = list(bekend)
        intrekkingen = {
            (insz, feit_id): moment
            for insz, feit_id, moment in verbinding.execute(
                select(
                    _INTREKKING.c.insz, _INTREKKING.c.feit_id, _INTREKKING.c.ingetrokken_op
                ).where(_INTREKKING.c.insz.in_(inszen))
            )
        }
        feiten: dict[str, list[Feit]] = defaultdict(list)
        for rij in verbinding.execute(
            select(
                _FEIT.c.insz,
                _FEIT.c.feit_id,
                _FEIT.c.soort,
                _FEIT.c.inhoud,
                _FEIT.c.geregistreerd_op,
                _FEIT.c.opgenomen_op,
            )
            .where(_FEIT.c.insz.in_(inszen))
            .order_by(_FEIT.c.id)
        ):
            feiten[rij.insz].append(
                feit_uit_opslag(
                    rij.soort,
                    orjson.loads(rij.inhoud),
                    feit_id=rij.feit_id,
                    geregistreerd_op=rij.geregistreerd_op,
                    ingetrokken_op=intrekkingen.get((rij.insz, rij.feit_id)),
                    opgenomen_op=rij.opgenomen_op,
                )
            )
        velden: dict[str, dict[str, list[VeldVersie[object]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for insz, veld, waarde, opgenomen_op in verbinding.execute(
            select(_VELD.c.insz, _VELD.c.veld, _VELD.c.waarde, _VELD.c.opgenomen_op)
            .where(_VELD.c.insz.in_(inszen))
            .order_by(_VELD.c.id)
        ):
            velden[insz][veld].append(VeldVersie(veldwaarde(veld, waarde), opgenomen_op))
        return {
            insz: bouw_dossier(insz, feiten.get(insz, ()), velden.get(insz, {})) for insz in bekend
        }

    def zoek(self, insz: str) -> Dossier | None:
        """One person's dossier in two queries (the advice service's hot path).

        A person known to the KBI without a single fact or field reads as unknown here, which
        decides the same (NIET_VERPLICHT); the import uses `dossiers`, which tells them apart.
        """
        verbinding = self.session.connection()
        feiten = [feit_uit_rij(*rij) for rij in lees(verbinding, _ZOEK_FEITEN, insz=insz)]
        velden: dict[str, list[VeldVersie[object]]] = defaultdict(list)
        for rij in lees(verbinding, _ZOEK_VELDEN, insz=insz):
            velden[rij[0]].append(veld_uit_rij(*rij))
        if not feiten and not velden:
            return None
        return bouw_dossier(insz, feiten, velden)

    def zoek_veel(self, inszen: Collection[str]) -> dict[str, Dossier | None]:
        """`zoek` for many people in two queries per block (a write group of the advice
        service): each INSZ maps to its dossier, or None exactly when `zoek` gives None."""
        resultaat: dict[str, Dossier | None] = {}
        lijst = sorted(set(inszen))
        verbinding = self.session.connection()
        for start in range(0, len(lijst), IN_BLOK):
            blok = lijst[start : start + IN_BLOK]
            feiten: dict[str, list[Feit]] = defaultdict(list)
            for insz, *rij in verbinding.execute(_VEEL_FEITEN, {"inszen": blok}):
                feiten[insz].append(feit_uit_rij(*rij))
            velden: dict[str, dict[str, list[VeldVersie[object]]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for insz, *rij in verbinding.execute(_VEEL_VELDEN, {"inszen": blok}):
                velden[insz][rij[0]].append(veld_uit_rij(*rij))
            for insz in blok:
                if insz in feiten or insz in velden:
                    resultaat[insz] = bouw_dossier(insz, feiten.get(insz, ()), velden.get(insz, {}))
                else:
                    resultaat[insz] = None
        return resultaat

    def op_lijst(
        self,
        *,
        jaar: int,
        nu: datetime,
        aantal_werkers: int | None = None,
        voortgang: Callable[[int], None] = lambda _: None,
    ) -> list[str]:
        """The INSZ on the yearly list of ``jaar`` as known at ``nu``, in order (streamed over
        the whole KBI, in worker processes for a large one)."""
        from kbi_exchange.adapters.db.kbi_stream import inszen_op_lijst  # noqa: PLC0415 - cycle

        return inszen_op_lijst(
            self.session, jaar=jaar, nu=nu, aantal_werkers=aantal_werkers, voortgang=voortgang
        )

    def inszen(self, blok: int = 1_000) -> Iterator[list[str]]:
        """Every INSZ held, in order, a block at a time (streaming over the whole KBI)."""
        vorige = ""
        while True:
            volgende = list(
                self.session.scalars(
                    select(PersoonRij.insz)
                    .where(PersoonRij.insz > vorige)
                    .order_by(PersoonRij.insz)
                    .limit(blok)
                )
            )
            if not volgende:
                return
            yield volgende
            vorige = volgende[-1]

    def aantal_personen(self) -> int:
        return self.session.scalar(select(func.count()).select_from(PersoonRij)) or 0

    def begin_import(self, rij: dict[str, Any]) -> None:
        self.session.execute(insert(ImportRij), [rij])

    def sluit_import(self, import_id: str, **tellers: Any) -> None:
        self.session.execute(update(ImportRij).where(ImportRij.id == import_id).values(**tellers))

    def voeg_toe(
        self,
        veranderd: dict[str, tuple[bool, Wijzigingen]],
        *,
        opgenomen_op: datetime,
        import_id: str,
    ) -> None:
        """Append the rows for the changes of a batch; `True` marks a person new to the KBI."""
        verbinding = self.session.connection()
        # Moments go through the column type's own conversion; the import's one recording
        # moment is converted once, not once per row.
        naar_db = omzetter(verbinding)
        opgenomen = naar_db(opgenomen_op)
        personen: list[tuple[Any, ...]] = []
        feiten: list[tuple[Any, ...]] = []
        intrekkingen: list[tuple[Any, ...]] = []
        velden: list[tuple[Any, ...]] = []
        for insz, (nieuw, w) in veranderd.items():
            if nieuw:
                personen.append((insz, opgenomen))
            for feit in w.nieuwe_feiten:
                soort, inhoud = feit_inhoud(feit)
                geregistreerd = feit.geregistreerd_op
                feiten.append(
                    (
                        insz,
                        feit.id,
                        soort,
                        orjson.dumps(inhoud).decode(),
                        None if geregistreerd is None else naar_db(geregistreerd),
                        opgenomen,
                        import_id,
                    )
                )
            intrekkingen.extend(
                (insz, feit.id, naar_db(feit.ingetrokken_op), opgenomen, import_id)
                for feit in w.intrekkingen
            )
            velden.extend(
                (insz, veld, _veldtekst(versie.waarde), naar_db(versie.opgenomen_op), import_id)
                for veld, versie in w.nieuwe_velden
            )
        _voeg_toe(verbinding, PersoonRij, personen)
        _voeg_toe(verbinding, FeitRij, feiten)
        _voeg_toe(verbinding, IntrekkingRij, intrekkingen)
        _voeg_toe(verbinding, VeldRij, velden)


def _voeg_toe(verbinding: Connection, model: Any, rijen: list[tuple[Any, ...]]) -> None:
    """Rows in the table's column order: at a million dossiers SQLAlchemy's per-row parameter
    handling would cost several times the insert itself."""
    tabel = cast(Table, model.__table__)
    voeg_rijen_toe(verbinding, tabel, alle_kolommen(tabel), rijen)
