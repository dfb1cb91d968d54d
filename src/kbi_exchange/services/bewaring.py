"""The retention run (SPEC §10): what a node no longer may keep goes, and says why.

Each batch is removed and audited in one transaction (the ids it removed, the reason), so a
run that is killed leaves whole batches behind; a rerun finds only what is left. The run is
audited once more at its end with what it removed in all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from kbi_exchange.crash_points import crash_point
from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.audit_inhoud import BewaringVerwijderdInhoud
from kbi_exchange.domain.bewaring import (
    Bewaartermijnen,
    Bewaringsrapport,
    Gegevens,
    Opdracht,
    Verwijderd,
    persoon,
    plan,
)
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.fouten import Ongeldig
from kbi_exchange.domain.protocol import ProtocolDefinitie, staat_nu
from kbi_exchange.services.ports import AuditLog, BewaringWerk, MailboxFiles

PER_KEER = 500  # removed and audited per transaction

_GEBEURTENIS = {
    Node.AII: (AuditGebeurtenis.BEWARING_VERWIJDERD, AuditGebeurtenis.BEWARING_RUN),
    Node.VSB: (AuditGebeurtenis.VSB_BEWARING_VERWIJDERD, AuditGebeurtenis.VSB_BEWARING_RUN),
}


class BewaringFout(Ongeldig):
    """A retention run that cannot be done as asked."""


def opdrachten(
    *,
    uow: BewaringWerk,
    node: Node,
    termijnen: Bewaartermijnen,
    definitie: ProtocolDefinitie,
    nu: datetime,
    op: date,
) -> list[Opdracht]:
    """What goes on ``op``, by the node's own record of the protocol's life as it is now."""
    with uow as werk:
        staat = staat_nu(definitie, werk.protocol.gebeurtenissen(), nu)
    return plan(node, termijnen, staat, op)


@vereist(Permissie.BEWARING_UITVOEREN)
def run(
    *,
    uow: BewaringWerk,
    node: Node,
    termijnen: Bewaartermijnen,
    definitie: ProtocolDefinitie,
    door: Actor,
    nu: datetime,
    op: date | None = None,
    dry_run: bool = False,
    voortgang: Callable[[Gegevens, int, int], None] = lambda g, klaar, totaal: None,
    postvak: MailboxFiles | None = None,
) -> Bewaringsrapport:
    """Remove what this node may no longer keep on ``op`` (default: today); the dry run finds
    it and changes nothing. ``op`` other than today only with the dry run: data is removed
    when its time has come, never ahead of it. ``postvak``: the mailbox whose zorgkas files
    VSB clears (without it, that kind finds nothing)."""
    vandaag = dag_in_brussel(nu)
    if op is not None and op != vandaag and not dry_run:
        raise BewaringFout("op: another day only for a dry run (data goes when its time has come)")
    dag = op or vandaag
    gevonden: list[Verwijderd] = []
    for opdracht in opdrachten(
        uow=uow, node=node, termijnen=termijnen, definitie=definitie, nu=nu, op=dag
    ):
        if opdracht.gegevens is Gegevens.POSTVAK:
            ids = postvak.zorgkas_files_before(opdracht.grens) if postvak else []
        else:
            with uow as werk:
                ids = werk.bewaring.te_verwijderen(opdracht)
        if not dry_run:
            _verwijder(
                uow=uow,
                node=node,
                opdracht=opdracht,
                ids=ids,
                door=door.naam,
                nu=nu,
                voortgang=voortgang,
                postvak=postvak,
            )
        if opdracht.gegevens.noemt_personen:
            with uow as werk:
                ids = [_genoemd(werk.audit, i) for i in ids]
        gevonden.append(Verwijderd(opdracht, tuple(ids)))
    rapport = Bewaringsrapport(node, dag, dry_run, tuple(gevonden))
    if not dry_run:
        with uow as werk:
            werk.audit.record(
                gebeurtenis=_GEBEURTENIS[node][1],
                actor=door.naam,
                tijdstip=nu,
                inhoud={
                    "op": dag.isoformat(),
                    "verwijderd": {v.opdracht.gegevens.value: len(v.ids) for v in gevonden},
                },
            )
            werk.commit()
    return rapport


def _genoemd(audit: AuditLog, item: str) -> str:
    """How the report names an item that holds a person: by the keyed hash of the number
    (and the list it was on), never by the number."""
    insz, lijst = persoon(item)
    naam = audit.insz_hashes(insz)[0]
    return f"{lijst}/{naam}" if lijst else naam


def _inhouden(
    opdracht: Opdracht, blok: list[str]
) -> list[tuple[str | None, BewaringVerwijderdInhoud]]:
    """The purge entries of a batch: one naming its ids; or, for a kind that holds people,
    one per person, under their keyed hash (a number never stands in an entry)."""
    if not opdracht.gegevens.noemt_personen:
        return [(None, {"gegevens": opdracht.gegevens.value, "reden": opdracht.reden, "ids": blok})]
    inhouden: list[tuple[str | None, BewaringVerwijderdInhoud]] = []
    for item in blok:
        insz, lijst = persoon(item)
        inhoud: BewaringVerwijderdInhoud = {
            "gegevens": opdracht.gegevens.value,
            "reden": opdracht.reden,
        }
        if lijst:
            inhoud["lijst"] = lijst
        inhouden.append((insz, inhoud))
    return inhouden


def _verwijder(
    *,
    uow: BewaringWerk,
    node: Node,
    opdracht: Opdracht,
    ids: list[str],
    door: str,
    nu: datetime,
    voortgang: Callable[[Gegevens, int, int], None],
    postvak: MailboxFiles | None,
) -> None:
    for start in range(0, len(ids), PER_KEER):
        blok = ids[start : start + PER_KEER]
        with uow as werk:
            bestanden: list[str] = []
            if opdracht.gegevens is not Gegevens.POSTVAK:
                bestanden = werk.bewaring.verwijder(
                    opdracht.gegevens, blok, nu, werk.audit.insz_hashes
                )
            for insz, inhoud in _inhouden(opdracht, blok):
                werk.audit.record(
                    gebeurtenis=_GEBEURTENIS[node][0],
                    actor=door,
                    tijdstip=nu,
                    inhoud=inhoud,
                    insz=insz,
                )
            werk.commit()
        if opdracht.gegevens is Gegevens.POSTVAK and postvak is not None:
            # files are no transaction: removed once their audit entry is in, so the log
            # never misses one (a run killed in between removes them on the rerun)
            for naam in blok:
                postvak.remove_waiting(naam)
        if postvak is not None:
            for naam in bestanden:  # the exchange files that carried what went
                postvak.remove_anywhere(naam)
        crash_point("retention:batch-committed")
        voortgang(opdracht.gegevens, start + len(blok), len(ids))
