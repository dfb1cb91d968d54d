"""How the KBI store puts read rows together into dossiers (`kbi_store._Gelezen`), without a
database: every fact and field version is kept, also when one person's rows are not adjacent."""

from __future__ import annotations

import json

from kbi_exchange.adapters.db.kbi_store import _Gelezen

OP = "2026-01-10T09:00:00+00:00"
A, B = "85073003328", "85073001348"


def _feit(insz: str, feit_id: str, soort: str, inhoud: dict[str, object]) -> tuple[object, ...]:
    return (insz, feit_id, soort, json.dumps(inhoud), None, OP, None)


def test_rows_of_one_person_split_by_another_persons_are_all_kept() -> None:
    feiten = [
        _feit(A, "f1", "doelgroep", {"type": "PLICHT", "begin": "2022-03-01", "einde": None}),
        _feit(B, "f2", "aanmeldingen", {"datum": "2022-04-01"}),
        _feit(A, "f3", "aanmeldingen", {"datum": "2022-05-01"}),
    ]
    velden = [(A, "geboortedatum", "1985-07-30", OP), (B, "geboortedatum", "1985-07-30", OP),
              (A, "overlijdensdatum", "2030-01-01", OP)]  # fmt: skip
    gelezen = _Gelezen().voeg_toe(feiten, velden)
    assert sorted(f.id for f in gelezen.dossier(A).feiten()) == ["f1", "f3"]
    assert [f.id for f in gelezen.dossier(B).feiten()] == ["f2"]
    assert set(gelezen.velden[A]) == {"geboortedatum", "overlijdensdatum"}
    assert A in gelezen
    assert "00000000097" not in gelezen


def test_blocks_read_one_after_the_other_add_up() -> None:
    gelezen = _Gelezen().voeg_toe([_feit(A, "f1", "aanmeldingen", {"datum": "2022-04-01"})], [])
    gelezen.voeg_toe([_feit(A, "f2", "aanmeldingen", {"datum": "2022-05-01"})], [])
    assert sorted(f.id for f in gelezen.dossier(A).feiten()) == ["f1", "f2"]
