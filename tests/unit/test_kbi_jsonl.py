from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kbi_exchange.adapters.kbi_jsonl import lees_lijn
from kbi_exchange.adapters.line_reader import OngeldigeLijn

NU = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("regel", "veld", "reden"),
    [
        ("{not json", "line", "not valid JSON"),
        ('{"doelgroep": []}', "line", "insz"),
        ('{"insz": "85073003329"}', "insz", "check digits"),
        ('{"insz": "85073003328", "onbekend": 1}', "line", "onbekend"),
        (
            '{"insz": "85073003328", "doelgroep": [{"type": "X", "begin": "2022-01-01"}]}',
            "doelgroep[0].type",
            "must be one of",
        ),
        (
            '{"insz": "85073003328", "doelgroep": [{"type": "PLICHT", "begin": "2022-02-30"}]}',
            "doelgroep[0].begin",
            "must be date",
        ),
        (
            '{"insz": "85073003328", "doelgroep": [{"type": "PLICHT", "begin": "2022-02-01",'
            ' "einde": "2022-01-31"}]}',
            "doelgroep[0].einde",
            "before begin",
        ),
        (
            '{"insz": "85073003328", "aanmeldingen": [{"datum": "2022-02-01",'
            ' "geregistreerd_op": "2030-01-01T00:00:00Z"}]}',
            "aanmeldingen[0].geregistreerd_op",
            "future",
        ),
        ('{"insz": "85073003328", "vervangen_door": "85073003328"}', "vervangen_door", "itself"),
    ],
)
def test_a_bad_line_names_the_field_and_the_reason(regel: str, veld: str, reden: str) -> None:
    with pytest.raises(OngeldigeLijn) as info:
        lees_lijn(regel, nu=NU)
    assert info.value.veld == veld
    assert reden in info.value.reden


def test_an_error_never_repeats_the_insz() -> None:
    with pytest.raises(OngeldigeLijn) as info:
        lees_lijn('{"insz": "85073003329"}', nu=NU)
    assert "85073003329" not in str(info.value)
