"""Retention (SPEC §10, protocol art. 3): what each node may keep, and until when.

Pure rules: from the retention periods in the settings, the protocol's recorded life and the
day of the run, `plan` says which kinds of data go and why; the stores find them, the
retention service removes them in small committed steps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from kbi_exchange.domain.aanvraag import BEWAARTERMIJN_JAREN
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.periods import plus_maanden
from kbi_exchange.domain.protocol import ProtocolStaat, Soort, Stroom


class Gegevens(StrEnum):
    """A kind of data a node removes at the end of its retention."""

    # AII: a decision record's personal content (INSZ, date asked, answer, facts); the row stays
    BESLISSING = "beslissing"
    # AII: the decision records of F1, after F1 ended and the grace period passed
    BESLISSING_F1 = "beslissing_f1"
    # AII: a yearly list's INSZ (its payload and file), after F2 ended; its hashes stay
    LIJST_F2 = "lijst_f2"
    # AII: a list's payload and file once VSB received it and a later year's list (or, for a
    # replaced list, its rectification) was received too; hashes, counts and steps stay
    LIJST_INHOUD = "lijst_inhoud"
    # VSB: a care-budget application, whole, 5 years after the end of the zorgbudget or the refusal
    AANVRAAG = "aanvraag"
    # VSB: an application that holds AII's answer, after F1 ended and the grace period passed
    AANVRAAG_F1 = "aanvraag_f1"
    # VSB: a received list's INSZ, its zorgkas files' content and who received whom, after F2
    ONTVANGEN_LIJST_F2 = "ontvangen_lijst_f2"
    # VSB: a deceased person's entries on the received lists and in the distribution, and the
    # content of the zorgkas files and messages that carry their number
    OVERLEDEN = "overleden"
    # VSB: on a distributed list, an INSZ that is no member at all or had no VT on 1 January:
    # the list changes nothing for them (counted at distribution, not kept)
    LIJST_OVERTOLLIG = "lijst_overtollig"
    # VSB: an application never decided (waiting for AII, or its question refused) long after
    # it was recorded: nothing was decided that the 5 years could run from
    AANVRAAG_ONBESLIST = "aanvraag_onbeslist"
    # VSB: a zorgkas file's content once the zorgkas downloaded it, or after its period
    ZORGKAS_BESTAND = "zorgkas_bestand"
    # VSB: a zorgkas file still lying in the zorgkas's mailbox in/ after its period
    POSTVAK = "postvak"
    # both: a closed data-quality report's personal content, and its rectifications' (AII: as
    # long as the decision records; VSB: 5 years after it was closed, as the answers it
    # concerned); the rows stay, emptied, so the rectifications keep their numbers
    MELDING = "melding"
    # VSB: a message to a zorgkas, 5 years after it was made
    BERICHT = "bericht"
    # both: an audit entry's content; its hashes stay, so the chain still verifies
    AUDIT = "audit"

    @property
    def noemt_personen(self) -> bool:
        """Whether its items are people's INSZ (``insz``, or ``lijst-id/insz``): named by
        their keyed hash in the report, and audited one entry each under it."""
        return self in (Gegevens.OVERLEDEN, Gegevens.LIJST_OVERTOLLIG)


def persoon(item: str) -> tuple[str, str | None]:
    """The INSZ an item of a kind that names persons holds, and the list it is on, if any."""
    lijst, _, insz = item.rpartition("/")
    return insz, lijst or None


# the audit entries that say what retention removed: kept whole, as the proof that an entry
# whose content is gone was emptied by retention (`audit.verifieer_keten`)
PURGE_GEBEURTENISSEN = (
    AuditGebeurtenis.BEWARING_VERWIJDERD.value,
    AuditGebeurtenis.VSB_BEWARING_VERWIJDERD.value,
)

GEGEVENS_VAN_NODE: dict[Node, tuple[Gegevens, ...]] = {
    Node.AII: (
        Gegevens.BESLISSING,
        Gegevens.BESLISSING_F1,
        Gegevens.LIJST_F2,
        Gegevens.LIJST_INHOUD,
        Gegevens.MELDING,
        Gegevens.AUDIT,
    ),
    Node.VSB: (
        Gegevens.AANVRAAG,
        Gegevens.AANVRAAG_F1,
        Gegevens.AANVRAAG_ONBESLIST,
        Gegevens.ONTVANGEN_LIJST_F2,
        Gegevens.OVERLEDEN,
        Gegevens.LIJST_OVERTOLLIG,
        Gegevens.ZORGKAS_BESTAND,
        Gegevens.POSTVAK,
        Gegevens.MELDING,
        Gegevens.BERICHT,
        Gegevens.AUDIT,
    ),
}


@dataclass(frozen=True, slots=True)
class Bewaartermijnen:
    """The retention periods the protocol leaves to the parties (SPEC §10), from the settings."""

    respijt_dagen: int  # after a flow or the protocol ended, before its data goes
    beslissingen_jaren: int  # AII's decision records
    audit_jaren: int  # both audit logs' content
    onbeslist_dagen: int = 365  # VSB: an application never decided
    zorgkas_bestand_dagen: int = 90  # VSB: a zorgkas file not downloaded, in its mailbox

    def __post_init__(self) -> None:
        for naam, waarde in (
            ("grace_days", self.respijt_dagen),
            ("decision_records_years", self.beslissingen_jaren),
            ("audit_content_years", self.audit_jaren),
            ("undecided_application_days", self.onbeslist_dagen),
            ("zorgkas_file_days", self.zorgkas_bestand_dagen),
        ):
            if waarde < 0:
                raise ValueError(f"[retention] {naam}: {waarde} is negative")


@dataclass(frozen=True, slots=True)
class Opdracht:
    """One kind of data to remove: what was held before ``grens`` (or, for an application,
    whose retention ended before it), and why."""

    gegevens: Gegevens
    grens: date
    reden: str

    def json(self) -> dict[str, Any]:
        return {
            "gegevens": self.gegevens.value,
            "grens": self.grens.isoformat(),
            "reden": self.reden,
        }


@dataclass(frozen=True, slots=True)
class StroomEinde:
    """When a flow lost its ground, and from which day its grace period counts: a lapse
    recorded later than the day it took effect (an annulment reaching back) counts from the
    day it was recorded, so there is always time for remediation."""

    einde: date
    respijt_vanaf: date
    waarom: str


def einde_van_stroom(staat: ProtocolStaat, stroom: Stroom) -> StroomEinde | None:
    """The first day on which ``stroom`` has no ground any more — its basis lapsed, the
    protocol was ended, or the notice ran out — or None while it may still run."""
    eindes = [
        StroomEinde(g.datum, max(g.datum, dag_in_brussel(g.op)), f"basis lapsed: {g.reden}")
        for g in staat.gebeurtenissen
        if g.soort is Soort.GROND_VERVALT and g.stroom is stroom and g.datum is not None
    ]
    vastgelegd = {e.einde for e in eindes}
    # an end the shipped definition gives (a lapse recorded as a step is counted above)
    eindes += [
        StroomEinde(
            dag, dag, f"{grond.instrument}, {grond.artikel}: valid until {grond.geldig_tot}"
        )
        for s in staat.stromen
        if s.stroom is stroom
        for grond in s.rechtsgronden
        if grond.geldig_tot is not None
        for dag in [grond.geldig_tot + timedelta(days=1)]
        if dag not in vastgelegd
    ]
    eindes += [
        StroomEinde(dag, dag, f"protocol ended: {g.reden}")
        for g in staat.gebeurtenissen
        if g.soort is Soort.BEEINDIGD
        for dag in [dag_in_brussel(g.op)]
    ]
    if staat.eindigt_op is not None:
        eindes.append(StroomEinde(staat.eindigt_op, staat.eindigt_op, "notice ran out"))
    if not eindes:
        return None
    eerste = min(eindes, key=lambda e: (e.einde, e.respijt_vanaf))
    return replace(eerste, respijt_vanaf=min(e.respijt_vanaf for e in eindes))


VOOR_STROOM: dict[Node, dict[Stroom, Gegevens]] = {
    Node.AII: {Stroom.F1: Gegevens.BESLISSING_F1, Stroom.F2: Gegevens.LIJST_F2},
    Node.VSB: {Stroom.F1: Gegevens.AANVRAAG_F1, Stroom.F2: Gegevens.ONTVANGEN_LIJST_F2},
}


def weg_op(termijnen: Bewaartermijnen, einde: StroomEinde) -> date:
    """The first day on which the data held only for an ended flow goes."""
    return einde.respijt_vanaf + timedelta(days=termijnen.respijt_dagen)


def _jaren_terug(dag: date, jaren: int) -> date:
    return plus_maanden(dag, -12 * jaren)


def plan(node: Node, termijnen: Bewaartermijnen, staat: ProtocolStaat, op: date) -> list[Opdracht]:
    """What goes on ``op`` on this node, and why (the order in which it is removed)."""
    opdrachten = _voor_stromen(node, termijnen, staat, op)
    if node is Node.AII:
        opdrachten += _aii_termijnen(termijnen, op)
    else:
        opdrachten += _vsb_termijnen(termijnen, op)
    grens = _jaren_terug(op, termijnen.audit_jaren)
    opdrachten.append(
        Opdracht(
            Gegevens.AUDIT,
            grens,
            f"audit entries' content is kept {termijnen.audit_jaren} years: written before "
            f"{grens.isoformat()} (hashes stay)",
        )
    )
    return opdrachten


def _voor_stromen(
    node: Node, termijnen: Bewaartermijnen, staat: ProtocolStaat, op: date
) -> list[Opdracht]:
    """Each flow that ended (or lost its basis) and whose grace period passed: all its data."""
    opdrachten: list[Opdracht] = []
    for stroom, soort in VOOR_STROOM[node].items():
        einde = einde_van_stroom(staat, stroom)
        if einde is None or op < weg_op(termijnen, einde):
            continue
        # all of it, whenever it came: data received after the day the ground went had none
        opdrachten.append(
            Opdracht(
                soort,
                op + timedelta(days=1),  # up to and including the day of the run
                f"{stroom.value} has no ground since {einde.einde.isoformat()} ({einde.waarom}); "
                f"the grace "
                f"period of {termijnen.respijt_dagen} days from {einde.respijt_vanaf.isoformat()} "
                "has passed",
            )
        )
    return opdrachten


def _aii_termijnen(termijnen: Bewaartermijnen, op: date) -> list[Opdracht]:
    """The AII node's own retention periods."""
    opdrachten: list[Opdracht] = []
    grens = _jaren_terug(op, termijnen.beslissingen_jaren)
    opdrachten.append(
        Opdracht(
            Gegevens.BESLISSING,
            grens,
            f"decision records are kept {termijnen.beslissingen_jaren} years: "
            f"given before {grens.isoformat()}",
        )
    )
    opdrachten.append(
        Opdracht(
            Gegevens.MELDING,
            grens,
            f"data-quality reports are kept as the decision records, "
            f"{termijnen.beslissingen_jaren} years: closed before {grens.isoformat()}",
        )
    )
    opdrachten.append(
        Opdracht(
            Gegevens.LIJST_INHOUD,
            op + timedelta(days=1),
            "a list's INSZ are kept until VSB has received it and a later year's list (a "
            "replaced list: its rectification); the receipt and hashes prove what went",
        )
    )
    return opdrachten


