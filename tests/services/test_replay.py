"""Replaying a stored decision (SPEC §4, §7) on fakes: the same facts, the same knowledge
time, the same answer, also after facts arrived that would change a new one."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from kbi_exchange.services.replay import OnbekendeBeslissing, herspeel
from tests.actors import OLGA
from tests.conftest import NU
from tests.fakes import FakeWerk
from tests.services.conftest import Writer

INSZ = "85073001348"


def _vraag(insz: str, datum: str) -> dict[str, str]:
    return {"insz": insz, "datum": datum, "doel": "ZORGBUDGET", "referte": str(uuid.uuid4())}


def _herspeel(writer: Writer, beslissing_id: str):  # type: ignore[no-untyped-def]
    return herspeel(
        door=OLGA,
        uow=FakeWerk(writer.kbi, writer.beslissingen, writer.audit),
        beslissing_id=beslissing_id,
    )


def test_a_stored_decision_replays_to_the_same_answer(writer: Writer) -> None:
    vraag = _vraag(INSZ, "2023-01-01")
    (bericht,) = writer.vraag(vraag)
    (rij,) = writer.beslissingen.rijen
    herspeling = _herspeel(writer, rij["id"])
    assert herspeling.gelijk
    assert herspeling.parameters_gelijk
    assert herspeling.opnieuw == bericht.json()
    assert herspeling.record["referte"] == vraag["referte"]
    assert herspeling.record["feiten"], "the facts it rested on are named"


def test_a_replay_ignores_facts_that_arrived_after_the_answer(writer: Writer) -> None:
    (eerst,) = writer.vraag(_vraag(INSZ, "2023-01-01"))
    assert eerst.advies == "OK"
    (rij,) = writer.beslissingen.rijen
    inbreuk = {"datum_vaststelling": "2022-06-01", "geregistreerd_op": "2022-06-02T10:00:00+02:00"}
    writer.kbi.kbi.laad_jsonl(
        [json.dumps({"insz": INSZ, "inbreuken": [inbreuk]})], opgenomen_op=NU + timedelta(hours=1)
    )
    writer.nu = NU + timedelta(hours=2)
    (later,) = writer.vraag(_vraag(INSZ, "2023-01-01"))
    assert later.advies == "NOK", "a backdated fact changes a new answer"
    herspeling = _herspeel(writer, rij["id"])
    assert herspeling.gelijk
    assert herspeling.opnieuw["advies"] == "OK"


def test_an_unknown_decision_is_named(writer: Writer) -> None:
    onbekend = str(uuid.uuid4())
    with pytest.raises(OnbekendeBeslissing, match=f"no decision {onbekend}"):
        _herspeel(writer, onbekend)
