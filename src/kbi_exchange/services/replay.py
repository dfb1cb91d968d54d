"""Replaying a stored decision exactly (SPEC §4, §7): same facts, same knowledge time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson

from kbi_exchange.domain.access import Actor, Permissie, vereist
from kbi_exchange.domain.advies import Vraag, beantwoord
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.dossier import VELDEN, Dossier, bouw_dossier
from kbi_exchange.domain.fouten import NotFound
from kbi_exchange.domain.uitzondering import Code
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.bericht import antwoord_bericht
from kbi_exchange.services.ports import HerspeelWerk


class OnbekendeBeslissing(NotFound):
    """No decision record with that id."""


@dataclass(frozen=True)
class Herspeling:
    record: dict[str, Any]
    opnieuw: dict[str, Any]
    parameters_gelijk: bool

    @property
    def gelijk(self) -> bool:
        return bool(self.record["antwoord"] == self.opnieuw)


def _enkel(dossier: Dossier | None, ids: frozenset[str]) -> Dossier | None:
    """The dossier with only the facts the decision used, as they were known then."""
    if dossier is None:
        return None
    feiten = [replace(f, ingetrokken_op=None) for f in dossier.feiten() if f.id in ids]
    return bouw_dossier(dossier.insz, feiten, {v: getattr(dossier, v) for v in VELDEN})


@vereist(Permissie.KBI_ADVIES_BEKIJK)
def herspeel(*, door: Actor, uow: HerspeelWerk, beslissing_id: str) -> Herspeling:
    """The stored decision and the answer the rules give again on exactly its inputs."""
    parameters = standaard_parameters()
    with uow as werk:
        beslissing = werk.beslissingen.get(beslissing_id)
        if beslissing is None:
            raise OnbekendeBeslissing(f"no decision {beslissing_id}")
        ids = beslissing.feit_ids
        antwoord = beantwoord(
            Vraag(beslissing.insz, beslissing.datum, beslissing.doel),
            zoek=lambda insz: _enkel(werk.kbi.zoek(insz), ids),
            vandaag=dag_in_brussel(beslissing.gegeven_op),
            gekend_op=beslissing.gekend_op,
            parameters=parameters,
        )
    record = {
        "id": beslissing.id,
        "client": beslissing.client,
        "referte": beslissing.referte,
        "doel": beslissing.doel,
        "gekend_op": beslissing.gekend_op.isoformat(),
        "gegeven_op": beslissing.gegeven_op.isoformat(),
        "parameterversie": beslissing.parameterversie,
        "feiten": sorted(ids),
        "antwoord": orjson.loads(beslissing.antwoord),
    }
    codes = {u["identificatie"] for u in record["antwoord"]["uitzonderingen"]}
    # a refusal for a purpose the client may not ask never reached the rules: nothing to replay
    opnieuw = (
        record["antwoord"]
        if Code.AUTORISATIE.value in codes
        else antwoord_bericht(beslissing.referte, antwoord).json()
    )
    return Herspeling(record, opnieuw, beslissing.parameterversie == parameters.versie)
