"""The member import format (SPEC §6): every malformation named by field, never by value."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from kbi_exchange.adapters.leden_jsonl import lees_lid
from kbi_exchange.adapters.line_reader import OngeldigeLijn

NU = datetime(2026, 1, 15, 10, tzinfo=UTC)
INSZ = "85073003328"


def _regel(**velden: object) -> str:
    return json.dumps({"insz": INSZ, "aansluitingen": [_aan("CM", "2010-01-01")], **velden})


def _aan(zorgkas: str, begin: str, einde: str | None = None) -> dict[str, object]:
    return {"zorgkas": zorgkas, "begin": begin, "einde": einde}


def test_a_member_is_read_with_affiliations_vt_birth_and_death() -> None:
    lid = lees_lid(
        _regel(
            aansluitingen=[_aan("CM", "2010-01-01", "2023-12-31"), _aan("LM", "2024-01-01")],
            vt=[{"begin": "2020-01-01"}],
            geboortedatum="1985-07-30",
            overlijdensdatum="2025-06-30",
        ).encode(),
        nu=NU,
    )
    assert lid.zorgkas_op(date(2024, 2, 1)) == "LM"
    assert lid.vt_op(date(2024, 1, 1))
    assert lid.overlijdensdatum == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("regel", "veld", "reden"),
    [
        ("{not json", "line", "not valid JSON"),
        (json.dumps({"insz": INSZ}), "line", "aansluitingen"),
        (_regel(insz="85073003329"), "insz", "check digit"),
        (_regel(insz="8507300332"), "insz", "match pattern"),
        (_regel(aansluitingen=[]), "aansluitingen", "at least 1"),
        (_regel(aansluitingen=[_aan("XX", "2010-01-01")]), "aansluitingen[0].zorgkas", "unknown"),
        (_regel(aansluitingen=[_aan("CM", "2010-02-30")]), "aansluitingen[0].begin", "date"),
        (
            _regel(aansluitingen=[_aan("CM", "2010-01-01", "2009-12-31")]),
            "aansluitingen[0].einde",
            "lies before begin",
        ),
        (
            _regel(aansluitingen=[_aan("CM", "2010-01-01"), _aan("LM", "2020-01-01")]),
            "aansluitingen",
            "same day",
        ),
        (
            _regel(vt=[{"begin": "2020-01-01", "einde": "2021-01-01"}, {"begin": "2021-01-01"}]),
            "vt",
            "same day",
        ),
        (_regel(geboortedatum="2027-01-01"), "geboortedatum", "in the future"),
        (
            _regel(geboortedatum="1990-01-01", overlijdensdatum="1989-12-31"),
            "overlijdensdatum",
            "before geboortedatum",
        ),
        (_regel(extra="x"), "line", "must not contain"),
    ],
)
def test_a_bad_line_names_the_field_and_the_reason(regel: str, veld: str, reden: str) -> None:
    with pytest.raises(OngeldigeLijn) as fout:
        lees_lid(regel.encode(), nu=NU)
    assert fout.value.veld == veld
    assert reden in fout.value.reden
    assert INSZ not in str(fout.value)
