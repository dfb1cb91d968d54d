from __future__ import annotations

from datetime import date

import pytest

from kbi_exchange.domain.parameters import ParameterOntbreekt
from kbi_exchange.parameters import OngeldigeParameters, parse_parameters, standaard_parameters


def test_every_parameter_value_names_its_source() -> None:
    for parameter in standaard_parameters().parameters.values():
        assert parameter.omschrijving
        for waarde in parameter.waarden:
            assert len(waarde.bron) > 10, parameter.naam


def test_assumptions_without_public_source_are_marked_as_such() -> None:
    parameters = standaard_parameters()
    zonder_bron = {
        p.naam
        for p in parameters.parameters.values()
        if not all(w.publieke_bron for w in p.waarden)
    }
    assert zonder_bron == {"ondertekeningstermijn_maanden", "identiteit_max_keten"}


def test_a_value_applies_from_its_date_until_the_next_one() -> None:
    parameters = parse_parameters(
        {
            "t.yaml": """
termijn:
  omschrijving: test
  waarden:
    - {vanaf: 2022-01-01, waarde: 3, bron: eerste bron}
    - {vanaf: 2024-01-01, waarde: 6, bron: tweede bron}
"""
        }
    )
    assert parameters.waarde("termijn", date(2023, 12, 31)) == 3
    assert parameters.waarde("termijn", date(2024, 1, 1)) == 6
    with pytest.raises(ParameterOntbreekt, match="no value on 2021-12-31"):
        parameters.waarde("termijn", date(2021, 12, 31))


def test_a_value_without_source_is_refused() -> None:
    with pytest.raises(OngeldigeParameters, match="lacks 'bron'"):
        parse_parameters({"t.yaml": "x:\n  waarden:\n    - {vanaf: 2022-01-01, waarde: 3}\n"})


def test_the_version_changes_when_a_file_changes() -> None:
    tekst = "x:\n  waarden:\n    - {vanaf: 2022-01-01, waarde: 3, bron: een bron}\n"
    assert (
        parse_parameters({"a.yaml": tekst}).versie
        != parse_parameters({"a.yaml": tekst.replace("3", "4")}).versie
    )
