"""Replaying a stored decision exactly (SPEC §4, §7): same facts, same knowledge time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson

from kbi_exchange.adapters.db.aii_models import BeslissingRij
from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.domain.advies import Vraag, beantwoord
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.dossier import VELDEN, Dossier, bouw_dossier
from kbi_exchange.domain.uitzondering import Code
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.advies import antwoord_bericht


class OnbekendeBeslissing(LookupError):
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


def herspeel(*, uow: SqlUnitOfWork, beslissing_id: str) -> Herspeling:
    """The stored decision and the answer the rules give again on exactly its inputs."""
    with uow as werk:
        rij = werk.session.get(BeslissingRij, beslissing_id)
        if rij is None:
            raise OnbekendeBeslissing(f"no decision {beslissing_id}")
        ids = frozenset(orjson.loads(rij.feit_ids))
        parameters = standaard_parameters()
        antwoord = beantwoord(
            Vraag(rij.insz, rij.datum, rij.doel),
            zoek=lambda insz: _enkel(werk.kbi.zoek(insz), ids),
            vandaag=dag_in_brussel(rij.gegeven_op),
            gekend_op=rij.gekend_op,
            parameters=parameters,
        )
        record = {
            "id": rij.id,
            "client": rij.client,
            "referte": rij.referte,
            "doel": rij.doel,
            "gekend_op": rij.gekend_op.isoformat(),
            "gegeven_op": rij.gegeven_op.isoformat(),
            "parameterversie": rij.parameterversie,
            "feiten": sorted(ids),
            "antwoord": orjson.loads(rij.antwoord),
        }
        referte, parameterversie = rij.referte, rij.parameterversie
    codes = {u["identificatie"] for u in record["antwoord"]["uitzonderingen"]}
    # a refusal for a purpose the client may not ask never reached the rules: nothing to replay
    opnieuw = (
        record["antwoord"]
        if Code.AUTORISATIE.value in codes
        else antwoord_bericht(referte, antwoord).json()
    )
    return Herspeling(record, opnieuw, parameterversie == parameters.versie)
