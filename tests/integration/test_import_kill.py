"""An import ended at each of its crash points (`crash_points`: no cleanup, as SIGKILL) leaves
the store as before or as after it, and no parsing worker behind."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kbi_exchange.adapters.db.aii_models import FeitRow, ImportRow, IntrekkingRow, VeldRow
from kbi_exchange.bootstrap import engine, sluit_engines
from kbi_exchange.crash_points import CRASHED
from kbi_exchange.entrypoints.cli_synth import schrijf_dossiers
from tests.conftest import EXAMPLES
from tests.integration.test_lijst_kill import Zygote


def _stand(url: str) -> tuple[int, int, int, int]:
    with engine(url).connect() as verbinding:
        stand = tuple(
            verbinding.scalar(select(func.count()).select_from(model)) or 0
            for model in (FeitRow, IntrekkingRow, VeldRow, ImportRow)
        )
    sluit_engines()
    return stand  # type: ignore[return-value]


def _nog_levend(kenmerk: str, behalve: int) -> list[int]:
    """Processes whose command line mentions ``kenmerk`` (the import and its workers)."""
    levend = []
    for pad in Path("/proc").iterdir():
        if pad.name.isdigit() and int(pad.name) != behalve:
            try:
                if kenmerk.encode() in (pad / "cmdline").read_bytes():
                    levend.append(int(pad.name))
            except OSError:
                continue
    return levend


def _wacht_tot_weg(zygote: Zygote, kenmerk: str) -> list[int]:
    """The runs of ``zygote`` and what they forked that are still there after 5 s."""
    for _ in range(50):
        if not (levend := _nog_levend(kenmerk, behalve=zygote.pid)):
            return []
        time.sleep(0.1)
    return levend


@pytest.fixture
def zygote(tmp_path: Path) -> Iterator[Zygote]:
    """Runs of `kbi` forked from one interpreter whose command line names the big file, as
    that of `kbi aii import FILE` does: a run and its parsing workers are found by it."""
    z = Zygote(tmp_path / "runs", kenmerk=str(tmp_path / "groot.jsonl"))
    yield z
    z.stop()


# 8 000 dossiers are four batches of 2 000: the first and the last batch written, then the
# moment before and after the commit
BEFORE = ["import:batch-written", "import:batch-written@4", "import:before-commit"]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_an_import_ended_at_each_crash_point_leaves_the_store_before_or_after(
    home: Path, database_url: str, tmp_path: Path, workers: str, zygote: Zygote
) -> None:
    assert zygote.run("aii", "import", str(EXAMPLES / "dossiers.jsonl")).returncode == 0
    voor = _stand(database_url)
    bestand = tmp_path / "groot.jsonl"
    schrijf_dossiers(8_000, seed=4, out=bestand)
    for punt in [*BEFORE, "import:committed"]:
        proces = zygote.run("aii", "import", str(bestand), "--workers", workers, crash_at=punt)
        assert proces.returncode == CRASHED, f"{punt} not reached"
        assert _wacht_tot_weg(zygote, str(bestand)) == [], (
            "a parsing worker outlived the ended import"
        )
        if punt in BEFORE:
            assert _stand(database_url) == voor, f"ended at {punt}: the store as before"
    na = _stand(database_url)
    assert na[0] > voor[0]
    assert na[3] == voor[3] + 1, "one import record: the one that committed"
    proces = zygote.run("aii", "import", str(bestand))
    assert proces.returncode == 0, proces.stderr
    assert _stand(database_url)[:3] == na[:3], "the rerun adds nothing"


@pytest.mark.usefixtures("home")
def test_an_import_ended_before_its_rejects_file_is_in_place_leaves_no_half_of_one(
    tmp_path: Path, zygote: Zygote
) -> None:
    bestand = tmp_path / "groot.jsonl"
    schrijf_dossiers(8_000, seed=4, out=bestand)
    with bestand.open("a", encoding="utf-8") as f:
        f.write("{bad\n")
    afgewezen = tmp_path / "rejects.jsonl"
    args = ("aii", "import", str(bestand), "--skip-bad", "--rejects", str(afgewezen))
    for punt in ("import:before-commit", "import:committed"):
        assert zygote.run(*args, crash_at=punt).returncode == CRASHED
        assert not afgewezen.exists()
    assert zygote.run(*args).returncode == 0
    assert afgewezen.read_text(encoding="utf-8") == "{bad\n"
    assert list(tmp_path.glob(".rejects.jsonl.*")) == [], "the temporary file is cleaned up"
