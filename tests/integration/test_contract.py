"""Contract tests: the same cases against each fake of `tests/fakes_beheer.py` and the SQL
store it stands in for (SQLite and PostgreSQL), so that what the fast service tests prove
on the fakes holds on the real stores: the KBI import, reports and rectifications, registers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.bootstrap import aii_uow, init_home, sluit_engines
from kbi_exchange.domain.kwaliteit import Melding, Rectificatie, Uitkomst
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.domain.registers import Verwerker
from kbi_exchange.services.kbi_import import import_dossiers
from kbi_exchange.services.ports import KbiImportWerk, KwaliteitWerk, RegisterWerk
from tests.actors import OLGA
from tests.conftest import EXAMPLES, NU
from tests.fakes_beheer import FakeKbiImportWerk, FakeKwaliteitWerk, FakeRegisterWerk

SOORTEN = ["fake", "sqlite", "postgresql"]


@pytest.fixture(params=SOORTEN)
def maak(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Any]]:
    """A factory of units of work of one kind: the fake, or the SQL one on an initialised
    home of that database; each call a new unit of work on the same store."""
    if request.param == "fake":
        gedeeld = {
            "import": FakeKbiImportWerk(),
            "kwaliteit": FakeKwaliteitWerk(),
            "registers": FakeRegisterWerk(),
        }
        yield gedeeld.__getitem__
        return
    url = (
        f"sqlite:///{tmp_path / 'aii.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    monkeypatch.setenv("KBI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KBI_AII_DATABASE_URL", url)
    settings = init_home(tmp_path / "home")
    yield lambda _: aii_uow(settings)
    sluit_engines()


def test_an_import_gives_the_same_dossiers_and_a_second_adds_nothing(
    maak: Callable[[str], KbiImportWerk],
) -> None:
    werk = maak("import")
    eerste = import_dossiers(
        uow=werk, bestand=dossier_file(EXAMPLES / "dossiers.jsonl"), door=OLGA, nu=NU
    )
    tweede = import_dossiers(
        uow=maak("import"), bestand=dossier_file(EXAMPLES / "dossiers.jsonl"), door=OLGA, nu=NU
    )
    assert (eerste.regels, eerste.feiten_toegevoegd) == (11, 22)
    assert (tweede.feiten_toegevoegd, tweede.velden_gewijzigd) == (0, 0)
    with maak("import") as w:
        dossiers = w.kbi.dossiers(["85073003328", "85073001348", "00000000097"])
    assert sorted(dossiers) == ["85073001348", "85073003328"]
    assert [f.id for f in dossiers["85073003328"].inbreuken] == ["ib-7"]


def _melding(i: int, **extra: Any) -> Melding:
    return Melding(
        id=f"m-{i}", insz="85073001348", omschrijving="x", gemeld_door="vsb",
        gemeld_op=NU + timedelta(minutes=i), **extra,
    )  # fmt: skip


def _rectificatie(i: int, melding: str, client: str, advies: str, **extra: Any) -> Rectificatie:
    return Rectificatie(
        id=f"r-{i}", melding_id=melding, stroom=Stroom.F1, client=client, gemaakt_op=NU,
        insz="85073001348", oud=Uitkomst("OK", None), nieuw=Uitkomst(advies, None),
        referte=f"ref-{i}", beslissing_id=extra.pop("beslissing", f"b-{i}"),
        datum=date(2023, 1, 1), gekend_op=NU, **extra,
    )  # fmt: skip


def test_reports_and_rectifications_keep_their_order_and_the_latest_answer(
    maak: Callable[[str], KwaliteitWerk],
) -> None:
    with maak("kwaliteit") as werk:
        for i in (2, 1):
            werk.meldingen.bewaar(_melding(i))
        werk.rectificaties.voeg_toe(_rectificatie(1, "m-1", "vsb", "NOK", beslissing="b-x"))
        werk.rectificaties.voeg_toe(_rectificatie(2, "m-2", "andere", "NOK"))
        werk.rectificaties.voeg_toe(_rectificatie(3, "m-2", "vsb", "OK", beslissing="b-x"))
        werk.commit()
    with maak("kwaliteit") as werk:
        gesloten = werk.meldingen.get("m-1")
        assert gesloten is not None
        werk.meldingen.bewaar(gesloten.sluit("niets gevonden", "olga", NU + timedelta(days=1)))
        werk.commit()
    with maak("kwaliteit") as werk:
        assert [m.id for m in werk.meldingen.alle()] == ["m-1", "m-2"]
        assert [m.id for m in werk.meldingen.alle(open_=True)] == ["m-2"]
        assert [r.id for r in werk.rectificaties.van_melding("m-2")] == ["r-2", "r-3"]
        assert werk.rectificaties.laatste(["b-x", "b-y"]) == {"b-x": Uitkomst("OK", None)}
        voor_vsb = werk.rectificaties.voor_client("vsb", Stroom.F1, 0, 10)
        assert [r.id for _, r in voor_vsb] == ["r-1", "r-3"]
        na = voor_vsb[0][0]
        assert [r.id for _, r in werk.rectificaties.voor_client("vsb", Stroom.F1, na, 10)] == [
            "r-3"
        ]
        assert werk.rectificaties.voor_client("vsb", Stroom.F2, 0, 10) == []


def test_what_is_not_committed_is_not_kept(maak: Callable[[str], KwaliteitWerk]) -> None:
    with maak("kwaliteit") as werk:
        werk.meldingen.bewaar(_melding(9))
    with maak("kwaliteit") as werk:
        assert werk.meldingen.get("m-9") is None


def _verwerker(naam: str, **extra: Any) -> Verwerker:
    return Verwerker(
        id=f"v-{naam}", partij="aii", naam=naam, taak="hosting", gegevens=("advies",),
        overeenkomst="VWO-1", overeenkomst_datum=date(2024, 1, 1), locatie="BE",
        geregistreerd_op=NU, geregistreerd_door="dora", **extra,
    )  # fmt: skip


def test_a_processor_saved_again_is_updated_not_added(
    maak: Callable[[str], RegisterWerk],
) -> None:
    with maak("registers") as werk:
        werk.registers.bewaar_verwerker(_verwerker("a"))
        werk.registers.bewaar_verwerker(_verwerker("b"))
        werk.commit()
    with maak("registers") as werk:
        werk.registers.bewaar_verwerker(_verwerker("a", beeindigd_op=NU + timedelta(days=1)))
        werk.commit()
    with maak("registers") as werk:
        gevonden = {v.naam: v for v in werk.registers.verwerkers()}
    assert sorted(gevonden) == ["a", "b"]
    assert gevonden["a"].beeindigd_op == NU + timedelta(days=1)
    assert gevonden["b"].beeindigd_op is None
