"""Reading one line of the VSB member registry's import format (SPEC §6) into a `Lid`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kbi_exchange.adapters.json_fields import decodeer, insz_veld, optionele_dag, periode
from kbi_exchange.adapters.line_reader import OngeldigeLijn
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.lid import Aansluiting, Lid, overlappen
from kbi_exchange.schemas import zorgkas_codes


def lees_lid(tekst: str | bytes, *, nu: datetime) -> Lid:  # a `line_reader.Parser`
    """Decode, validate and convert one member line; `OngeldigeLijn` names what is wrong.

    Beyond the schema: a valid INSZ, a known zorgkas, no two affiliations (or VT periods) on
    one day, no birth or death after today, no death before birth.
    """
    ruw: dict[str, Any] = decodeer(tekst, "vsb-lid")
    insz = insz_veld(ruw["insz"], "insz")
    aansluitingen = []
    for index, item in enumerate(ruw["aansluitingen"]):
        veld = f"aansluitingen[{index}]"
        if item["zorgkas"] not in zorgkas_codes():
            raise OngeldigeLijn(
                f"{veld}.zorgkas",
                f"unknown zorgkas; codes: {', '.join(sorted(zorgkas_codes()))}",
            )
        aansluitingen.append(Aansluiting(item["zorgkas"], periode(item, veld)))
    vt = tuple(periode(item, f"vt[{index}]") for index, item in enumerate(ruw.get("vt", ())))
    if overlappen([a.periode for a in aansluitingen]):
        raise OngeldigeLijn("aansluitingen", "two affiliations cover the same day")
    if overlappen(list(vt)):
        raise OngeldigeLijn("vt", "two VT periods cover the same day")
    vandaag = dag_in_brussel(nu)
    geboren = optionele_dag(ruw.get("geboortedatum"), "geboortedatum")
    overleden = optionele_dag(ruw.get("overlijdensdatum"), "overlijdensdatum")
    for veld, dag in (("geboortedatum", geboren), ("overlijdensdatum", overleden)):
        if dag is not None and dag > vandaag:
            raise OngeldigeLijn(veld, "lies in the future")
    if geboren is not None and overleden is not None and overleden < geboren:
        raise OngeldigeLijn("overlijdensdatum", "lies before geboortedatum")
    return Lid(insz, tuple(aansluitingen), vt, geboren, overleden)
