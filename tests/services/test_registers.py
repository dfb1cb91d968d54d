"""The registers of processors (art. 6, 9) on fakes: one node registers, ends and tells; the
other keeps what it was told, once; a second of one name is refused; each change audited."""

from __future__ import annotations

from datetime import date, timedelta

import orjson
import pytest

from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import PartijOnbereikbaar
from kbi_exchange.domain.registers import RegisterFout, Verwerker
from kbi_exchange.services import registers
from kbi_exchange.services.registers import OnbekendeInschrijving
from tests.actors import DORA, VAN_AII
from tests.conftest import NU
from tests.fakes import FakeMessenger
from tests.fakes_beheer import FakeRegisterWerk


def _voeg_toe(werk: FakeRegisterWerk, naam: str = "cloudbv") -> Verwerker:
    return registers.voeg_verwerker_toe(
        uow=werk, node=Node.AII, naam_=naam, taak="hosting", gegevens_=["advies", "insz"],
        overeenkomst="VWO-2024-1", overeenkomst_datum=date(2024, 1, 1), locatie="BE",
        door=DORA, nu=NU,
    )  # fmt: skip


def test_a_processor_registered_ended_and_told_reaches_the_other_node_once() -> None:
    bij_aii, bij_vsb, messenger = FakeRegisterWerk(), FakeRegisterWerk(), FakeMessenger()
    verwerker = _voeg_toe(bij_aii)
    with pytest.raises(RegisterFout, match="registered already"):
        _voeg_toe(bij_aii)
    (gemeld,) = registers.meld_verwerkers(
        door=DORA, uow=bij_aii, node=Node.AII, messenger=messenger, nu=lambda: NU
    )
    assert gemeld.id == verwerker.id
    assert registers.te_melden_verwerkers(uow=bij_aii, node=Node.AII) == []
    genomen, nieuw = registers.ontvang_verwerker(
        door=VAN_AII, uow=bij_vsb, node=Node.VSB, van=Node.AII, inhoud=messenger.ontvangen[0], nu=NU
    )
    assert nieuw
    assert genomen.partij == "aii"
    # told again as it stands: nothing changes; ended, it is told and taken again
    assert not registers.ontvang_verwerker(
        door=VAN_AII, uow=bij_vsb, node=Node.VSB, van=Node.AII, inhoud=messenger.ontvangen[0], nu=NU
    )[1]
    later = NU + timedelta(days=1)
    registers.beeindig_verwerker(uow=bij_aii, node=Node.AII, naam_="cloudbv", door=DORA, nu=later)
    registers.meld_verwerkers(
        door=DORA, uow=bij_aii, node=Node.AII, messenger=messenger, nu=lambda: later
    )
    _, nieuw = registers.ontvang_verwerker(
        door=VAN_AII,
        uow=bij_vsb,
        node=Node.VSB,
        van=Node.AII,
        inhoud=messenger.ontvangen[1],
        nu=later,
    )
    assert nieuw
    (bij_vsb_nu,) = registers.verwerkers(door=DORA, uow=bij_vsb)
    assert bij_vsb_nu.beeindigd_op is not None
    assert [orjson.loads(r.inhoud or "") for r in bij_aii.audit.posten_][-1] == {
        "verwerker": verwerker.id,
        "gemeld": True,
    }


def test_an_unreachable_other_node_leaves_the_processor_to_tell() -> None:
    werk, messenger = FakeRegisterWerk(), FakeMessenger()
    _voeg_toe(werk)
    messenger.down = True
    with pytest.raises(PartijOnbereikbaar, match="down"):
        registers.meld_verwerkers(
            door=DORA, uow=werk, node=Node.AII, messenger=messenger, nu=lambda: NU
        )
    assert len(registers.te_melden_verwerkers(uow=werk, node=Node.AII)) == 1


def test_ending_an_unknown_processor_names_it_and_changes_nothing() -> None:
    werk = FakeRegisterWerk()
    with pytest.raises(OnbekendeInschrijving, match="named niemand"):
        registers.beeindig_verwerker(uow=werk, node=Node.AII, naam_="niemand", door=DORA, nu=NU)
    assert werk.audit.posten_ == []


def test_the_export_is_signed_and_audited() -> None:
    werk = FakeRegisterWerk()
    _voeg_toe(werk)
    getekend = registers.exporteer_verwerkers(
        uow=werk, node=Node.AII, onderteken=lambda b: b"SIGNED:" + b, door=DORA, nu=NU
    )
    inhoud = orjson.loads(getekend.removeprefix(b"SIGNED:"))
    assert [v["naam"] for v in inhoud["verwerkers"]] == ["cloudbv"]
    assert werk.audit.posten_[-1].gebeurtenis == "kbi:register:export"
