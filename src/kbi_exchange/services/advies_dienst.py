"""The advice service (F1, SPEC §7): one question in, one audited, recorded answer out."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, select

from kbi_exchange.adapters.db.aii_models import BeslissingRij
from kbi_exchange.adapters.db.uow import SqlUnitOfWork
from kbi_exchange.adapters.sleutels import Sleutels
from kbi_exchange.domain.advies import Antwoord, Doel, Vraag, beantwoord
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.domain.tijd import dag_in_brussel
from kbi_exchange.domain.uitzondering import Code, Uitzondering
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.audit import schrijf_audit
from kbi_exchange.services.clients import Client

VELDEN = ("insz", "datum", "doel", "referte")
OPTIMISTISCH = "referte-optimistisch"
_BESLISSING = cast(Table, BeslissingRij.__table__)
_EERDER = select(
    _BESLISSING.c.id, _BESLISSING.c.vraag_sha256, _BESLISSING.c.antwoord, _BESLISSING.c.insz
).where(_BESLISSING.c.client == bindparam("client"), _BESLISSING.c.referte == bindparam("referte"))
MAX_REFERTE = 36


@dataclass(frozen=True, slots=True)
class Bericht:
    """An answer as it leaves: the body of SPEC §7, and the code that refused it (if any)."""

    body: dict[str, Any]
    weigering: Code | None


def _uitzondering_json(u: Uitzondering) -> dict[str, str]:
    return {
        "identificatie": u.identificatie.value,
        "oorsprong": u.oorsprong,
        "type": u.type.value,
        "diagnose": u.diagnose,
    }


def weigering(referte: object, insz: object, datum: object, u: Uitzondering) -> Bericht:
    """A refused question: the same body, advies null, and the uitzondering."""
    return Bericht(
        {
            "referte": referte if isinstance(referte, str) else None,
            "insz": insz if isinstance(insz, str) else None,
            "datum": datum if isinstance(datum, str) else None,
            "advies": None,
            "reden": None,
            "uitzonderingen": [_uitzondering_json(u)],
        },
        u.identificatie,
    )


def antwoord_body(referte: str, antwoord: Antwoord) -> dict[str, Any]:
    """Only what SPEC §7 allows to leave the AII node: no uitleg, no facts, no new number."""
    beslissing = antwoord.beslissing
    reden = beslissing.reden if beslissing else None
    return {
        "referte": referte,
        "insz": antwoord.insz if antwoord.insz is not None else antwoord.vraag.insz,
        "datum": antwoord.datum.isoformat() if antwoord.datum else str(antwoord.vraag.datum),
        "advies": beslissing.advies.value if beslissing else None,
        "reden": {"code": reden.code.value, "omschrijving": reden.omschrijving} if reden else None,
        "uitzonderingen": [_uitzondering_json(u) for u in antwoord.uitzonderingen],
    }


def _controleer_vorm(vraag: object) -> dict[str, str] | Uitzondering:
    """The question itself when it is an object with exactly the four fields, as text."""
    if not isinstance(vraag, dict):
        return Uitzondering.fout(Code.ONGELDIGE_VRAAG, "Een vraag is een JSON-object.")
    for veld in VELDEN:
        if not isinstance(vraag.get(veld), str):
            return Uitzondering.fout(
                Code.ONGELDIGE_VRAAG, f"Veld '{veld}' ontbreekt of is geen tekst."
            )
    onbekend = sorted(set(vraag) - set(VELDEN))
    if onbekend:
        return Uitzondering.fout(Code.ONGELDIGE_VRAAG, f"Onbekend veld: {', '.join(onbekend)}.")
    if not 1 <= len(vraag["referte"]) <= MAX_REFERTE:
        return Uitzondering.fout(Code.ONGELDIGE_VRAAG, f"Referte heeft 1 tot {MAX_REFERTE} tekens.")
    return vraag


def vraag_hash(vraag: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(vraag, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _audit(
    werk: SqlUnitOfWork,
    sleutels: Sleutels,
    client: Client,
    nu: datetime,
    gebeurtenis: AuditGebeurtenis,
    insz: str | None,
    bericht: Bericht,
    beslissing_id: str | None,
) -> None:
    body = bericht.body
    schrijf_audit(
        audit=werk.audit,
        sleutels=sleutels,
        gebeurtenis=gebeurtenis,
        actor=client.naam,
        tijdstip=nu,
        insz=insz,
        inhoud={
            "beslissing": beslissing_id,
            "referte": body["referte"],
            "datum": body["datum"],
            "advies": body["advies"],
            "reden": body["reden"]["code"] if body["reden"] else None,
            "uitzonderingen": [u["identificatie"] for u in body["uitzonderingen"]],
        },
    )


def beantwoord_vraag(
    *, werk: SqlUnitOfWork, sleutels: Sleutels, client: Client, vraag: object, nu: datetime
) -> Bericht:
    """Answer or refuse one question inside the caller's transaction, recorded and audited.

    The caller commits before the answer leaves: no answer without its audit entry.
    """
    gecontroleerd = _controleer_vorm(vraag)
    if isinstance(gecontroleerd, Uitzondering):
        velden = vraag if isinstance(vraag, dict) else {}
        bericht = weigering(
            velden.get("referte"), velden.get("insz"), velden.get("datum"), gecontroleerd
        )
        _audit(werk, sleutels, client, nu, AuditGebeurtenis.ADVIES_GEWEIGERD, None, bericht, None)
        return bericht
    vraag = gecontroleerd
    referte, insz = vraag["referte"], vraag["insz"]
    digest = vraag_hash(vraag)
    # In a group's first attempt the lookup is skipped: a repeated referte then fails the
    # unique (client, referte) constraint at commit, and the group is answered again one by
    # one, with the lookup (see GroepsSchrijver). Elsewhere the lookup always runs.
    eerder = (
        None
        if werk.memo.get(OPTIMISTISCH)
        else werk.session.connection()
        .execute(_EERDER, {"client": client.naam, "referte": referte})
        .first()
    )
    if eerder is not None:
        if eerder.vraag_sha256 != digest:
            bericht = weigering(
                referte,
                insz,
                vraag["datum"],
                Uitzondering.fout(
                    Code.ONGELDIGE_VRAAG, "Deze referte werd al gebruikt voor een andere vraag."
                ),
            )
            _audit(
                werk, sleutels, client, nu, AuditGebeurtenis.ADVIES_GEWEIGERD, None, bericht, None
            )
            return bericht
        body = orjson.loads(eerder.antwoord)
        fouten = [u["identificatie"] for u in body["uitzonderingen"] if u["type"] == "FOUT"]
        bericht = Bericht(body, Code(fouten[0]) if fouten else None)
        _audit(
            werk,
            sleutels,
            client,
            nu,
            AuditGebeurtenis.ADVIES_HERHAALD,
            eerder.insz,
            bericht,
            eerder.id,
        )
        return bericht

    if vraag["doel"] in set(Doel) and Doel(vraag["doel"]) not in client.doelen:
        antwoord = None
        bericht = weigering(
            referte,
            insz,
            vraag["datum"],
            Uitzondering.fout(
                Code.AUTORISATIE, f"Deze client mag niet vragen voor doel {vraag['doel']}."
            ),
        )
    else:
        parameters = standaard_parameters()
        antwoord = beantwoord(
            Vraag(insz, vraag["datum"], vraag["doel"]),
            zoek=werk.kbi.zoek,
            vandaag=dag_in_brussel(nu),
            gekend_op=nu,
            parameters=parameters,
        )
        body = antwoord_body(referte, antwoord)
        fouten = [u.identificatie for u in antwoord.uitzonderingen if u.type.value == "FOUT"]
        bericht = Bericht(body, fouten[0] if fouten else None)
    beslissing_id = str(uuid.uuid4())
    beslissing = antwoord.beslissing if antwoord else None
    werk.later(
        _BESLISSING,
        {
            "id": beslissing_id,
            "client": client.naam,
            "referte": referte,
            "vraag_sha256": digest,
            "insz": insz[:32],
            "datum": vraag["datum"][:32],
            "doel": vraag["doel"][:32],
            "gekend_op": nu,
            "gegeven_op": nu,
            "antwoord": orjson.dumps(bericht.body).decode(),
            "feit_ids": orjson.dumps(list(beslissing.feiten) if beslissing else []).decode(),
            "parameterversie": beslissing.parameterversie
            if beslissing
            else standaard_parameters().versie,
        },
    )
    gebeurtenis = (
        AuditGebeurtenis.ADVIES_GEWEIGERD if bericht.weigering else AuditGebeurtenis.ADVIES_GEGEVEN
    )
    geldig = antwoord.insz if antwoord and antwoord.insz else None
    _audit(werk, sleutels, client, nu, gebeurtenis, geldig, bericht, beslissing_id)
    return bericht
