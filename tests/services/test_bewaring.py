"""The retention run (SPEC §10) on fakes: what its time has come for goes, a batch at a time,
each batch audited with the ids it removed; people by their keyed hash only; the dry run
changes nothing; and a lapsed legal basis, recorded, makes the run purge its flow."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import orjson
import pytest

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.bewaring import Bewaartermijnen, Bewaringsrapport, Gegevens
from kbi_exchange.domain.dates import dag_in_brussel
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services import bewaring, protocol
from kbi_exchange.services.bewaring import PER_KEER, BewaringFout
from tests.actors import AII_OS, DORA, VSB_OS
from tests.conftest import NU
from tests.fakes import insz_hash
from tests.fakes_beheer import FakeBewaringWerk

TERMIJNEN = Bewaartermijnen(respijt_dagen=30, beslissingen_jaren=10, audit_jaren=10)
VANDAAG = dag_in_brussel(NU)
OUD, RECENT = VANDAAG - timedelta(days=11 * 366), VANDAAG - timedelta(days=30)


def _run(werk: FakeBewaringWerk, nu: datetime = NU, **extra: object) -> Bewaringsrapport:
    door = AII_OS if werk.node is Node.AII else VSB_OS
    return bewaring.run(
        uow=werk, node=werk.node, termijnen=TERMIJNEN, definitie=protocol_definitie(),
        door=door, nu=nu, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_old_decision_records_go_in_audited_batches_and_recent_ones_stay() -> None:
    werk = FakeBewaringWerk(Node.AII)
    oud = [f"b-{i:05d}" for i in range(PER_KEER + 20)]
    for i in oud:
        werk.bewaring.houd(Gegevens.BESLISSING, i, OUD)
    werk.bewaring.houd(Gegevens.BESLISSING, "b-nieuw", RECENT)
    rapport = _run(werk)
    (beslissingen,) = [v for v in rapport.verwijderd if v.opdracht.gegevens is Gegevens.BESLISSING]
    assert list(beslissingen.ids) == oud
    assert werk.bewaring.items[Gegevens.BESLISSING] == {"b-nieuw": RECENT}
    purges = [r for r in werk.audit.posten_ if r.gebeurtenis == "kbi:retention:purge"]
    assert [len(orjson.loads(r.inhoud or "")["ids"]) for r in purges] == [PER_KEER, 20]
    (run,) = [r for r in werk.audit.posten_ if r.gebeurtenis == "kbi:retention:run"]
    assert orjson.loads(run.inhoud or "")["verwijderd"]["beslissing"] == len(oud)
    # run again: nothing left to remove, and the run is audited again
    tweede = _run(werk)
    assert all(not v.ids for v in tweede.verwijderd)


def test_the_dry_run_finds_what_would_go_and_changes_nothing() -> None:
    werk = FakeBewaringWerk(Node.AII)
    werk.bewaring.houd(Gegevens.BESLISSING, "b-1", OUD)
    rapport = _run(werk, dry_run=True)
    assert [v.ids for v in rapport.verwijderd if v.ids] == [("b-1",)]
    assert werk.bewaring.items[Gegevens.BESLISSING] == {"b-1": OUD}
    assert werk.audit.posten_ == []
    # looking ahead is for the dry run only: data goes when its time has come
    with pytest.raises(BewaringFout, match="op: another day only for a dry run"):
        _run(werk, op=VANDAAG + timedelta(days=1))
    assert _run(werk, op=VANDAAG + timedelta(days=1), dry_run=True).dry_run


def test_a_deceased_persons_entries_go_named_by_keyed_hash_one_entry_each() -> None:
    werk = FakeBewaringWerk(Node.VSB)
    dode = "85073001348"
    werk.bewaring.houd(Gegevens.OVERLEDEN, f"lijst-1/{dode}", VANDAAG - timedelta(days=2))
    rapport = _run(werk)
    (overleden,) = [v for v in rapport.verwijderd if v.opdracht.gegevens is Gegevens.OVERLEDEN]
    assert overleden.ids == (f"lijst-1/{insz_hash(dode)}",)
    (entry,) = [r for r in werk.audit.posten_ if r.gebeurtenis == "vsb:retention:purge"]
    assert entry.insz_hash == insz_hash(dode)
    assert dode not in (entry.inhoud or "")
    assert orjson.loads(entry.inhoud or "")["lijst"] == "lijst-1"


def test_a_lapsed_basis_once_recorded_makes_the_run_purge_its_flow_after_the_grace() -> None:
    werk = FakeBewaringWerk(Node.AII)
    werk.bewaring.houd(Gegevens.BESLISSING_F1, "b-f1", RECENT)
    lapse = date(2023, 7, 20)
    verval = protocol.grond_vervalt(
        uow=werk, definitie=protocol_definitie(), termijnen=TERMIJNEN, stroom=Stroom.F1,
        datum=lapse, reden="GwH 112/2023", door=DORA, nu=NU, dry_run=False,
    )  # fmt: skip
    assert verval.stroom is Stroom.F1
    # the grace period counts from when the lapse was recorded (the date written is a claim)
    binnen = _run(werk, nu=NU + timedelta(days=TERMIJNEN.respijt_dagen - 1))
    assert all(v.opdracht.gegevens is not Gegevens.BESLISSING_F1 for v in binnen.verwijderd)
    rapport = _run(werk, nu=NU + timedelta(days=TERMIJNEN.respijt_dagen + 1))
    (f1,) = [v for v in rapport.verwijderd if v.opdracht.gegevens is Gegevens.BESLISSING_F1]
    assert f1.ids == ("b-f1",)
    assert "F1 has no ground since 2023-07-20" in f1.opdracht.reden
