"""The protocol's own life (SPEC §12, protocol art. 8 and 12): its flows and their legal bases
as data, and what happened to it — suspended, resumed, notice given, ended, a basis lapsed.

The state at a moment follows from the shipped definition and the recorded events only, so
it is reproducible for any past moment; every disclosure asks it at the moment it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.audit_inhoud import ProtocolStapInhoud
from kbi_exchange.domain.dates import (
    dag_in_brussel,
)
from kbi_exchange.domain.fouten import Forbidden, Ongeldig
from kbi_exchange.domain.periods import plus_maanden


class ProtocolFout(Ongeldig):
    """A protocol step that cannot be taken as asked; the reason says why."""


class AlGegeven(ProtocolFout):
    """A step that conflicts with one recorded before: a second notice, or anything after
    the end."""

    status = 409


class GeenWettelijkeContext(Forbidden):
    """A disclosure refused because the protocol or the flow's basis does not allow it now
    (40001); the message says why, in Dutch, as the uitzondering does."""


class Stroom(StrEnum):
    F1 = "F1"  # individual advice (ZORGBUDGET)
    F2 = "F2"  # the yearly list (VERLAAGDE_PREMIE)


class Soort(StrEnum):
    """What can happen to the protocol."""

    GESCHORST = "geschorst"  # AII suspends every flow at once (art. 8), while it investigates
    HERVAT = "hervat"  # AII's DPO resumes them
    OPGEZEGD = "opgezegd"  # a party gives notice: ends 12 months later (art. 12)
    BEEINDIGD = "beeindigd"  # AII ends it unilaterally (art. 8)
    GROND_VERVALT = "grond_vervalt"  # a flow's legal basis lapses on a date
    # VSB reports to AII that a basis lapsed: AII's DPO weighs it and records it, or not (AII
    # decides what it discloses; VSB's word alone neither stops its flows nor purges its data)
    GROND_GEMELD = "grond_gemeld"


class Toestand(StrEnum):
    NOG_NIET = "nog_niet_in_werking"
    IN_WERKING = "in_werking"
    GESCHORST = "geschorst"
    OPGEZEGD = "opgezegd"  # in force until the notice ends it
    BEEINDIGD = "beeindigd"


@dataclass(frozen=True, slots=True)
class Rechtsgrond:
    instrument: str
    artikel: str
    geldig_van: date
    geldig_tot: date | None = None  # the last day it holds; None: no end known

    def geldt_op(self, dag: date) -> bool:
        return self.geldig_van <= dag and (self.geldig_tot is None or dag <= self.geldig_tot)


@dataclass(frozen=True, slots=True)
class StroomDefinitie:
    stroom: Stroom
    doel: str
    omschrijving: str
    rechtsgronden: tuple[Rechtsgrond, ...]
    gegevens: tuple[str, ...] = ()
    ontvangers: tuple[str, ...] = ()
    bewaring: str = ""
    periodiciteit: str = ""


@dataclass(frozen=True, slots=True)
class ProtocolDefinitie:
    naam: str
    in_werking: date
    opzegtermijn_maanden: int
    partijen: tuple[dict[str, str], ...]
    stromen: tuple[StroomDefinitie, ...]
    contactpunten: tuple[dict[str, str], ...] = ()

    def stroom(self, stroom: Stroom) -> StroomDefinitie:
        return next(s for s in self.stromen if s.stroom is stroom)

    def stroom_voor_doel(self, doel: str) -> Stroom | None:
        return next((s.stroom for s in self.stromen if s.doel == doel), None)


@dataclass(frozen=True, slots=True)
class ProtocolGebeurtenis:
    """One recorded step: what, when, by whom, why; for a lapse, the flow and the day."""

    id: str
    soort: Soort
    op: datetime
    door: str
    reden: str
    partij: str | None = None  # who gave notice
    stroom: Stroom | None = None  # whose basis lapsed
    datum: date | None = None  # from which day the basis no longer holds
    # an own step that binds the other party: when its node took it (a notice runs 12 months
    # from then); a step received from the other party: when this node took it (its ``op``)
    ontvangen_op: datetime | None = None
    # an own step the other party's node read and refused for good, and why: it is not sent
    # again, and an own notice so refused does not run
    geweigerd: str | None = None

    @property
    def ontvangen(self) -> bool:
        """Whether this step came from the other party (recorded under its id)."""
        return self.door.startswith("partij:")

    def json(self) -> ProtocolStapInhoud:
        return {
            "id": self.id,
            "soort": self.soort.value,
            "op": self.op.isoformat(),
            "door": self.door,
            "reden": self.reden,
            "partij": self.partij,
            "stroom": self.stroom.value if self.stroom else None,
            "datum": self.datum.isoformat() if self.datum else None,
            "ontvangen_op": self.ontvangen_op.isoformat() if self.ontvangen_op else None,
            "geweigerd": self.geweigerd,
        }

    def melding(self, nu: datetime) -> dict[str, Any]:
        """What the other party's node is sent: the step, not who took it. A notice carries
        the moment it is sent (the receiver refuses one dated in the past)."""
        return {
            "id": self.id,
            "soort": self.soort.value,
            "op": (nu if self.soort is Soort.OPGEZEGD else self.op).isoformat(),
            "reden": self.reden,
            "partij": self.partij,
            "stroom": self.stroom.value if self.stroom else None,
            "datum": self.datum.isoformat() if self.datum else None,
        }


# the steps a party's node tells the other (SPEC §12): AII's suspension, resumption and end
# (art. 8) bind VSB; a lapse and a notice bind both, whoever records it
TE_MELDEN: dict[Node, frozenset[Soort]] = {
    Node.AII: frozenset(Soort),
    Node.VSB: frozenset({Soort.OPGEZEGD, Soort.GROND_VERVALT}),
}


@dataclass(frozen=True, slots=True)
class Weigering:
    """An earlier NOK answer of F1, as the annulment report names it: enough for VSB to find
    its application by the referte, and no INSZ."""

    beslissing_id: str
    client: str
    referte: str
    datum: str
    gegeven_op: datetime
    reden: str | None
    advies: str = "NOK"

    def json(self) -> dict[str, Any]:
        return {
            "beslissing": self.beslissing_id,
            "client": self.client,
            "referte": self.referte,
            "datum": self.datum,
            "gegeven_op": self.gegeven_op.isoformat(),
            "advies": self.advies,
            "reden": self.reden,
        }


@dataclass(frozen=True, slots=True)
class ProtocolStaat:
    """The protocol at one moment: its state, and each flow's bases as they stand."""

    moment: datetime
    toestand: Toestand
    eindigt_op: date | None  # after notice: the day it ends
    stromen: tuple[StroomDefinitie, ...]
    gebeurtenissen: tuple[ProtocolGebeurtenis, ...]
    van_rechtswege: bool = False  # ended by law: no legal basis left for any flow (art. 12)
    # an own notice the other party's node has not taken yet: it runs from its receipt
    opzegging_onderweg: ProtocolGebeurtenis | None = None

    def stilgelegd(self) -> str | None:
        """Why every flow stands still now by a party's act or the calendar — not yet in
        force, suspended (art. 8), ended by a party or by notice — or None. A lapsed basis
        is not this: it changes what the law asks (`vervallen_op`)."""
        if self.toestand is Toestand.NOG_NIET:
            return "Het protocol is nog niet in werking."
        if self.toestand is Toestand.BEEINDIGD and not self.van_rechtswege:
            return "Het protocol is beëindigd."
        if self.toestand is Toestand.GESCHORST:
            return "De gegevensstromen van het protocol zijn geschorst."
        return None

    def vervallen_op(self, stroom: Stroom) -> date | None:
        """The first day on which a legal basis of ``stroom`` no longer holds (a recorded
        lapse, or an end the definition gives), or None while none has an end."""
        definitie = next(s for s in self.stromen if s.stroom is stroom)
        eindes = [g.geldig_tot for g in definitie.rechtsgronden if g.geldig_tot is not None]
        return min(eindes) + timedelta(days=1) if eindes else None

    def weigering(self, stroom: Stroom) -> str | None:
        """Why a disclosure of ``stroom`` is not allowed at this moment (Dutch, for the
        uitzondering 40001), or None when it is."""
        dag = dag_in_brussel(self.moment)
        stil = self.stilgelegd()
        if stil is not None:
            return stil
        if self.toestand is Toestand.BEEINDIGD:  # by law: say which basis went
            stil = "Het protocol is beëindigd: geen van zijn stromen heeft nog een rechtsgrond."
        definitie = next(s for s in self.stromen if s.stroom is stroom)
        vervallen = [g for g in definitie.rechtsgronden if not g.geldt_op(dag)]
        if vervallen:
            return (
                f"De rechtsgrond van stroom {stroom.value} ({vervallen[0].instrument}, "
                f"{vervallen[0].artikel}) geldt niet meer sinds "
                f"{_dag_na(vervallen[0].geldig_tot)}."
                if vervallen[0].geldig_tot
                else f"De rechtsgrond van stroom {stroom.value} geldt nog niet."
            )
        return stil

    def json(self) -> dict[str, Any]:
        return {
            "moment": self.moment.isoformat(),
            "toestand": self.toestand.value,
            "eindigt_op": self.eindigt_op.isoformat() if self.eindigt_op else None,
            "opzegging_onderweg": self.opzegging_onderweg.id if self.opzegging_onderweg else None,
            "stromen": [
                {
                    "stroom": s.stroom.value,
                    "doel": s.doel,
                    "omschrijving": s.omschrijving,
                    "toegestaan": self.weigering(s.stroom) is None,
                    "weigering": self.weigering(s.stroom),
                    "rechtsgronden": [
                        {
                            "instrument": g.instrument,
                            "artikel": g.artikel,
                            "geldig_van": g.geldig_van.isoformat(),
                            "geldig_tot": g.geldig_tot.isoformat() if g.geldig_tot else None,
                        }
                        for g in s.rechtsgronden
                    ],
                }
                for s in self.stromen
            ],
            "gebeurtenissen": [g.json() for g in self.gebeurtenissen],
        }