def _vsb_termijnen(termijnen: Bewaartermijnen, op: date) -> list[Opdracht]:
    """The VSB node's own retention periods."""
    opdrachten: list[Opdracht] = []
    vijf_jaar = _jaren_terug(op, BEWAARTERMIJN_JAREN)
    opdrachten += [
        Opdracht(
            Gegevens.MELDING,
            vijf_jaar,
            f"data-quality reports are kept as the answers they concern, "
            f"{BEWAARTERMIJN_JAREN} years: closed before {vijf_jaar.isoformat()}",
        ),
        Opdracht(
            Gegevens.BERICHT,
            vijf_jaar,
            f"messages to the zorgkassen are kept {BEWAARTERMIJN_JAREN} years: made before "
            f"{vijf_jaar.isoformat()}",
        ),
    ]
    opdrachten.append(
        Opdracht(
            Gegevens.AANVRAAG,
            op,
            "kept until 5 years after the end of the zorgbudget (refused: after the "
            f"refusal): that day lies before {op.isoformat()}",
        )
    )
    opdrachten.append(
        Opdracht(
            Gegevens.OVERLEDEN,
            op,
            f"list data is kept until the person's death: died before {op.isoformat()}",
        )
    )
    opdrachten.append(
        Opdracht(
            Gegevens.LIJST_OVERTOLLIG,
            op + timedelta(days=1),
            "after the distribution only listed members with VT on 1 January of the list "
            "year are kept: no member at all, or a member without VT then",
        )
    )
    return opdrachten + _vsb_in_dagen(termijnen, op)


