"""The reduced zorgpremie of a member for a year (SPEC §9), decided from VSB's member registry
and the yearly list it received, and audited as every decision is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.domain.lid import Lid
from kbi_exchange.domain.premie import (
    Premie,
    PremieBedragen,
    PremieFout,
    bepaal_premie,
    lijst_telt_niet,
)
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.services.ports import AanvraagWerk
from kbi_exchange.services.protocol import staat_van, vereis_gang


def _lid_in_jaar(lid: Lid, jaar: int, door: Actor) -> bool:
    """Whether the actor may see this member for premium year ``jaar``: VSB staff always, a
    zorgkas handler when the member is affiliated with their zorgkas on a day of that year."""
    if door.zorgkas is None:
        return True
    begin, einde = date(jaar, 1, 1), date(jaar, 12, 31)
    return any(
        a.zorgkas == door.zorgkas
        and a.periode.begin <= einde
        and (a.periode.einde is None or a.periode.einde >= begin)
        for a in lid.aansluitingen
    )


@vereist(Permissie.VSB_PREMIE_BEPAAL)
def bepaal(
    *,
    uow: AanvraagWerk,
    insz: str,
    jaar: int,
    bedragen: Mapping[int, PremieBedragen],
    door: Actor,
    nu: datetime,
) -> Premie:
    """Reduced or not, the amount and why; `PremieFout` when it cannot be decided. A year
    decided by the list waits while the protocol stands still (VSB's record); a year after
    the list's basis lapsed does not use it.

    A member of another zorgkas is, to a zorgkas handler, not in the registry: the refusal
    does not tell them whether the person is a member elsewhere.
    """
    try:
        cijfers = Insz.parse(insz).cijfers
    except OngeldigInsz as fout:
        raise PremieFout(f"insz: {fout}") from None
    with uow as werk:
        vervallen_op = staat_van(werk, nu).vervallen_op(Stroom.F2)
        if not lijst_telt_niet(jaar, vervallen_op):
            vereis_gang(werk, nu)  # the list is used: not while the protocol stands still
        lid = werk.leden.op([cijfers]).get(cijfers)
        if lid is not None and not _lid_in_jaar(lid, jaar, door):
            lid = None
        op_lijst = (
            werk.ontvangen_lijsten.bevat(jaar - 1, cijfers, werk.audit.insz_hashes(cijfers))
            if lid is not None and not lijst_telt_niet(jaar, vervallen_op)
            else None
        )
        try:
            premie = bepaal_premie(
                insz=cijfers,
                jaar=jaar,
                lid=lid,
                op_lijst=op_lijst,
                bedragen=bedragen,
                lijst_vervallen_op=vervallen_op,
            )
        except PremieFout as fout:  # a refusal is a look at the person too: recorded
            werk.audit.record(
                gebeurtenis=AuditGebeurtenis.VSB_PREMIE_GEWEIGERD,
                actor=door.naam,
                tijdstip=nu,
                insz=cijfers,
                inhoud={"jaar": jaar, "reden": str(fout)},
            )
            werk.commit()
            raise
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.VSB_PREMIE_BEPAALD,
            actor=door.naam,
            tijdstip=nu,
            insz=cijfers,
            inhoud={"jaar": jaar, "verlaagd": premie.verlaagd, "bedrag": premie.bedrag},
        )
        werk.commit()
    return premie