def _dag_na(dag: date | None) -> str:
    return (dag + timedelta(days=1)).isoformat() if dag else "?"


def staat_op(
    definitie: ProtocolDefinitie, gebeurtenissen: list[ProtocolGebeurtenis], moment: datetime
) -> ProtocolStaat:
    """The protocol at ``moment``, from its definition and the events recorded before it."""
    dag = dag_in_brussel(moment)
    gebeurd = sorted((g for g in gebeurtenissen if g.op <= moment), key=lambda g: g.op)
    geschorst = False
    beeindigd = False
    eindigt_op: date | None = None
    onderweg: ProtocolGebeurtenis | None = None
    stromen = {s.stroom: s for s in definitie.stromen}
    for g in gebeurd:
        if g.soort is Soort.GESCHORST:
            geschorst = True
        elif g.soort is Soort.HERVAT:
            geschorst = False
        elif g.soort is Soort.BEEINDIGD:
            beeindigd = True
        elif g.soort is Soort.OPGEZEGD and g.geweigerd is not None:
            continue  # the other party refused it: it never ran
        elif g.soort is Soort.OPGEZEGD and (g.ontvangen_op is None or g.ontvangen_op > moment):
            onderweg = g  # given, not yet received: the 12 months have not started
        elif g.soort is Soort.OPGEZEGD and g.ontvangen_op is not None:
            # art. 12: the notice term runs from the day the other party received it
            einde = plus_maanden(dag_in_brussel(g.ontvangen_op), definitie.opzegtermijn_maanden)
            eindigt_op = einde if eindigt_op is None else min(eindigt_op, einde)
        elif g.soort is Soort.GROND_VERVALT and g.stroom is not None and g.datum is not None:
            laatste = g.datum - timedelta(days=1)  # the basis held until the day before
            s = stromen[g.stroom]
            stromen[g.stroom] = replace(
                s,
                rechtsgronden=tuple(
                    replace(r, geldig_tot=min(r.geldig_tot or laatste, laatste))
                    for r in s.rechtsgronden
                ),
            )
    # art. 12: it ends by law when no legal basis is left for any of its flows
    zonder_grond = all(
        any(not g.geldt_op(dag) and g.geldig_tot is not None for g in s.rechtsgronden)
        for s in stromen.values()
    )
    door_partij = beeindigd or (eindigt_op is not None and dag >= eindigt_op)
    if dag < definitie.in_werking:
        toestand = Toestand.NOG_NIET
    elif door_partij or zonder_grond:
        toestand = Toestand.BEEINDIGD
    elif geschorst:
        toestand = Toestand.GESCHORST
    elif eindigt_op is not None:
        toestand = Toestand.OPGEZEGD
    else:
        toestand = Toestand.IN_WERKING
    return ProtocolStaat(
        moment=moment,
        toestand=toestand,
        eindigt_op=eindigt_op,
        stromen=tuple(stromen[s.stroom] for s in definitie.stromen),
        gebeurtenissen=tuple(gebeurd),
        van_rechtswege=zonder_grond and not door_partij,
        opzegging_onderweg=onderweg if eindigt_op is None else None,
    )