def _vsb_in_dagen(termijnen: Bewaartermijnen, op: date) -> list[Opdracht]:
    """VSB's periods counted in days: an undecided application, a zorgkas file."""
    opdrachten: list[Opdracht] = []
    onbeslist = op - timedelta(days=termijnen.onbeslist_dagen)
    opdrachten.append(
        Opdracht(
            Gegevens.AANVRAAG_ONBESLIST,
            onbeslist,
            f"an application never decided is kept {termijnen.onbeslist_dagen} days: "
            f"recorded before {onbeslist.isoformat()}",
        )
    )
    bestand = op - timedelta(days=termijnen.zorgkas_bestand_dagen)
    opdrachten += [
        Opdracht(
            Gegevens.ZORGKAS_BESTAND,
            bestand,
            "a zorgkas file's content is kept until the zorgkas downloads it, at most "
            f"{termijnen.zorgkas_bestand_dagen} days: downloaded, or made before "
            f"{bestand.isoformat()} (its hash stays)",
        ),
        Opdracht(
            Gegevens.POSTVAK,
            bestand,
            f"a zorgkas file waits in its mailbox in/ at most "
            f"{termijnen.zorgkas_bestand_dagen} days: made before {bestand.isoformat()}",
        ),
    ]
    return opdrachten


@dataclass(frozen=True, slots=True)
class Verwijderd:
    """What one kind of removal found (a dry run) or removed, and why; a person is named by
    the keyed hash of their number, never by the number."""

    opdracht: Opdracht
    ids: tuple[str, ...]

    def json(self) -> dict[str, Any]:
        return {
            **self.opdracht.json(),
            "aantal": len(self.ids),
            "ids": list(self.ids),
        }


@dataclass(frozen=True, slots=True)
class Bewaringsrapport:
    node: Node
    op: date
    dry_run: bool
    verwijderd: tuple[Verwijderd, ...]

    @property
    def aantal(self) -> int:
        return sum(len(v.ids) for v in self.verwijderd)

    def json(self) -> dict[str, Any]:
        return {
            "node": self.node.value,
            "op": self.op.isoformat(),
            "dry_run": self.dry_run,
            "aantal": self.aantal,
            "verwijderd": [v.json() for v in self.verwijderd],
        }
