"""The VSB member registry through the command line, on SQLite and PostgreSQL (SPEC §6):
idempotent, history by recording time, all or nothing, `--as` checked, crash safe."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from kbi_exchange.adapters.db.vsb_models import (
    LedenImportRow,
    LidRow,
    LidVersieRow,
    VsbAuditRow,
)
from kbi_exchange.bootstrap import engine, sluit_engines, uow
from kbi_exchange.crash_points import CRASHED
from kbi_exchange.domain.access import Node
from kbi_exchange.services.synth import InszGenerator
from kbi_exchange.settings import load_settings
from tests.conftest import EXAMPLES, kbi

Cap = pytest.CaptureFixture[str]
LEDEN = EXAMPLES / "leden.jsonl"
VERHUIST = "85073002140"  # CM until 2023, LM from 2024


def _tellingen(url: str) -> tuple[int, int, int]:
    with engine(url).connect() as verbinding:
        stand = tuple(
            verbinding.scalar(select(func.count()).select_from(model)) or 0
            for model in (LidRow, LidVersieRow, LedenImportRow)
        )
    sluit_engines()
    return stand  # type: ignore[return-value]


@pytest.mark.usefixtures("twee_nodes")
def test_members_import_once_and_a_second_import_changes_nothing(
    vsb_database_url: str, capsys: Cap
) -> None:
    eerste = kbi(capsys, "vsb", "import", str(LEDEN), "--json")
    assert eerste.code == 0, eerste
    assert json.loads(eerste.out) | {"id": None} == {
        "id": None,
        "regels": 10,
        "leden_nieuw": 9,  # one member twice in the file: the later line wins
        "leden_gewijzigd": 0,
        "leden_ongewijzigd": 0,
        "regels_geweigerd": 0,
    }
    tweede = kbi(capsys, "vsb", "import", str(LEDEN), "--json")
    assert json.loads(tweede.out)["leden_ongewijzigd"] == 9
    assert _tellingen(vsb_database_url) == (9, 9, 2)
    with uow(load_settings(), Node.VSB) as werk:
        lid = werk.leden.op([VERHUIST])[VERHUIST]
    assert lid.zorgkas_op(datetime(2024, 6, 1, tzinfo=UTC).date()) == "LM"


@pytest.mark.usefixtures("twee_nodes")
def test_a_new_version_replaces_the_member_and_the_old_one_is_still_known(
    tmp_path: Path, capsys: Cap
) -> None:
    assert kbi(capsys, "vsb", "import", str(LEDEN)).code == 0
    tussen = datetime.now(UTC)
    verhuisd = tmp_path / "verhuisd.jsonl"
    verhuisd.write_text(
        json.dumps({"insz": VERHUIST, "aansluitingen": [{"zorgkas": "VZK", "begin": "2010-01-01"}]})
        + "\n",
        encoding="utf-8",
    )
    uit = kbi(capsys, "vsb", "import", str(verhuisd), "--json")
    assert json.loads(uit.out)["leden_gewijzigd"] == 1
    dag = datetime(2024, 6, 1, tzinfo=UTC).date()
    with uow(load_settings(), Node.VSB) as werk:
        assert werk.leden.op([VERHUIST])[VERHUIST].zorgkas_op(dag) == "VZK"
        assert werk.leden.op([VERHUIST], gekend_op=tussen)[VERHUIST].zorgkas_op(dag) == "LM"
        assert werk.leden.op(["85073003329"]) == {}


@pytest.mark.usefixtures("twee_nodes")
def test_a_bad_file_stores_nothing_and_names_each_bad_line(
    tmp_path: Path, vsb_database_url: str, capsys: Cap
) -> None:
    bestand = tmp_path / "slecht.jsonl"
    goed = LEDEN.read_text(encoding="utf-8").splitlines()
    bestand.write_text("\n".join([goed[0], "{bad", goed[1], '{"insz": "1"}']) + "\n", "utf-8")
    uit = kbi(capsys, "vsb", "import", str(bestand))
    assert uit.code == 1
    assert "line 2: line: not valid JSON" in uit.err
    assert "line 4: " in uit.err
    assert "nothing was imported" in uit.err
    assert _tellingen(vsb_database_url) == (0, 0, 0)
    zonder = kbi(capsys, "vsb", "import", str(bestand), "--skip-bad")
    assert zonder.code == 2
    assert "--skip-bad needs --rejects" in zonder.err


@pytest.mark.usefixtures("twee_nodes")
def test_import_as_a_person_needs_the_vsb_operator_role(
    monkeypatch: pytest.MonkeyPatch, vsb_database_url: str, capsys: Cap
) -> None:
    monkeypatch.setenv("KBI_PASSWORD", "correct horse battery")
    assert kbi(capsys, "users", "add", "vera", "--node", "vsb", "--role", "vsb-operator").code == 0
    args = ("users", "add", "zeno", "--node", "vsb", "--role", "zorgkas-handler")
    assert kbi(capsys, *args, "--zorgkas", "CM").code == 0
    geweigerd = kbi(capsys, "vsb", "import", str(LEDEN), "--as", "zeno")
    assert geweigerd.code == 1
    assert "does not grant vsb:leden:import" in geweigerd.err
    assert kbi(capsys, "vsb", "import", str(LEDEN), "--as", "vera").code == 0
    with engine(vsb_database_url).connect() as verbinding:
        assert verbinding.scalar(select(LedenImportRow.door)) == "vera"
    sluit_engines()


@pytest.mark.usefixtures("twee_nodes")
def test_an_import_ended_at_each_crash_point_leaves_the_registry_before_or_after(
    tmp_path: Path, vsb_database_url: str
) -> None:
    bestand = tmp_path / "veel.jsonl"
    inszen = InszGenerator(random.Random(12))
    with bestand.open("w", encoding="utf-8") as uit:  # 5 000 members: three blocks of 2 000
        uit.writelines(
            json.dumps(
                {
                    "insz": inszen.nieuw(),
                    "aansluitingen": [{"zorgkas": "CM", "begin": "2010-01-01"}],
                }
            )
            + "\n"
            for _ in range(5_000)
        )
    omgeving = {k: v for k, v in os.environ.items() if k != "KBI_CRASH_AT"}
    voor = _tellingen(vsb_database_url)
    for punt in ("members:batch-written", "members:batch-written@3", "members:before-commit"):
        proces = subprocess.run(
            [sys.executable, "-m", "kbi_exchange", "vsb", "import", str(bestand)],
            env={**omgeving, "KBI_CRASH_AT": punt},
            capture_output=True,
            check=False,
        )
        assert proces.returncode == CRASHED, (punt, proces.stderr)
        assert _tellingen(vsb_database_url) == voor, punt
    proces = subprocess.run(
        [sys.executable, "-m", "kbi_exchange", "vsb", "import", str(bestand)],
        env={**omgeving, "KBI_CRASH_AT": "members:committed"},
        capture_output=True,
        check=False,
    )
    assert proces.returncode == CRASHED
    na = _tellingen(vsb_database_url)
    assert na[:2] == (5_000, 5_000)
    opnieuw = subprocess.run(
        [sys.executable, "-m", "kbi_exchange", "vsb", "import", str(bestand), "--json"],
        env=omgeving,
        capture_output=True,
        check=False,
        text=True,
    )
    assert opnieuw.returncode == 0, opnieuw.stderr
    assert json.loads(opnieuw.stdout)["leden_ongewijzigd"] == 5_000
    assert _tellingen(vsb_database_url)[:2] == na[:2]


@pytest.mark.usefixtures("twee_nodes")
def test_each_import_is_in_the_vsb_audit_log_which_detects_a_change(
    vsb_database_url: str, capsys: Cap
) -> None:
    for _ in range(2):
        assert kbi(capsys, "vsb", "import", str(LEDEN), "--json").code == 0
    uit = kbi(capsys, "audit", "verify", "--alone", "--node", "vsb")
    assert uit.code == 0, uit
    assert "vsb audit log intact: 2 entries verified" in uit.out
    with engine(vsb_database_url).connect() as verbinding:
        inhoud = [json.loads(t or "{}") for t in verbinding.scalars(select(VsbAuditRow.inhoud))]
        assert [i["leden_nieuw"] for i in inhoud] == [9, 0]
        assert not any("850730" in json.dumps(i) for i in inhoud), "no INSZ in the entries"
    with engine(vsb_database_url).begin() as verbinding:
        verbinding.execute(update(VsbAuditRow).where(VsbAuditRow.seq == 1).values(actor="mallory"))
    sluit_engines()
    geschonden = kbi(capsys, "audit", "verify", "--alone")
    assert geschonden.code == 1
    assert "aii audit log intact" in geschonden.out
    assert "audit log NOT intact: vsb: entry 1" in geschonden.err


# PostgreSQL only: SQLite plans by its indexes and needs no statistics refreshed
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("twee_nodes")
def test_a_large_import_refreshes_the_planner_s_statistics_on_postgresql(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, vsb_database_url: str
) -> None:
    bestand = tmp_path / "leden.jsonl"
    args = ("synth", "members", "--count", "10000", "--seed", "4", "--out", str(bestand))
    assert kbi(capsys, *args).code == 0
    assert kbi(capsys, "vsb", "import", str(bestand)).code == 0
    with engine(vsb_database_url).connect() as verbinding:
        geanalyseerd: dict[str, bool] = dict(
            verbinding.exec_driver_sql(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('lid', 'lid_versie')"
            ).all()
        )
    assert geanalyseerd == {"lid": True, "lid_versie": True}
