"""A KBI dossier: dated facts, each with its registration and withdrawal time (SPEC §4–§5)."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from kbi_exchange.domain.periods import Periode


class DoelgroepType(StrEnum):
    PLICHT = "PLICHT"
    RECHT = "RECHT"


class AttestSoort(StrEnum):
    INBURGERINGSATTEST = "INBURGERINGSATTEST"
    VERKLARING_INSPANNING = "VERKLARING_INSPANNING"
    B1_MONDELING = "B1_MONDELING"


@dataclass(frozen=True, slots=True, kw_only=True)
class Feit(ABC):
    """A fact as the KBI registered it.

    ``geregistreerd_op`` is when the KBI learned it; ``None`` means the source gave no time and
    the fact belongs to the dossier's base record (known from the start, see docs/rules.md).
    ``ingetrokken_op`` is when it was withdrawn; ``opgenomen_op`` when this system stored it.
    """

    id: str
    geregistreerd_op: datetime | None = None
    ingetrokken_op: datetime | None = None
    opgenomen_op: datetime | None = None

    def __reduce__(self) -> tuple[object, ...]:
        # Facts cross process boundaries by the million during an import; the default pickling
        # of slotted dataclasses looks up fields() per object, which costs more than parsing.
        namen = _veldnamen(type(self))
        return (_herbouw, (type(self), tuple(getattr(self, naam) for naam in namen)))

    def gekend(self, gekend_op: datetime) -> bool:
        """Registered at or before ``gekend_op`` and not withdrawn at or before it."""
        if self.geregistreerd_op is not None and self.geregistreerd_op > gekend_op:
            return False
        return self.ingetrokken_op is None or self.ingetrokken_op > gekend_op

    @abstractmethod
    def inhoud(self) -> tuple[object, ...]:
        """The fact's content without id and timestamps: its identity when it has no id."""


_VELDNAMEN: dict[type, tuple[str, ...]] = {}


def _veldnamen(soort: type) -> tuple[str, ...]:
    namen = _VELDNAMEN.get(soort)
    if namen is None:
        namen = _VELDNAMEN[soort] = tuple(f.name for f in fields(soort))
    return namen


def _herbouw(soort: type[Feit], waarden: tuple[object, ...]) -> Feit:
    feit = object.__new__(soort)
    for naam, waarde in zip(_veldnamen(soort), waarden, strict=True):
        object.__setattr__(feit, naam, waarde)
    return feit


@dataclass(frozen=True, slots=True, kw_only=True)
class Doelgroep(Feit):
    type: DoelgroepType
    periode: Periode

    def inhoud(self) -> tuple[object, ...]:
        return ("doelgroep", self.type, self.periode.begin, self.periode.einde)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vrijstelling(Feit):
    reden: str
    periode: Periode

    def inhoud(self) -> tuple[object, ...]:
        return ("vrijstelling", self.reden, self.periode.begin, self.periode.einde)


@dataclass(frozen=True, slots=True, kw_only=True)
class Aanmelding(Feit):
    datum: date

    def inhoud(self) -> tuple[object, ...]:
        return ("aanmelding", self.datum)


@dataclass(frozen=True, slots=True, kw_only=True)
class UitstelAanmelding(Feit):
    periode: Periode
    reden: str | None = None

    def inhoud(self) -> tuple[object, ...]:
        return ("uitstel_aanmelding", self.periode.begin, self.periode.einde, self.reden)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract(Feit):
    datum_ondertekening: date

    def inhoud(self) -> tuple[object, ...]:
        return ("contract", self.datum_ondertekening)


@dataclass(frozen=True, slots=True, kw_only=True)
class UitstelOndertekening(Feit):
    periode: Periode
    reden: str | None = None

    def inhoud(self) -> tuple[object, ...]:
        return ("uitstel_ondertekening", self.periode.begin, self.periode.einde, self.reden)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attest(Feit):
    soort: AttestSoort
    datum: date

    def inhoud(self) -> tuple[object, ...]:
        return ("attest", self.soort, self.datum)


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbreuk(Feit):
    type: str | None
    datum_vaststelling: date
    datum_rechtzetting: date | None = None

    def inhoud(self) -> tuple[object, ...]:
        return ("inbreuk", self.type, self.datum_vaststelling, self.datum_rechtzetting)


def _tekst(waarde: object) -> str:
    return "" if waarde is None else str(waarde)


def inhoud_id(feit: Feit) -> str:
    """A stable id derived from a fact's content, for facts the source gave no id."""
    sleutel = "|".join(map(_tekst, feit.inhoud()))
    return "h:" + hashlib.sha256(sleutel.encode()).hexdigest()[:24]