def te_beoordelen(staat: ProtocolStaat) -> list[ProtocolGebeurtenis]:
    """The lapses VSB reported that AII has not recorded itself (on that day or earlier)."""
    eigen = [
        g
        for g in staat.gebeurtenissen
        if g.soort is Soort.GROND_VERVALT and not g.ontvangen and g.datum is not None
    ]
    return [
        g
        for g in staat.gebeurtenissen
        if g.soort is Soort.GROND_GEMELD
        and g.datum is not None
        and not any(e.stroom is g.stroom and e.datum <= g.datum for e in eigen if e.datum)
    ]


def controleer_stap(staat: ProtocolStaat, soort: Soort, *, van_de_andere: bool = False) -> None:
    """Refuse a step that makes no sense in the protocol's state (suspend twice, resume what
    runs, anything after the end). ``van_de_andere``: the other party's step as received —
    its record leads for its own steps, and its notice crossing an own one still on its way
    is taken (both were given; the first to be received ends the protocol first)."""
    if van_de_andere and soort is not Soort.OPGEZEGD:
        if staat.toestand is Toestand.BEEINDIGD and soort not in (
            Soort.GROND_VERVALT,
            Soort.GROND_GEMELD,
        ):
            raise AlGegeven("the protocol has ended: nothing more is accepted")
        return
    if van_de_andere:
        if staat.toestand is Toestand.BEEINDIGD:
            raise AlGegeven("the protocol has ended: nothing more is accepted")
        if staat.eindigt_op is not None:
            raise AlGegeven(f"notice was given already: the protocol ends on {staat.eindigt_op}")
        return
    if staat.toestand is Toestand.BEEINDIGD and soort is not Soort.GROND_VERVALT:
        # a lapse (an annulment, which may reach back) can still be recorded and reported
        raise AlGegeven("the protocol has ended: nothing more is accepted")
    if soort is Soort.GESCHORST and staat.toestand is Toestand.GESCHORST:
        raise ProtocolFout("the flows are suspended already")
    if soort is Soort.HERVAT and staat.toestand is not Toestand.GESCHORST:
        raise ProtocolFout("the flows are not suspended: nothing to resume")
    if soort is Soort.OPGEZEGD and staat.eindigt_op is not None:
        raise AlGegeven(f"notice was given already: the protocol ends on {staat.eindigt_op}")
    if soort is Soort.OPGEZEGD and staat.opzegging_onderweg is not None:
        raise AlGegeven(
            f"notice was given already on {staat.opzegging_onderweg.op:%Y-%m-%d} (by "
            f"{staat.opzegging_onderweg.partij}); it runs from its receipt"
        )


def staat_nu(
    definitie: ProtocolDefinitie, gebeurtenissen: list[ProtocolGebeurtenis], nu: datetime
) -> ProtocolStaat:
    """The state for a disclosure made now: every recorded step counts, also one stamped a
    moment after ``nu`` was read (another process, or a clock a little ahead)."""
    laatste = max((g.op for g in gebeurtenissen), default=nu)
    return staat_op(definitie, gebeurtenissen, max(nu, laatste))
