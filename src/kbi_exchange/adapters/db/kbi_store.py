"""The KBI store on SQL: dossiers read back from add-only rows, and rows appended in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
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
    FeitRow,
    ImportRow,
    IntrekkingRow,
    PersoonRow,
    VeldRow,
)
from kbi_exchange.adapters.db.driver import alle_kolommen, fetch_all, omzetter, voeg_rijen_toe
from kbi_exchange.adapters.db.types import moment_uit_db
from kbi_exchange.adapters.kbi_jsonl import feit_inhoud, feit_uit_opslag
from kbi_exchange.domain.dossier import (
    Dossier,
    Feit,
    VeldVersie,
    Wijzigingen,
    bouw_dossier,
)

_PERSOON = cast(Table, PersoonRow.__table__)
_FEIT = cast(Table, FeitRow.__table__)
_INTREKKING = cast(Table, IntrekkingRow.__table__)
_VELD = cast(Table, VeldRow.__table__)


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


def _feiten(waar: ColumnElement[bool]) -> Select[Any]:
    """Facts with their withdrawal, the INSZ first, by person in recording order."""
    return feiten_met_intrekking(_FEIT.c.insz).where(waar).order_by(_FEIT.c.insz, _FEIT.c.id)


def _velden(waar: ColumnElement[bool]) -> Select[Any]:
    """Dossier-level field versions, the INSZ first, by person in recording order."""
    return (
        select(_VELD.c.insz, _VELD.c.veld, _VELD.c.waarde, _VELD.c.opgenomen_op)
        .where(waar)
        .order_by(_VELD.c.insz, _VELD.c.id)
    )


# One way to read dossiers: the same two reads (facts, field versions) for one person
# (`zoek`), a list of people (`zoek_veel`, `dossiers`) and a range of INSZ (`stroom`), put
# together by `_Gelezen`. Built once: constructing a statement costs more than running
# these small queries.
_EEN = (_feiten(_FEIT.c.insz == bindparam("insz")), _velden(_VELD.c.insz == bindparam("insz")))
_VEEL = (
    _feiten(_FEIT.c.insz.in_(bindparam("inszen", expanding=True))),
    _velden(_VELD.c.insz.in_(bindparam("inszen", expanding=True))),
)
_BEREIK = (
    _feiten((_FEIT.c.insz > bindparam("van")) & (_FEIT.c.insz <= bindparam("tot"))),
    _velden((_VELD.c.insz > bindparam("van")) & (_VELD.c.insz <= bindparam("tot"))),
)
# persons per block of a stream: bounded memory, few round trips
STROOM_BLOK = 5_000
# the highest INSZ there can be: a range without an upper end
EINDE = "99999999999"
_PERSONEN_IN_BEREIK = (
    select(_PERSOON.c.insz)
    .where(_PERSOON.c.insz > bindparam("van"), _PERSOON.c.insz <= bindparam("tot"))
    .order_by(_PERSOON.c.insz)
    .limit(STROOM_BLOK)
)

_INSZ = itemgetter(0)


class _Gelezen:
    """The rows of the two reads, by person (every read orders them by INSZ): facts and field
    versions of the people with at least one of either."""

    def __init__(self) -> None:
        self.feiten: dict[str, list[Feit]] = {}
        self.velden: dict[str, dict[str, list[VeldVersie[object]]]] = {}

    def voeg_toe(
        self, feit_rijen: Iterable[Sequence[Any]], veld_rijen: Iterable[Sequence[Any]]
    ) -> _Gelezen:
        # A million dossiers pass here for the yearly list: grouped, not looked up per row.
        # The reads order by INSZ; rows that did not would still all be kept (extend).
        for insz, rijen in groupby(feit_rijen, key=_INSZ):
            self.feiten.setdefault(insz, []).extend(feit_uit_rij(*rij[1:]) for rij in rijen)
        for insz, rijen in groupby(veld_rijen, key=_INSZ):
            per_veld = self.velden.setdefault(insz, defaultdict(list))
            for rij in rijen:
                per_veld[rij[1]].append(veld_uit_rij(*rij[1:]))
        return self

    def __contains__(self, insz: str) -> bool:
        return insz in self.feiten or insz in self.velden

    def __bool__(self) -> bool:
        return bool(self.feiten or self.velden)

    def dossier(self, insz: str) -> Dossier:
        return bouw_dossier(insz, self.feiten.get(insz, ()), self.velden.get(insz, {}))


def stroom_dossiers(
    verbinding: Connection, *, van: str = "", tot: str = EINDE
) -> Iterator[list[Dossier]]:
    """The dossiers of the persons with ``van < insz <= tot``, a block at a time, in INSZ order
    (range reads on the ``(insz, id)`` indexes, on the DBAPI cursor)."""
    vorige = van
    while True:
        personen = [
            rij[0] for rij in fetch_all(verbinding, _PERSONEN_IN_BEREIK, van=vorige, tot=tot)
        ]
        if not personen:
            return
        grens = {"van": vorige, "tot": personen[-1]}
        gelezen = _Gelezen().voeg_toe(
            fetch_all(verbinding, _BEREIK[0], **grens), fetch_all(verbinding, _BEREIK[1], **grens)
        )
        yield [gelezen.dossier(insz) for insz in personen]
        vorige = personen[-1]


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

    def _lees(self, inszen: list[str]) -> _Gelezen:
        verbinding = self.session.connection()
        gelezen = _Gelezen()
        for start in range(0, len(inszen), IN_BLOK):
            blok = {"inszen": inszen[start : start + IN_BLOK]}
            gelezen.voeg_toe(verbinding.execute(_VEEL[0], blok), verbinding.execute(_VEEL[1], blok))
        return gelezen

    def dossiers(self, inszen: Collection[str]) -> dict[str, Dossier]:
        """The dossiers of these INSZ that the KBI holds, also those without a fact yet (the
        import tells a known person from a new one)."""
        # Persons first: a large import asks mostly for people the KBI does not hold yet,
        # and then the reads of their facts are not needed at all.
        verbinding = self.session.connection()
        lijst = sorted(set(inszen))
        bekend: list[str] = []
        for start in range(0, len(lijst), IN_BLOK):
            bekend += verbinding.scalars(
                select(_PERSOON.c.insz).where(_PERSOON.c.insz.in_(lijst[start : start + IN_BLOK]))
            )
        gelezen = self._lees(bekend) if bekend else _Gelezen()
        return {insz: gelezen.dossier(insz) for insz in bekend}

    def zoek(self, insz: str) -> Dossier | None:
        """One person's dossier in two queries (replay, `kbi aii decide`).

        A person known to the KBI without a single fact or field reads as unknown here, which
        decides the same (NIET_VERPLICHT); the import uses `dossiers`, which tells them apart.
        """
        verbinding = self.session.connection()
        gelezen = _Gelezen().voeg_toe(
            fetch_all(verbinding, _EEN[0], insz=insz), fetch_all(verbinding, _EEN[1], insz=insz)
        )
        return gelezen.dossier(insz) if gelezen else None

    def zoek_veel(self, inszen: Collection[str]) -> dict[str, Dossier | None]:
        """`zoek` for many people in two queries per block (a write group of the advice
        service): each INSZ maps to its dossier, or None exactly when `zoek` gives None."""
        gelezen = self._lees(sorted(set(inszen)))
        return {insz: gelezen.dossier(insz) if insz in gelezen else None for insz in inszen}

    def stroom(self) -> Iterator[list[Dossier]]:
        """Every dossier, a block at a time in INSZ order (the demo's summary)."""
        return stroom_dossiers(self.session.connection())

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

    def aantal_personen(self) -> int:
        return self.session.scalar(select(func.count()).select_from(PersoonRow)) or 0

    def begin_import(self, rij: dict[str, Any]) -> None:
        self.session.execute(insert(ImportRow), [rij])

    def sluit_import(self, import_id: str, **tellers: Any) -> None:
        self.session.execute(update(ImportRow).where(ImportRow.id == import_id).values(**tellers))

    def recente_imports(self, aantal: int) -> list[dict[str, object]]:
        rijen = self.session.scalars(
            select(ImportRow).order_by(ImportRow.gestart_op.desc()).limit(aantal)
        )
        return [
            {kolom.key: getattr(rij, kolom.key) for kolom in ImportRow.__table__.columns}
            for rij in rijen
        ]

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
        _voeg_toe(verbinding, PersoonRow, personen)
        _voeg_toe(verbinding, FeitRow, feiten)
        _voeg_toe(verbinding, IntrekkingRow, intrekkingen)
        _voeg_toe(verbinding, VeldRow, velden)


def _voeg_toe(verbinding: Connection, model: Any, rijen: list[tuple[Any, ...]]) -> None:
    """Rows in the table's column order: at a million dossiers SQLAlchemy's per-row parameter
    handling would cost several times the insert itself."""
    tabel = cast(Table, model.__table__)
    voeg_rijen_toe(verbinding, tabel, alle_kolommen(tabel), rijen)
