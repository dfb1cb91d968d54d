"""Importing KBI dossiers (SPEC §5) on a fake store: add-only, idempotent, all or nothing,
and a withdrawal that keeps the fact it withdraws; the file read by the real line reader."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.services.line_import import ImportGeweigerd
from tests.actors import OLGA
from tests.conftest import EXAMPLES, NU
from tests.fakes_beheer import FakeKbiImportWerk

WIE = "85073004021"
FEIT = {
    "id": "ib-1",
    "datum_vaststelling": "2023-01-01",
    "geregistreerd_op": "2023-01-02T10:00:00Z",
}
BASIS = {
    "insz": WIE,
    "doelgroep": [{"type": "PLICHT", "begin": "2022-05-01"}],
    "aanmeldingen": [{"datum": "2022-06-01"}],
    "inbreuken": [FEIT],
}


def _bestand(map_: Path, *regels: object, naam: str = "kbi.jsonl") -> Path:
    pad = map_ / naam
    pad.write_bytes(
        b"".join(
            r.encode() + b"\n" if isinstance(r, str) else orjson.dumps(r) + b"\n" for r in regels
        )
    )
    return pad


def test_the_examples_import_once_and_a_second_import_adds_nothing() -> None:
    werk = FakeKbiImportWerk()
    eerste = import_dossiers(
        uow=werk, bestand=dossier_file(EXAMPLES / "dossiers.jsonl"), door=OLGA, nu=NU
    )
    assert eerste.regels > 10
    assert eerste.feiten_toegevoegd > eerste.regels
    assert werk.imports[eerste.import_id]["bestand"] == "dossiers.jsonl"
    tweede = import_dossiers(
        uow=werk, bestand=dossier_file(EXAMPLES / "dossiers.jsonl"), door=OLGA, nu=NU
    )
    assert (tweede.feiten_toegevoegd, tweede.feiten_ingetrokken, tweede.velden_gewijzigd) == (
        0,
        0,
        0,
    )
    assert len(werk.imports) == 2


def test_a_withdrawal_keeps_the_fact_and_dates_its_end(tmp_path: Path) -> None:
    werk = FakeKbiImportWerk()
    import_dossiers(uow=werk, bestand=dossier_file(_bestand(tmp_path, BASIS)), door=OLGA, nu=NU)
    ingetrokken = {"insz": WIE, "inbreuken": [dict(FEIT, ingetrokken_op="2023-06-01T09:00:00Z")]}
    later = NU + timedelta(days=1)
    resultaat = import_dossiers(
        uow=werk, bestand=dossier_file(_bestand(tmp_path, ingetrokken)), door=OLGA, nu=later
    )
    assert (resultaat.feiten_toegevoegd, resultaat.feiten_ingetrokken) == (0, 1)
    dossier = werk.bewaard.zoek(WIE)
    assert dossier is not None
    (inbreuk,) = dossier.inbreuken
    assert inbreuk.id == "ib-1"
    assert inbreuk.ingetrokken_op is not None


def test_one_bad_line_stores_nothing_and_names_every_bad_line(tmp_path: Path) -> None:
    werk = FakeKbiImportWerk()
    bestand = _bestand(tmp_path, BASIS, "{not json", {"insz": "123"})
    with pytest.raises(ImportGeweigerd, match="line 2") as fout:
        import_dossiers(uow=werk, bestand=dossier_file(bestand), door=OLGA, nu=NU)
    assert fout.value.resultaat.aantal_fouten == 2
    assert "line 3: insz" in str(fout.value.resultaat.fouten[1])
    assert (len(werk.bewaard), werk.imports) == (0, {})


def test_skipping_bad_lines_imports_the_rest_and_sets_the_bad_ones_aside(tmp_path: Path) -> None:
    werk = FakeKbiImportWerk()
    afgewezen = tmp_path / "rejects.jsonl"
    bestand = _bestand(tmp_path, BASIS, '{"insz": "123"}')
    resultaat = import_dossiers(
        uow=werk,
        bestand=dossier_file(bestand, skip_bad=True, rejects=afgewezen),
        door=OLGA,
        nu=NU,
    )
    assert (resultaat.regels, resultaat.aantal_fouten, len(werk.bewaard)) == (2, 1, 1)
    assert afgewezen.read_text(encoding="utf-8") == '{"insz": "123"}\n'


def test_a_fact_id_registered_again_with_other_content_is_a_bad_line(tmp_path: Path) -> None:
    werk = FakeKbiImportWerk()
    import_dossiers(uow=werk, bestand=dossier_file(_bestand(tmp_path, BASIS)), door=OLGA, nu=NU)
    anders = {"insz": WIE, "inbreuken": [dict(FEIT, datum_vaststelling="2023-02-02")]}
    with pytest.raises(ImportGeweigerd, match="line 1: id"):
        import_dossiers(
            uow=werk, bestand=dossier_file(_bestand(tmp_path, anders)), door=OLGA, nu=NU
        )
    dossier = werk.bewaard.zoek(WIE)
    assert dossier is not None
    assert [str(f.datum_vaststelling) for f in dossier.inbreuken] == ["2023-01-01"]
