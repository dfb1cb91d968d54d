"""The fields the import formats share (SPEC §5, §6): JSON, schema, dates, periods, INSZ —
each refusal naming the field and the reason, never the value."""

from __future__ import annotations

from datetime import date
from typing import Any

import fastjsonschema

from kbi_exchange.adapters import strict_json
from kbi_exchange.adapters.line_reader import OngeldigeLijn
from kbi_exchange.domain.dates import OngeldigeTijd, datum_uit_tekst
from kbi_exchange.domain.insz import Insz, OngeldigInsz
from kbi_exchange.domain.periods import Periode
from kbi_exchange.schemas import validator


def dag(ruw: Any, veld: str) -> date:
    try:
        return datum_uit_tekst(ruw)
    except OngeldigeTijd as fout:
        raise OngeldigeLijn(veld, f"not a valid date: {fout}") from None


def optionele_dag(ruw: Any, veld: str) -> date | None:
    return None if ruw is None else dag(ruw, veld)


def periode(ruw: dict[str, Any], veld: str) -> Periode:
    begin = dag(ruw["begin"], f"{veld}.begin")
    einde = optionele_dag(ruw.get("einde"), f"{veld}.einde")
    if einde is not None and einde < begin:
        raise OngeldigeLijn(f"{veld}.einde", "lies before begin")
    return Periode(begin, einde)


def insz_veld(ruw: str, veld: str) -> str:
    """The INSZ's eleven digits, checked (python-stdnum)."""
    try:
        return Insz.parse(ruw).cijfers
    except OngeldigInsz as fout:
        raise OngeldigeLijn(veld, str(fout)) from None


def veldnaam(pad: list[str]) -> str:
    """``['doelgroep', '0', 'begin']`` → ``doelgroep[0].begin``; the whole line when empty."""
    naam = ""
    for deel in pad:
        naam += f"[{deel}]" if deel.isdigit() else (f".{deel}" if naam else deel)
    return naam or "line"


def schemareden(fout: fastjsonschema.JsonSchemaValueException) -> str:
    return fout.message.removeprefix(fout.name or "").strip() or fout.message


def decodeer(tekst: str | bytes, schema: str) -> Any:
    """One JSON line, valid against a shipped schema."""
    try:
        ruw = strict_json.loads(tekst)
    except strict_json.JsonError as fout:
        raise OngeldigeLijn("line", str(fout)) from None
    valideer(ruw, schema)
    return ruw


def valideer(ruw: Any, schema: str) -> None:
    try:
        validator(schema)(ruw)
    except fastjsonschema.JsonSchemaValueException as fout:
        raise OngeldigeLijn(veldnaam(fout.path[1:]), schemareden(fout)) from None
