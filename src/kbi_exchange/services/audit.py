"""The audit log (SPEC §11): verified, and searched by the DPO. Every use case writes it
through its unit of work (`AuditLog.record`), built with the node's keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from kbi_exchange.domain.access import Actor, Node, Permissie, vereist
from kbi_exchange.domain.audit import (
    AuditGebeurtenis,
    AuditPost,
    GetekendeKop,
    Verstrekking,
    checkpoint_gegevens,
    kop_gegevens,
    verifieer_keten,
)
from kbi_exchange.domain.audit_inhoud import MislukteAanmeldingenInhoud
from kbi_exchange.domain.client import FailedAuthentications
from kbi_exchange.domain.fouten import Ongeldig
from kbi_exchange.services.ports import AuditLog, AuditWerk, AuditZoekWerk


def mislukte_aanmeldingen_inhoud(g: FailedAuthentications) -> MislukteAanmeldingenInhoud:
    """A security event's entry: the address, how many failures, from when until when."""
    return {
        "adres": g.address,
        "aantal": g.count,
        "eerste": g.first.isoformat(),
        "laatste": g.last.isoformat(),
    }


def meld_mislukte_aanmeldingen(
    *,
    uow: AuditWerk,
    gebeurtenissen: Sequence[FailedAuthentications],
    gebeurtenis: AuditGebeurtenis,
    nu: datetime,
) -> None:
    """Record failed authentications, one entry per address and window, in one transaction."""
    with uow as werk:
        for g in gebeurtenissen:
            werk.audit.record(
                gebeurtenis=gebeurtenis,
                actor="unauthenticated",
                tijdstip=nu,
                inhoud=mislukte_aanmeldingen_inhoud(g),
            )
        werk.commit()


@vereist(Permissie.AUDIT_VERIFIEER)
def verifieer_audit(*, door: Actor, audit: AuditLog) -> tuple[int, list[str]]:
    """The number of entries checked and every problem found (none: the log is intact)."""
    problemen: list[str] = []
    seq, hash_, tijdstip, handtekening = audit.kop()
    kop = None
    if handtekening is not None and tijdstip is not None:
        if audit.handtekening_klopt(kop_gegevens(seq, hash_, tijdstip), handtekening):
            kop = GetekendeKop(seq, hash_)
        else:
            problemen.append("the chain's head: its signature does not verify")
    checkpoints: dict[int, str] = {}
    for cp in audit.checkpoints():
        if not audit.handtekening_klopt(
            checkpoint_gegevens(cp.seq, cp.hash, cp.tijdstip), cp.handtekening
        ):
            problemen.append(f"checkpoint {cp.seq}: its signature does not verify")
        checkpoints[cp.seq] = cp.hash
    geteld = 0

    def tel() -> Any:
        nonlocal geteld
        for regel in audit.posten():
            geteld += 1
            yield regel

    problemen.extend(verifieer_keten(tel(), checkpoints, kop, geleegde_ids))
    return geteld, problemen


def geleegde_ids(inhoud: str) -> list[int]:
    """The audit entries a retention entry says it emptied (its content, as written by
    `services.bewaring`)."""
    gelezen = orjson.loads(inhoud)
    if gelezen.get("gegevens") != "audit":
        return []
    return [int(i) for i in gelezen.get("ids", [])]


def zoek_audit(
    *, audit: AuditLog, insz: str, verstrekkingen: Sequence[Verstrekking] = ()
) -> list[AuditPost]:
    """Every entry about a person: who received what about them, when and why.

    A list or a zorgkas file names no one in its audit entry (SPEC §8.7): ``verstrekkingen``
    are the disclosures of the lists and files the person is in; they count.
    """
    eigen = audit.over(audit.insz_hashes(insz))
    via = [
        regel
        for v in verstrekkingen
        for regel in audit.over_lijsten(list(v.gebeurtenissen), list(v.ids), sleutel=v.sleutel)
    ]
    uniek = {regel.seq: regel for regel in eigen + via}
    return [uniek[seq] for seq in sorted(uniek)]


# how a search is recorded in each node's own log
GEZOCHT = {Node.AII: AuditGebeurtenis.AUDIT_GEZOCHT, Node.VSB: AuditGebeurtenis.VSB_AUDIT_GEZOCHT}


@vereist({Node.AII: Permissie.KBI_AUDIT_ZOEK, Node.VSB: Permissie.VSB_AUDIT_ZOEK})
def zoek_over_persoon(
    *,
    uow: AuditZoekWerk,
    insz: str,
    door: Actor,
    nu: datetime,
) -> list[AuditPost]:
    """`zoek_audit` for the DPO, and the search itself audited under the person's keyed hash,
    in one transaction: no search goes unrecorded."""
    with uow as werk:
        regels = zoek_audit(
            audit=werk.audit,
            insz=insz,
            verstrekkingen=werk.verstrekkingen.met_insz(insz, werk.audit.insz_hashes(insz)),
        )
        werk.audit.record(
            gebeurtenis=GEZOCHT[door.node],
            actor=door.naam,
            tijdstip=nu,
            insz=insz,
            inhoud={"gevonden": len(regels)},
        )
        werk.commit()
    return regels


MAX_GEVONDEN = 1_000


@vereist({Node.AII: Permissie.KBI_AUDIT_ZOEK, Node.VSB: Permissie.VSB_AUDIT_ZOEK})
def zoek_in_periode(
    *,
    uow: AuditZoekWerk,
    van: datetime,
    tot: datetime,
    door: Actor,
    nu: datetime,
    gebeurtenissen: frozenset[str] | None = None,
) -> tuple[list[AuditPost], int]:
    """The entries made in [``van``, ``tot``) — of these events only, when given (the
    retention runs and what they removed, say) — at most `MAX_GEVONDEN`, the newest, and how
    many there were; the search itself audited, in one transaction."""
    if tot <= van:
        raise Ongeldig("the end of the period comes after its start")
    with uow as werk:
        gevonden = [
            p
            for p in werk.audit.posten()
            if van <= p.tijdstip < tot
            and (gebeurtenissen is None or p.gebeurtenis in gebeurtenissen)
        ]
        werk.audit.record(
            gebeurtenis=GEZOCHT[door.node],
            actor=door.naam,
            tijdstip=nu,
            inhoud={"gevonden": len(gevonden)},
        )
        werk.commit()
    return gevonden[-MAX_GEVONDEN:], len(gevonden)


BEWARING = frozenset(
    {
        AuditGebeurtenis.BEWARING_RUN,
        AuditGebeurtenis.BEWARING_VERWIJDERD,
        AuditGebeurtenis.VSB_BEWARING_RUN,
        AuditGebeurtenis.VSB_BEWARING_VERWIJDERD,
    }
)
