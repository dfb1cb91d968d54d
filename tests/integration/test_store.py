"""The KBI store through the command line, on SQLite and on PostgreSQL (SPEC §5, §14)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError

from kbi_exchange.adapters.db.aii_models import (
    AiiBase,
    FeitRow,
    ImportRow,
    IntrekkingRow,
    PersoonRow,
    VeldRow,
)
from kbi_exchange.adapters.db.driver import omzetter, voeg_rijen_toe
from kbi_exchange.adapters.db.kbi_store import stroom_dossiers
from kbi_exchange.adapters.db.kbi_stream import grenzen
from kbi_exchange.adapters.db.types import UtcDateTime
from kbi_exchange.adapters.db.vsb_models import VsbBase
from kbi_exchange.bootstrap import aii_uow, engine
from kbi_exchange.entrypoints.cli_synth import schrijf_dossiers
from kbi_exchange.settings import load_settings
from tests.conftest import EXAMPLES, assert_matches_expected, example_cases, kbi

Cap = pytest.CaptureFixture[str]


def _tellingen(url: str) -> dict[str, int]:
    with engine(url).connect() as verbinding:
        return {
            model.__tablename__: verbinding.scalar(select(func.count()).select_from(model)) or 0
            for model in (PersoonRow, FeitRow, IntrekkingRow, VeldRow, ImportRow)
        }


def _schrijf(pad: Path, *regels: dict[str, Any] | str) -> Path:
    pad.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in regels),
        encoding="utf-8",
    )
    return pad


@pytest.mark.usefixtures("home")
def test_every_example_answers_as_expected_through_import_and_decide(capsys: Cap) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    for geval in example_cases():
        vraag = geval["vraag"]
        args = ["aii", "decide", "--insz", vraag["insz"], "--date", vraag["datum"], "--json"]
        if "gekend_op" in vraag:
            args += ["--known-at", vraag["gekend_op"]]
        uit = kbi(capsys, *args)
        verwacht = geval["verwacht"]
        assert uit.code == (1 if verwacht.get("advies", "x") is None else 0), uit
        assert_matches_expected(json.loads(uit.out), verwacht)


def test_importing_the_same_file_twice_changes_nothing(
    home: Path, database_url: str, capsys: Cap
) -> None:
    bestand = str(EXAMPLES / "dossiers.jsonl")
    assert kbi(capsys, "aii", "import", bestand).code == 0
    na_eerste = _tellingen(database_url)
    uit = kbi(capsys, "aii", "import", bestand, "--json")
    assert uit.code == 0
    resultaat = json.loads(uit.out)
    assert (resultaat["feiten_toegevoegd"], resultaat["velden_gewijzigd"]) == (0, 0)
    na_tweede = _tellingen(database_url)
    assert {k: v for k, v in na_tweede.items() if k != "kbi_import"} == {
        k: v for k, v in na_eerste.items() if k != "kbi_import"
    }
    assert na_tweede["kbi_import"] == na_eerste["kbi_import"] + 1


def test_a_file_with_one_bad_line_names_line_and_field_and_stores_nothing(
    home: Path, database_url: str, tmp_path: Path, capsys: Cap
) -> None:
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    voor = _tellingen(database_url)
    bestand = _schrijf(
        tmp_path / "bad.jsonl",
        {"insz": "85073004021", "doelgroep": [{"type": "PLICHT", "begin": "2022-01-01"}]},
        {"insz": "85073004120", "aanmeldingen": [{"datum": "2022-13-01"}]},
        {"insz": "85073004219", "doelgroep": [{"type": "PLICHT", "begin": "2022-01-01"}]},
    )
    uit = kbi(capsys, "aii", "import", str(bestand))
    assert uit.code == 1
    assert "line 2" in uit.err
    assert "aanmeldingen[0].datum" in uit.err
    assert "nothing was imported" in uit.err
    assert _tellingen(database_url) == voor


def test_skip_bad_imports_the_good_lines_and_writes_the_bad_ones_to_the_rejects_file(
    home: Path, database_url: str, tmp_path: Path, capsys: Cap
) -> None:
    slecht = '{"insz": "85073004120", "aanmeldingen": [{"datum": "2022-13-01"}]}'
    bestand = _schrijf(
        tmp_path / "mixed.jsonl",
        {"insz": "85073004021", "doelgroep": [{"type": "PLICHT", "begin": "2022-01-01"}]},
        slecht,
        "{not json",
    )
    afgewezen = tmp_path / "rejects.jsonl"
    uit = kbi(capsys, "aii", "import", str(bestand), "--skip-bad", "--rejects", str(afgewezen))
    assert uit.code == 0, uit
    assert "2 lines rejected" in uit.out
    assert "line 3: line: not valid JSON" in uit.err
    assert afgewezen.read_text(encoding="utf-8") == slecht + "\n{not json\n"
    assert _tellingen(database_url)["persoon"] == 1


def test_skip_bad_without_a_rejects_file_is_a_usage_error(home: Path, capsys: Cap) -> None:
    uit = kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl"), "--skip-bad")
    assert uit.code == 2
    assert "--rejects" in uit.err


def test_a_withdrawal_is_a_new_row_and_the_fact_itself_stays(
    home: Path, database_url: str, tmp_path: Path, capsys: Cap
) -> None:
    feit = {
        "id": "ib-1",
        "datum_vaststelling": "2023-01-01",
        "geregistreerd_op": "2023-01-02T10:00:00+01:00",
    }
    basis = {
        "insz": "85073004021",
        "doelgroep": [{"type": "PLICHT", "begin": "2022-05-01"}],
        "aanmeldingen": [{"datum": "2022-06-01"}],
        "inbreuken": [feit],
    }
    assert kbi(capsys, "aii", "import", str(_schrijf(tmp_path / "a.jsonl", basis))).code == 0
    intrekking = {
        "insz": "85073004021",
        "inbreuken": [dict(feit, ingetrokken_op="2023-06-01T09:00:00+02:00")],
    }
    assert kbi(capsys, "aii", "import", str(_schrijf(tmp_path / "b.jsonl", intrekking))).code == 0
    tellingen = _tellingen(database_url)
    assert (tellingen["feit"], tellingen["feit_intrekking"]) == (3, 1)

    def advies(known_at: str) -> Any:
        uit = kbi(
            capsys,
            "aii",
            "decide",
            "--insz",
            "85073004021",
            "--date",
            "2023-03-01",
            "--known-at",
            known_at,
            "--json",
        )
        return json.loads(uit.out)["advies"]

    assert advies("2023-05-31") == "NOK"
    assert advies("2023-06-02") == "OK"


def test_a_decision_known_at_t_does_not_change_when_facts_registered_after_t_arrive(
    home: Path, tmp_path: Path, capsys: Cap
) -> None:
    basis = {
        "insz": "85073004021",
        "doelgroep": [{"type": "PLICHT", "begin": "2022-05-01"}],
        "aanmeldingen": [{"datum": "2022-06-01"}],
    }
    assert kbi(capsys, "aii", "import", str(_schrijf(tmp_path / "a.jsonl", basis))).code == 0
    vraag = [
        "aii",
        "decide",
        "--insz",
        "85073004021",
        "--date",
        "2023-06-01",
        "--known-at",
        "2023-04-01T00:00:00+02:00",
        "--json",
    ]
    voor = kbi(capsys, *vraag).out
    later = {
        "insz": "85073004021",
        "inbreuken": [
            {"datum_vaststelling": "2023-03-01", "geregistreerd_op": "2023-04-01T00:00:01+02:00"}
        ],
    }
    assert kbi(capsys, "aii", "import", str(_schrijf(tmp_path / "b.jsonl", later))).code == 0
    assert kbi(capsys, *vraag).out == voor
    nu = json.loads(kbi(capsys, *vraag[:-3], "--json").out)
    assert nu["reden"] == "INBREUK_VASTGESTELD"


def test_who_imported_what_and_when_is_recorded(home: Path, database_url: str, capsys: Cap) -> None:
    uit = kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl"), "--json")
    import_id = json.loads(uit.out)["id"]
    with engine(database_url).connect() as verbinding:
        rij = verbinding.execute(select(ImportRow).where(ImportRow.id == import_id)).one()
    assert rij.door.startswith("os:")
    assert rij.bestand == "dossiers.jsonl"
    assert rij.regels == 11
    assert len(rij.sha256) == 64


def test_a_dossier_field_change_is_a_new_version(
    home: Path, database_url: str, tmp_path: Path, capsys: Cap
) -> None:
    regel = {"insz": "85073004021", "doelgroep": [{"type": "PLICHT", "begin": "2022-05-01"}]}
    assert kbi(capsys, "aii", "import", str(_schrijf(tmp_path / "a.jsonl", regel))).code == 0
    dood = {"insz": "85073004021", "overlijdensdatum": "2023-02-01"}
    assert kbi(capsys, "aii", "import", str(_schrijf(tmp_path / "b.jsonl", dood))).code == 0
    assert _tellingen(database_url)["dossierveld"] == 1
    uit = kbi(capsys, "aii", "decide", "--insz", "85073004021", "--date", "2023-03-01", "--json")
    assert json.loads(uit.out)["status"] == "NIET_VERPLICHT"


def test_the_migrations_build_exactly_the_models_schema(home: Path, database_url: str) -> None:
    with engine(database_url).connect() as verbinding:
        verschil = compare_metadata(MigrationContext.configure(verbinding), AiiBase.metadata)
    assert verschil == []


def test_a_command_on_an_uninitialised_home_says_so_in_one_line(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBI_HOME", str(tmp_path / "nowhere"))
    monkeypatch.delenv("KBI_AII_DATABASE_URL", raising=False)
    uit = kbi(capsys, "aii", "decide", "--insz", "85073003328", "--date", "2023-01-01")
    assert uit.code == 1
    assert uit.err.count("\n") == 1
    assert "kbi init" in uit.err


def test_parsing_in_a_worker_process_gives_the_same_import(
    home: Path, database_url: str, tmp_path: Path, capsys: Cap
) -> None:
    bestand = tmp_path / "mixed.jsonl"
    schrijf_dossiers(3_000, seed=8, out=bestand)
    with bestand.open("a", encoding="utf-8") as f:
        f.write('{"insz": "85073003329"}\n')
    slechte_regel = len(bestand.read_text(encoding="utf-8").splitlines())
    afgewezen = tmp_path / "rejects.jsonl"
    uitkomsten = []
    for workers in ("0", "1"):
        uit = kbi(
            capsys,
            "aii",
            "import",
            str(bestand),
            "--skip-bad",
            "--rejects",
            str(afgewezen),
            "--workers",
            workers,
            "--json",
        )
        assert uit.code == 0, uit
        resultaat = json.loads(uit.out)
        uitkomsten.append((resultaat["regels"], resultaat["regels_geweigerd"]))
        assert f"line {slechte_regel}: insz" in uit.err
        if workers == "0":
            eerste = _tellingen(database_url)
            assert resultaat["feiten_toegevoegd"] > 6_000
        else:
            assert resultaat["feiten_toegevoegd"] == 0
    assert uitkomsten[0] == uitkomsten[1]
    assert _tellingen(database_url)["feit"] == eerste["feit"]


def test_the_vsb_migrations_build_exactly_the_vsb_models_schema(home: Path) -> None:
    url = load_settings().vsb_database_url
    with engine(url).connect() as verbinding:
        verschil = compare_metadata(MigrationContext.configure(verbinding), VsbBase.metadata)
    assert verschil == []


@pytest.mark.usefixtures("home")
def test_one_person_many_and_a_range_stream_read_the_same_dossiers(
    home: Path, tmp_path: Path, capsys: Cap
) -> None:
    """The four reads of `SqlKbi` share their queries; here they must agree on every dossier,
    with withdrawals and field versions, and a person held without facts is told apart."""
    bestand = tmp_path / "synth.jsonl"
    schrijf_dossiers(1_500, seed=3, out=bestand)
    with bestand.open("a", encoding="utf-8") as f:
        f.write('{"insz": "77010145077"}\n')  # a person with no fact and no field
    assert kbi(capsys, "aii", "import", str(bestand)).code == 0
    assert kbi(capsys, "aii", "import", str(EXAMPLES / "dossiers.jsonl")).code == 0
    with aii_uow(load_settings()) as uow:
        gestroomd = [d for blok in uow.kbi.stroom() for d in blok]
        inszen = [d.insz for d in gestroomd]
        assert inszen == sorted(inszen)
        assert len(inszen) == uow.kbi.aantal_personen()
        per_lijst = uow.kbi.dossiers([*inszen, "00000000097"])  # one the KBI does not hold
        veel = uow.kbi.zoek_veel(inszen)
        verbinding = uow.session.connection()
        in_delen = [
            d
            for van, tot in grenzen(verbinding, 4)
            for blok in stroom_dossiers(verbinding, van=van, tot=tot)
            for d in blok
        ]
        assert in_delen == gestroomd
        assert sorted(per_lijst) == inszen
        assert [per_lijst[i] for i in inszen] == gestroomd
        leeg = per_lijst["77010145077"]
        assert list(leeg.feiten()) == []
        assert veel["77010145077"] is None
        assert uow.kbi.zoek("77010145077") is None
        met_inhoud = [d for d in gestroomd if d.insz != "77010145077"]
        assert [veel[d.insz] for d in met_inhoud] == met_inhoud
        assert [uow.kbi.zoek(d.insz) for d in met_inhoud[:200]] == met_inhoud[:200]
        assert any(f.ingetrokken_op for d in met_inhoud for f in d.feiten()), "withdrawals read"


def test_rows_appended_in_one_statement_keep_every_kind_of_value(database_url: str) -> None:
    """`voeg_rijen_toe` (on PostgreSQL one statement of arrays, on SQLite an executemany):
    every column type of the models comes back as written, NULLs and a column of NULLs too; a
    value too long for its column (PostgreSQL) fails the whole statement instead of being cut;
    rows of another width are refused before anything is sent."""
    metadata = MetaData()
    tabel = Table(
        "zz_rijen",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=False),
        Column("code", String(3)),
        Column("tekst", Text),
        Column("waar", Boolean),
        Column("bytes", LargeBinary),
        Column("dag", Date),
        Column("moment", UtcDateTime),
        Column("leeg", String(8)),
    )
    db = engine(database_url)
    metadata.create_all(db)
    moment = datetime(2026, 1, 1, 12, 30, 15, 123456, tzinfo=UTC)
    rijen = [
        (
            i,
            "abc" if i % 2 else None,
            "é" * i,
            i % 3 == 0,
            bytes([i, 0, 255]),
            date(2025, 1, i + 1),
            moment + timedelta(seconds=i),
            None,
        )
        for i in range(1, 26)
    ]
    kolommen = [k.name for k in tabel.columns]
    try:
        with db.begin() as verbinding:
            naar_db = omzetter(verbinding)
            voeg_rijen_toe(
                verbinding, tabel, kolommen, [(*r[:6], naar_db(r[6]), r[7]) for r in rijen]
            )
        with db.connect() as verbinding:
            terug = verbinding.execute(select(tabel).order_by(tabel.c.id)).all()
        assert [tuple(r) for r in terug] == rijen
        if db.dialect.name == "postgresql":  # SQLite keeps no lengths
            with pytest.raises(DBAPIError, match="too long"), db.begin() as verbinding:
                voeg_rijen_toe(verbinding, tabel, ["id", "code"], [(100, "ok"), (101, "vier")])
        with pytest.raises(ValueError, match="do not match"), db.begin() as verbinding:
            voeg_rijen_toe(verbinding, tabel, ["id", "code"], [(102,), (103, "x")])
        with db.connect() as verbinding:
            assert verbinding.scalar(select(func.count()).select_from(tabel)) == len(rijen)
    finally:
        metadata.drop_all(db)
