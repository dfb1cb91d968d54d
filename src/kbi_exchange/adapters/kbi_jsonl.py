"""Reading one line of the KBI dossier import format (SPEC §5) into domain facts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from kbi_exchange.adapters import strict_json
from kbi_exchange.adapters.json_fields import (
    dag,
    insz_veld,
    optionele_dag,
    periode,
    valideer,
)
from kbi_exchange.adapters.line_reader import OngeldigeLijn
from kbi_exchange.domain.dates import OngeldigeTijd, rfc3339_uit_tekst
from kbi_exchange.domain.dossier import (
    Aanmelding,
    Attest,
    AttestSoort,
    Contract,
    Doelgroep,
    DoelgroepType,
    Dossierlijn,
    Feit,
    Inbreuk,
    UitstelAanmelding,
    UitstelOndertekening,
    Vrijstelling,
    inhoud_id,
)


def _moment(ruw: Any, veld: str, nu: datetime) -> datetime | None:
    if ruw is None:
        return None
    try:
        moment = rfc3339_uit_tekst(ruw)
    except OngeldigeTijd as fout:
        raise OngeldigeLijn(veld, str(fout)) from None
    if moment > nu:
        raise OngeldigeLijn(veld, "lies in the future")
    return moment


_Maker = Callable[[dict[str, Any], str, dict[str, Any]], Feit]

_MAKERS: dict[str, _Maker] = {
    "doelgroep": lambda r, v, m: Doelgroep(
        type=DoelgroepType(r["type"]), periode=periode(r, v), **m
    ),
    "vrijstellingen": lambda r, v, m: Vrijstelling(reden=r["reden"], periode=periode(r, v), **m),
    "aanmeldingen": lambda r, v, m: Aanmelding(datum=dag(r["datum"], f"{v}.datum"), **m),
    "uitstel_aanmelding": lambda r, v, m: UitstelAanmelding(
        periode=periode(r, v), reden=r.get("reden"), **m
    ),
    "contracten": lambda r, v, m: Contract(
        datum_ondertekening=dag(r["datum_ondertekening"], f"{v}.datum_ondertekening"), **m
    ),
    "uitstel_ondertekening": lambda r, v, m: UitstelOndertekening(
        periode=periode(r, v), reden=r.get("reden"), **m
    ),
    "attesten": lambda r, v, m: Attest(
        soort=AttestSoort(r["soort"]), datum=dag(r["datum"], f"{v}.datum"), **m
    ),
    "inbreuken": lambda r, v, m: Inbreuk(
        type=r.get("type"),
        datum_vaststelling=dag(r["datum_vaststelling"], f"{v}.datum_vaststelling"),
        datum_rechtzetting=optionele_dag(r.get("datum_rechtzetting"), f"{v}.datum_rechtzetting"),
        **m,
    ),
}


def _feit(soort: str, ruw: dict[str, Any], veld: str, nu: datetime) -> Feit:
    geregistreerd = _moment(ruw.get("geregistreerd_op"), f"{veld}.geregistreerd_op", nu)
    ingetrokken = _moment(ruw.get("ingetrokken_op"), f"{veld}.ingetrokken_op", nu)
    if geregistreerd and ingetrokken and ingetrokken < geregistreerd:
        raise OngeldigeLijn(f"{veld}.ingetrokken_op", "lies before geregistreerd_op")
    meta = {
        "id": ruw.get("id") or "",
        "geregistreerd_op": geregistreerd,
        "ingetrokken_op": ingetrokken,
        "opgenomen_op": nu,
    }
    feit = _MAKERS[soort](ruw, veld, meta)
    if not feit.id:
        # The fact was made here and is not shared yet: fill in its content id in place
        # (dataclasses.replace would double the cost of reading a line).
        object.__setattr__(feit, "id", inhoud_id(feit))
    return feit


def lees_object(ruw: Any, *, nu: datetime) -> Dossierlijn:
    """Validate a decoded line against the schema and the rules of SPEC §5, then convert it.

    ``nu`` is the import moment: no registration or withdrawal may lie after it.
    """
    valideer(ruw, "kbi-dossier")
    insz = insz_veld(ruw["insz"], "insz")
    feiten: list[Feit] = []
    for soort in _MAKERS:
        for index, item in enumerate(ruw.get(soort, ())):
            feiten.append(_feit(soort, item, f"{soort}[{index}]", nu))
    velden: dict[str, object] = {}
    if "vervangen_door" in ruw:
        door = ruw["vervangen_door"]
        velden["vervangen_door"] = None if door is None else insz_veld(door, "vervangen_door")
        if velden["vervangen_door"] == insz:
            raise OngeldigeLijn("vervangen_door", "an INSZ cannot replace itself")
    for veld in ("overlijdensdatum", "geboortedatum"):
        if veld in ruw:
            velden[veld] = optionele_dag(ruw[veld], veld)
    return Dossierlijn(insz=insz, feiten=tuple(feiten), velden=velden)


def lees_lijn(tekst: str | bytes, *, nu: datetime) -> Dossierlijn:  # a `line_reader.Parser`
    """Decode and convert one JSON line."""
    try:
        ruw = strict_json.loads(tekst)
    except strict_json.JsonError as fout:
        raise OngeldigeLijn("line", str(fout)) from None
    return lees_object(ruw, nu=nu)


def _iso(dag: date | None) -> str | None:
    return None if dag is None else dag.isoformat()


def feit_inhoud(feit: Feit) -> tuple[str, dict[str, Any]]:
    """A fact as its import-format field and item, without id and timestamps (for storage)."""
    match feit:
        case Doelgroep():
            return "doelgroep", {
                "type": feit.type.value,
                "begin": _iso(feit.periode.begin),
                "einde": _iso(feit.periode.einde),
            }
        case Vrijstelling():
            return "vrijstellingen", {
                "reden": feit.reden,
                "begin": _iso(feit.periode.begin),
                "einde": _iso(feit.periode.einde),
            }
        case Aanmelding():
            return "aanmeldingen", {"datum": _iso(feit.datum)}
        case UitstelAanmelding():
            return "uitstel_aanmelding", {
                "begin": _iso(feit.periode.begin),
                "einde": _iso(feit.periode.einde),
                "reden": feit.reden,
            }
        case Contract():
            return "contracten", {"datum_ondertekening": _iso(feit.datum_ondertekening)}
        case UitstelOndertekening():
            return "uitstel_ondertekening", {
                "begin": _iso(feit.periode.begin),
                "einde": _iso(feit.periode.einde),
                "reden": feit.reden,
            }
        case Attest():
            return "attesten", {"soort": feit.soort.value, "datum": _iso(feit.datum)}
        case Inbreuk():
            return "inbreuken", {
                "type": feit.type,
                "datum_vaststelling": _iso(feit.datum_vaststelling),
                "datum_rechtzetting": _iso(feit.datum_rechtzetting),
            }
    raise TypeError(f"unknown kind of fact: {type(feit).__name__}")


def feit_uit_opslag(
    soort: str,
    inhoud: dict[str, Any],
    *,
    feit_id: str,
    geregistreerd_op: datetime | None,
    ingetrokken_op: datetime | None,
    opgenomen_op: datetime | None,
) -> Feit:
    """Rebuild a stored fact (the inverse of `feit_inhoud`)."""
    meta = {
        "id": feit_id,
        "geregistreerd_op": geregistreerd_op,
        "ingetrokken_op": ingetrokken_op,
        "opgenomen_op": opgenomen_op,
    }
    return _MAKERS[soort](inhoud, soort, meta)
