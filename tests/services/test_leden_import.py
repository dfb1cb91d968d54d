"""The member import (SPEC §6) on fakes: a line replaces what VSB knew, history kept, a file
imported twice changes nothing, a bad line stores nothing, --skip-bad keeps the rejects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kbi_exchange.adapters.line_file import member_file
from kbi_exchange.services.leden_import import import_leden
from kbi_exchange.services.line_import import ImportGeweigerd
from tests.actors import VERA
from tests.fakes import FakeLedenWerk

NU = datetime(2026, 1, 15, 10, tzinfo=UTC)
A, B = "85073001348", "85073001546"


def _lid(insz: str, zorgkas: str = "CM", **extra: object) -> str:
    return json.dumps(
        {"insz": insz, "aansluitingen": [{"zorgkas": zorgkas, "begin": "2010-01-01"}], **extra}
    )


def _bestand(tmp_path: Path, *regels: str, naam: str = "leden.jsonl") -> Path:
    pad = tmp_path / naam
    pad.write_text("".join(f"{r}\n" for r in regels), encoding="utf-8")
    return pad


def test_a_file_imported_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    werk = FakeLedenWerk()
    bestand = _bestand(tmp_path, _lid(A), _lid(B, "LM"))
    eerste = import_leden(uow=werk, bestand=member_file(bestand), door=VERA, nu=NU)
    assert (eerste.regels, eerste.leden_nieuw, eerste.leden_gewijzigd) == (2, 2, 0)
    tweede = import_leden(
        uow=werk, bestand=member_file(bestand), door=VERA, nu=NU + timedelta(days=1)
    )
    assert (tweede.leden_nieuw, tweede.leden_gewijzigd, tweede.leden_ongewijzigd) == (0, 0, 2)
    assert len(werk.bewaard.versies) == 2
    assert werk.bewaard.imports[tweede.import_id]["leden_ongewijzigd"] == 2
    regels = werk.audit.posten_
    assert [(r.gebeurtenis, r.actor) for r in regels] == [("vsb:leden:import", "vera")] * 2
    assert json.loads(regels[1].inhoud or "{}")["leden_ongewijzigd"] == 2
    assert not any(insz in (r.inhoud or "") for r in regels for insz in (A, B))


def test_a_changed_line_is_a_new_version_and_the_old_one_stays(tmp_path: Path) -> None:
    werk = FakeLedenWerk()
    import_leden(uow=werk, bestand=member_file(_bestand(tmp_path, _lid(A))), door=VERA, nu=NU)
    later = NU + timedelta(days=30)
    verhuisd = _bestand(tmp_path, _lid(A, "LM"), naam="later.jsonl")
    resultaat = import_leden(uow=werk, bestand=member_file(verhuisd), door=VERA, nu=later)
    assert resultaat.leden_gewijzigd == 1
    assert [(json.loads(inhoud)["aansluitingen"][0]["zorgkas"], op) for _, inhoud, op, _ in
            werk.bewaard.versies] == [("CM", NU), ("LM", later)]  # fmt: skip


def test_the_same_member_twice_in_one_file_the_later_line_wins(tmp_path: Path) -> None:
    werk = FakeLedenWerk()
    bestand = _bestand(tmp_path, _lid(A, "NZ"), _lid(A, "SOL"))
    resultaat = import_leden(uow=werk, bestand=member_file(bestand), door=VERA, nu=NU)
    assert (resultaat.regels, resultaat.leden_nieuw) == (2, 1)
    ((_, inhoud, _, _),) = werk.bewaard.versies
    assert json.loads(inhoud)["aansluitingen"][0]["zorgkas"] == "SOL"


def test_a_bad_line_stores_nothing_and_every_bad_line_is_named(tmp_path: Path) -> None:
    werk = FakeLedenWerk()
    bestand = _bestand(tmp_path, _lid(A), _lid(B, "XX"), "{bad", _lid(B))
    with pytest.raises(ImportGeweigerd, match=r"line 2: aansluitingen\[0\].zorgkas") as fout:
        import_leden(uow=werk, bestand=member_file(bestand), door=VERA, nu=NU)
    assert [f.regel for f in fout.value.resultaat.fouten] == [2, 3]
    assert werk.bewaard.versies == []
    assert werk.bewaard.imports == {}
    assert werk.audit.posten_ == [], "a refused import is not audited as one"


def test_skip_bad_imports_the_good_lines_and_puts_the_bad_ones_aside_as_they_were(
    tmp_path: Path,
) -> None:
    werk = FakeLedenWerk()
    slecht = _lid(B, "XX")
    bestand = _bestand(tmp_path, _lid(A), slecht)
    rejects = tmp_path / "rejects.jsonl"
    resultaat = import_leden(
        uow=werk, bestand=member_file(bestand, skip_bad=True, rejects=rejects), door=VERA, nu=NU
    )
    assert (resultaat.leden_nieuw, resultaat.aantal_fouten) == (1, 1)
    assert rejects.read_text(encoding="utf-8") == slecht + "\n"
    assert list(tmp_path.glob(".rejects.jsonl.*")) == []
