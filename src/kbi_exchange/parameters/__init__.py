"""The shipped parameter files, loaded into a `ParameterSet` whose version is their digest."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kbi_exchange.domain.parameters import Parameter, ParameterSet, ParameterWaarde
from kbi_exchange.domain.premie import PremieBedragen
from kbi_exchange.domain.protocol import (
    ProtocolDefinitie,
    Rechtsgrond,
    Stroom,
    StroomDefinitie,
)


class OngeldigeParameters(ValueError):
    """A parameter file that does not say what the rules need."""


def _waarde(naam: str, ruw: dict[str, Any]) -> ParameterWaarde:
    for verplicht in ("vanaf", "waarde", "bron"):
        if verplicht not in ruw:
            raise OngeldigeParameters(f"parameter {naam!r}: a value lacks {verplicht!r}")
    if not isinstance(ruw["vanaf"], date):
        raise OngeldigeParameters(f"parameter {naam!r}: 'vanaf' must be a date")
    return ParameterWaarde(
        vanaf=ruw["vanaf"],
        waarde=ruw["waarde"],
        bron=str(ruw["bron"]).strip(),
        publieke_bron=bool(ruw.get("publieke_bron", True)),
    )


def parse_parameters(bestanden: dict[str, str]) -> ParameterSet:
    """Build a parameter set from YAML texts (file name → text)."""
    parameters: dict[str, Parameter] = {}
    digest = hashlib.sha256()
    for naam_bestand in sorted(bestanden):
        tekst = bestanden[naam_bestand]
        digest.update(naam_bestand.encode() + b"\0" + tekst.encode() + b"\0")
        inhoud = yaml.safe_load(tekst) or {}
        for naam, ruw in inhoud.items():
            if naam in parameters:
                raise OngeldigeParameters(f"parameter {naam!r} is defined twice")
            waarden = tuple(
                sorted((_waarde(naam, w) for w in ruw["waarden"]), key=lambda w: w.vanaf)
            )
            if not waarden:
                raise OngeldigeParameters(f"parameter {naam!r} has no values")
            parameters[naam] = Parameter(naam, str(ruw.get("omschrijving", "")).strip(), waarden)
    return ParameterSet(parameters, versie=digest.hexdigest()[:16])


@cache
def standaard_parameters() -> ParameterSet:
    """The parameters shipped with this version of the product."""
    map_ = resources.files(__package__)
    bestanden = {
        bestand.name: bestand.read_text(encoding="utf-8")
        for bestand in map_.iterdir()
        if bestand.name.endswith(".yaml")
    }
    return parse_parameters(bestanden)


def parse_premie_bedragen(tekst: str) -> dict[int, PremieBedragen]:
    """The zorgpremie amounts per year (``vsb/zorgpremie.yaml``), each with its source."""
    bedragen: dict[int, PremieBedragen] = {}
    for jaar, ruw in (yaml.safe_load(tekst) or {}).items():
        if not isinstance(jaar, int) or not isinstance(ruw, dict) or not ruw.get("bron"):
            raise OngeldigeParameters(f"zorgpremie {jaar!r}: a year with amounts and a 'bron'")
        waarden = {}
        for soort in ("volledig", "verlaagd"):
            waarde = ruw.get(soort)
            if waarde is not None and (not isinstance(waarde, int) or waarde <= 0):
                raise OngeldigeParameters(f"zorgpremie {jaar}: {soort!r} must be whole euros")
            waarden[soort] = waarde
        bedragen[jaar] = PremieBedragen(
            jaar, waarden["volledig"], waarden["verlaagd"], str(ruw["bron"]).strip()
        )
    return bedragen


@cache
def premie_bedragen() -> dict[int, PremieBedragen]:
    """The zorgpremie amounts shipped with this version of the product."""
    tekst = resources.files(__package__).joinpath("vsb", "zorgpremie.yaml").read_text("utf-8")
    return parse_premie_bedragen(tekst)


def parse_protocol(tekst: str) -> ProtocolDefinitie:
    """The protocol's definition (``protocol/protocol.yaml``): parties, flows, legal bases."""
    ruw = yaml.safe_load(tekst)
    try:
        stromen = tuple(
            StroomDefinitie(
                stroom=Stroom(code),
                doel=str(stroom["doel"]),
                omschrijving=str(stroom["omschrijving"]).strip(),
                rechtsgronden=tuple(
                    Rechtsgrond(
                        instrument=str(g["instrument"]),
                        artikel=str(g["artikel"]),
                        geldig_van=g["geldig_van"],
                        geldig_tot=g.get("geldig_tot"),
                    )
                    for g in stroom["rechtsgronden"]
                ),
                gegevens=tuple(str(x) for x in stroom.get("gegevens", ())),
                ontvangers=tuple(str(x) for x in stroom.get("ontvangers", ())),
                bewaring=str(stroom.get("bewaring", "")),
                periodiciteit=str(stroom.get("periodiciteit", "")),
            )
            for code, stroom in ruw["stromen"].items()
        )
        return ProtocolDefinitie(
            naam=str(ruw["naam"]),
            in_werking=ruw["in_werking"],
            opzegtermijn_maanden=int(ruw["opzegtermijn_maanden"]),
            partijen=tuple({k: str(v) for k, v in p.items()} for p in ruw["partijen"]),
            stromen=stromen,
            contactpunten=tuple(
                {k: str(v) for k, v in c.items()} for c in ruw.get("contactpunten", ())
            ),
        )
    except (KeyError, TypeError, ValueError) as fout:
        raise OngeldigeParameters(f"protocol.yaml: {type(fout).__name__}: {fout}") from None


@cache
def protocol_definitie() -> ProtocolDefinitie:
    """The protocol as shipped with this version of the product."""
    tekst = resources.files(__package__).joinpath("protocol", "protocol.yaml").read_text("utf-8")
    return parse_protocol(tekst)


@cache
def protocol_tekst() -> str:
    """The protocol's own text (1 October 2021), as signed, for the transparency page."""
    bestand = resources.files(__package__).joinpath("protocol", "protocol-2021.txt")
    return bestand.read_text("utf-8").strip()