T = TypeVar("T")
_BEGIN = datetime(1, 1, 2, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class VeldVersie(Generic[T]):
    """One recorded value of a dossier-level field and when this system recorded it."""

    waarde: T
    opgenomen_op: datetime


def waarde_op(versies: tuple[VeldVersie[T], ...], gekend_op: datetime) -> T | None:
    """The value recorded last at or before ``gekend_op``; ``None`` when none was recorded yet."""
    gevonden: T | None = None
    for versie in versies:
        if versie.opgenomen_op <= gekend_op:
            gevonden = versie.waarde
    return gevonden


@dataclass(frozen=True, slots=True)
class Dossier:
    """A person's KBI dossier: facts grouped by kind, dossier-level fields versioned."""

    insz: str
    doelgroepen: tuple[Doelgroep, ...] = ()
    vrijstellingen: tuple[Vrijstelling, ...] = ()
    aanmeldingen: tuple[Aanmelding, ...] = ()
    uitstel_aanmelding: tuple[UitstelAanmelding, ...] = ()
    contracten: tuple[Contract, ...] = ()
    uitstel_ondertekening: tuple[UitstelOndertekening, ...] = ()
    attesten: tuple[Attest, ...] = ()
    inbreuken: tuple[Inbreuk, ...] = ()
    vervangen_door: tuple[VeldVersie[str | None], ...] = field(default=())
    overlijdensdatum: tuple[VeldVersie[date | None], ...] = field(default=())
    geboortedatum: tuple[VeldVersie[date | None], ...] = field(default=())
    # From this moment on every fact is known and none withdrawn (None: some fact is withdrawn),
    # so that evaluation can skip filtering by knowledge time for most questions.
    alles_gekend_vanaf: datetime | None = field(init=False, compare=False, repr=False)
    feit_ids: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        vanaf: datetime | None = _BEGIN
        ids = []
        for feit in self.feiten():
            ids.append(feit.id)
            if feit.ingetrokken_op is not None:
                vanaf = None
            elif vanaf is not None and feit.geregistreerd_op is not None:
                vanaf = max(vanaf, feit.geregistreerd_op)
        object.__setattr__(self, "alles_gekend_vanaf", vanaf)
        object.__setattr__(self, "feit_ids", tuple(ids))

    def alles_gekend(self, gekend_op: datetime) -> bool:
        """True when every fact is known at ``gekend_op`` and none is withdrawn."""
        return self.alles_gekend_vanaf is not None and self.alles_gekend_vanaf <= gekend_op

    def feiten(self) -> Iterator[Feit]:
        yield from self.doelgroepen
        yield from self.vrijstellingen
        yield from self.aanmeldingen
        yield from self.uitstel_aanmelding
        yield from self.contracten
        yield from self.uitstel_ondertekening
        yield from self.attesten
        yield from self.inbreuken

    def vervangen_door_op(self, gekend_op: datetime) -> str | None:
        return waarde_op(self.vervangen_door, gekend_op)

    def overlijdensdatum_op(self, gekend_op: datetime) -> date | None:
        return waarde_op(self.overlijdensdatum, gekend_op)


_GROEP: dict[type[Feit], str] = {
    Doelgroep: "doelgroepen",
    Vrijstelling: "vrijstellingen",
    Aanmelding: "aanmeldingen",
    UitstelAanmelding: "uitstel_aanmelding",
    Contract: "contracten",
    UitstelOndertekening: "uitstel_ondertekening",
    Attest: "attesten",
    Inbreuk: "inbreuken",
}

VELDEN = ("vervangen_door", "overlijdensdatum", "geboortedatum")


def bouw_dossier(
    insz: str, feiten: Iterable[Feit], velden: Mapping[str, Sequence[VeldVersie[Any]]]
) -> Dossier:
    """A dossier from its facts (in registration order) and its fields' versions."""
    groepen: dict[str, list[Feit]] = {}
    for feit in feiten:
        groepen.setdefault(_GROEP[type(feit)], []).append(feit)
    delen: dict[str, Any] = {naam: tuple(lijst) for naam, lijst in groepen.items()}
    delen.update((veld, tuple(velden[veld])) for veld in VELDEN if veld in velden)
    return Dossier(insz, **delen)


class StrijdigFeit(ValueError):
    """A fact id that is already registered with other content."""


@dataclass(frozen=True, slots=True)
class Dossierlijn:
    """One import line: facts to add and the dossier-level fields the line states."""

    insz: str
    feiten: tuple[Feit, ...] = ()
    velden: dict[str, object] = field(default_factory=dict)

    def __reduce__(self) -> tuple[object, ...]:
        return (Dossierlijn, (self.insz, self.feiten, self.velden))


def pas_toe(dossier: Dossier | None, regel: Dossierlijn, opgenomen_op: datetime) -> Dossier:
    """Add an import line to a dossier as SPEC §5 says: only add, never overwrite.

    A known fact repeated with ``ingetrokken_op`` withdraws it; repeated otherwise it is ignored;
    a known id with other content is refused. Changed dossier-level fields get a new version.
    """
    if dossier is None and len({f.id for f in regel.feiten}) == len(regel.feiten):
        return _nieuw_dossier(regel, opgenomen_op)
    huidig = dossier if dossier is not None else Dossier(insz=regel.insz)
    groepen: dict[str, list[Feit]] = {naam: list(getattr(huidig, naam)) for naam in _GROEP.values()}
    bekend: dict[str, tuple[str, int]] = {}
    for naam, feiten in groepen.items():
        for index, feit in enumerate(feiten):
            bekend[feit.id] = (naam, index)
    for nieuw in regel.feiten:
        naam = _GROEP[type(nieuw)]
        if nieuw.id not in bekend:
            groepen[naam].append(
                nieuw
                if nieuw.opgenomen_op == opgenomen_op
                else replace(nieuw, opgenomen_op=opgenomen_op)
            )
            bekend[nieuw.id] = (naam, len(groepen[naam]) - 1)
            continue
        bestaande_groep, index = bekend[nieuw.id]
        oud = groepen[bestaande_groep][index]
        if bestaande_groep != naam or oud.inhoud() != nieuw.inhoud():
            raise StrijdigFeit(f"fact id {nieuw.id!r} is already registered with other content")
        if nieuw.ingetrokken_op is not None and oud.ingetrokken_op is None:
            groepen[naam][index] = replace(oud, ingetrokken_op=nieuw.ingetrokken_op)
    velden: dict[str, tuple[VeldVersie[Any], ...]] = {}
    for veld in VELDEN:
        versies: tuple[VeldVersie[Any], ...] = getattr(huidig, veld)
        if veld in regel.velden:
            laatste = versies[-1].waarde if versies else None
            waarde = regel.velden[veld]
            if not versies or laatste != waarde:
                versies = (*versies, VeldVersie(waarde, opgenomen_op))
        velden[veld] = versies
    return bouw_dossier(huidig.insz, (f for lijst in groepen.values() for f in lijst), velden)


def _nieuw_dossier(regel: Dossierlijn, opgenomen_op: datetime) -> Dossier:
    """The fast path of `pas_toe` for a person new to the KBI whose line repeats no fact."""
    feiten = (
        f if f.opgenomen_op == opgenomen_op else replace(f, opgenomen_op=opgenomen_op)
        for f in regel.feiten
    )
    velden = {
        veld: (VeldVersie(waarde, opgenomen_op),)
        for veld, waarde in regel.velden.items()
        if veld in VELDEN
    }
    return bouw_dossier(regel.insz, feiten, velden)


@dataclass(frozen=True, slots=True)
class Wijzigingen:
    """What applying import lines added to a dossier: the rows a store must append."""

    nieuwe_feiten: tuple[Feit, ...]
    intrekkingen: tuple[Feit, ...]
    nieuwe_velden: tuple[tuple[str, VeldVersie[object]], ...]

    def __bool__(self) -> bool:
        return bool(self.nieuwe_feiten or self.intrekkingen or self.nieuwe_velden)


def wijzigingen(oud: Dossier | None, nieuw: Dossier) -> Wijzigingen:
    """The difference between a dossier before and after `pas_toe`: only additions exist."""
    if oud is None:
        feiten = tuple(nieuw.feiten())
        return Wijzigingen(
            feiten,
            tuple(f for f in feiten if f.ingetrokken_op is not None),
            tuple((veld, versie) for veld in VELDEN for versie in getattr(nieuw, veld)),
        )
    oude = {f.id: f for f in oud.feiten()}
    nieuwe_feiten: list[Feit] = []
    intrekkingen: list[Feit] = []
    for feit in nieuw.feiten():
        vorig = oude.get(feit.id)
        if vorig is None:
            nieuwe_feiten.append(feit)
            if feit.ingetrokken_op is not None:
                intrekkingen.append(feit)
        elif vorig.ingetrokken_op is None and feit.ingetrokken_op is not None:
            intrekkingen.append(feit)
    velden: list[tuple[str, VeldVersie[object]]] = []
    for veld in VELDEN:
        al = len(getattr(oud, veld))
        velden.extend((veld, versie) for versie in getattr(nieuw, veld)[al:])
    return Wijzigingen(tuple(nieuwe_feiten), tuple(intrekkingen), tuple(velden))
