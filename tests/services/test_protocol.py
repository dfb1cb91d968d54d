"""The protocol checked at the moment of every disclosure (SPEC §12), on fakes: the advice
service and the list's delivery refuse with 40001 while it does not allow them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kbi_exchange.adapters.mailbox import Mailbox
from kbi_exchange.domain.access import Actor, Node, Rol
from kbi_exchange.domain.incident import PartijOnbereikbaar, PartijWeigert
from kbi_exchange.domain.protocol import (
    AlGegeven,
    GeenWettelijkeContext,
    ProtocolGebeurtenis,
    Soort,
    Stroom,
)
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services import protocol
from kbi_exchange.services.lijst import keur_goed, maak_lijst
from kbi_exchange.services.lijst_levering import lever_lijst
from tests.actors import DORA, OLGA, VIC, dpo
from tests.conftest import NU
from tests.fakes import FakeLijstWerk, FakeMessenger
from tests.services.conftest import Writer

VRAAG = {"insz": "85073001546", "datum": "2022-01-01", "doel": "ZORGBUDGET", "referte": "r-1"}


def test_a_lapsed_basis_refuses_f1_with_40001_and_keeps_no_answer(writer: Writer) -> None:
    writer.protocol.voeg_toe(
        ProtocolGebeurtenis(
            "g-1", Soort.GROND_VERVALT, NU - timedelta(days=1), "dora", "GwH 112/2023",
            stroom=Stroom.F1, datum=date(2023, 7, 20),
        )
    )  # fmt: skip
    (bericht,) = writer.vraag(VRAAG)
    assert bericht.advies is None
    (u,) = bericht.uitzonderingen
    assert (u.identificatie.value, "sinds 2023-07-20" in u.diagnose) == ("40001", True)
    assert writer.beslissingen.rijen == []  # nothing kept under the referte
    assert [r.gebeurtenis for r in writer.audit.posten_] == ["kbi:advies:refuse"]


def test_a_suspended_protocol_delivers_no_list(tmp_path: Path) -> None:
    werk = FakeLijstWerk(["85073001546"])
    lijst = maak_lijst(
        uow=werk, jaar=2026, door=Actor("olga", Node.AII, Rol.AII_OPERATOR),
        nu=NU, producent="AII-KBI", ontvanger="VSB",
    )  # fmt: skip
    keur_goed(
        uow=werk, lijst_id=lijst.id,
        door=Actor("anna", Node.AII, Rol.AII_APPROVER), nu=NU,
    )  # fmt: skip
    protocol.stap(
        uow=werk, definitie=protocol_definitie(), soort=Soort.GESCHORST,
        door=DORA, reden="onderzoek", nu=NU,
    )  # fmt: skip
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        lever_lijst(
            uow=werk, vault=None, outbox=Mailbox(tmp_path),  # type: ignore[arg-type]
            lijst_id=lijst.id, door=OLGA, nu=NU, bestanden_tot=date(2026, 12, 31),
        )  # fmt: skip
    assert werk.bewaard.lijsten[lijst.id].status.value == "goedgekeurd"
    assert list(tmp_path.rglob("*.p7m")) == []


def test_steps_that_bind_the_other_party_are_told_in_order_and_a_failure_leaves_the_rest() -> None:
    werk = FakeLijstWerk([])
    for i, soort in enumerate((Soort.GESCHORST, Soort.HERVAT)):
        protocol.stap(
            uow=werk, definitie=protocol_definitie(), soort=soort, door=DORA,
            reden="onderzoek", nu=NU + timedelta(minutes=i),
        )  # fmt: skip
    messenger = FakeMessenger(NU + timedelta(hours=1))
    messenger.down = True
    with pytest.raises(PartijOnbereikbaar):
        protocol.meld_stappen(
            uow=werk, node=Node.AII, door=dpo(Node.AII), messenger=messenger, nu=lambda: NU
        )
    assert len(protocol.te_melden_nu(uow=werk, node=Node.AII)) == 2
    messenger.down = False
    later = NU + timedelta(hours=1)
    gemeld = protocol.meld_stappen(
        uow=werk, node=Node.AII, door=dpo(Node.AII), messenger=messenger, nu=lambda: later
    )
    assert [g.stap.soort for g in gemeld] == [Soort.GESCHORST, Soort.HERVAT]
    assert [m["soort"] for m in messenger.ontvangen] == ["geschorst", "hervat"]
    assert "door" not in messenger.ontvangen[0]  # the step, not who took it
    # recorded as taken at the moment the other node says, within the clocks' difference
    assert all(g.ontvangen_op == later for g in werk.protocol.gebeurtenissen())
    assert (
        protocol.meld_stappen(
            uow=werk, node=Node.AII, door=dpo(Node.AII), messenger=messenger, nu=lambda: later
        )
        == []
    )


def test_a_notice_is_sent_dated_when_it_leaves_and_runs_from_its_receipt() -> None:
    werk = FakeLijstWerk([])
    protocol.stap(
        uow=werk, definitie=protocol_definitie(), soort=Soort.OPGEZEGD, door=VIC,
        reden="nieuwe regeling", nu=NU, partij="vsb", gebeurtenis=protocol.PROTOCOL_STAP[Node.VSB],
    )  # fmt: skip
    assert protocol.status(uow=werk, definitie=protocol_definitie(), nu=NU).eindigt_op is None
    week_later = NU + timedelta(days=7)
    protocol.meld_stappen(
        uow=werk,
        node=Node.VSB,
        door=dpo(Node.VSB),
        messenger=FakeMessenger(week_later),
        nu=lambda: week_later,
    )
    staat = protocol.status(uow=werk, definitie=protocol_definitie(), nu=week_later)
    assert staat.eindigt_op == date(2027, 1, 22)  # 12 months from the receipt, not from NU


def test_a_received_step_is_kept_once_and_a_second_notice_is_refused() -> None:
    werk = FakeLijstWerk([])
    melding = {"id": "v-1", "soort": "opgezegd", "op": NU.isoformat(), "reden": "r",
               "partij": "vsb"}  # fmt: skip
    g, nieuw = protocol.ontvang_stap(
        uow=werk,
        node=Node.AII,
        van=Node.VSB,
        door=Actor.partij(Node.VSB, Node.AII),
        inhoud=melding,
        nu=NU,
    )
    assert (nieuw, g.door, g.ontvangen_op) == (True, "partij:vsb", NU)
    _, nieuw = protocol.ontvang_stap(
        uow=werk,
        node=Node.AII,
        van=Node.VSB,
        door=Actor.partij(Node.VSB, Node.AII),
        inhoud=melding,
        nu=NU,
    )
    assert not nieuw
    with pytest.raises(AlGegeven, match="notice was given already"):
        protocol.ontvang_stap(
            uow=werk, node=Node.AII, van=Node.VSB, door=Actor.partij(Node.VSB, Node.AII),
            inhoud={**melding, "id": "v-2"}, nu=NU,
        )  # fmt: skip
    assert len(werk.protocol.gebeurtenissen()) == 1


class Koppeling:
    """The other node's API in-process: what `POST /api/v1/protocol/stappen` does with a
    step (409 for a refusal for good, which the real `PartyMessenger` raises as `PartijWeigert`);
    ``verloren``: the step is taken but the answer does not come back."""

    def __init__(self, werk: FakeLijstWerk, node: Node, nu: datetime) -> None:
        self.werk, self.node, self.nu = werk, node, nu
        self.verloren = False

    def stuur(self, melding: dict[str, Any]) -> dict[str, Any]:
        van = Node.VSB if self.node is Node.AII else Node.AII
        try:
            g, _ = protocol.ontvang_stap(
                uow=self.werk,
                node=self.node,
                van=van,
                door=Actor.partij(van, self.node),
                inhoud=melding,
                nu=self.nu,
            )
        except AlGegeven as fout:
            raise PartijWeigert(str(fout)) from None
        if self.verloren:
            raise PartijOnbereikbaar("the answer was lost")
        assert g.ontvangen_op is not None
        return {"id": g.id, "ontvangen_op": g.ontvangen_op.isoformat()}


def _opzegging(werk: FakeLijstWerk, node: Node, nu: datetime) -> None:
    protocol.stap(
        uow=werk, definitie=protocol_definitie(), soort=Soort.OPGEZEGD,
        door=dpo(node), reden="nieuwe regeling", nu=nu, partij=node.value,
        gebeurtenis=protocol.PROTOCOL_STAP[node],
    )  # fmt: skip


def test_notices_that_cross_end_the_protocol_once_and_jam_nothing_after() -> None:
    """Both parties give notice before either is received: the first to be received runs at
    both nodes; the other is refused for good, recorded so, and the queue goes on."""
    aii, vsb = FakeLijstWerk([]), FakeLijstWerk([])
    _opzegging(vsb, Node.VSB, NU)
    _opzegging(aii, Node.AII, NU + timedelta(seconds=30))
    ontvangst = NU + timedelta(minutes=1)
    # AII's notice reaches VSB first: VSB's own was still on its way, so it is taken
    [gemeld] = protocol.meld_stappen(
        uow=aii, node=Node.AII, door=DORA,
        messenger=Koppeling(vsb, Node.VSB, ontvangst), nu=lambda: ontvangst,
    )  # fmt: skip
    assert gemeld.geweigerd is None
    # VSB's notice reaches AII, whose own notice runs: refused for good, recorded so
    later = ontvangst + timedelta(minutes=1)
    [geweigerd] = protocol.meld_stappen(
        uow=vsb, node=Node.VSB, door=VIC, messenger=Koppeling(aii, Node.AII, later),
        nu=lambda: later,
    )  # fmt: skip
    assert geweigerd.geweigerd is not None
    assert "notice was given already" in geweigerd.geweigerd
    assert "refused opgezegd" in geweigerd.zin("aii")
    assert protocol.te_melden_nu(uow=vsb, node=Node.VSB) == []  # nothing jams the queue
    einde = date(2027, 1, 15)  # 12 months from the receipt of AII's notice
    for werk in (aii, vsb):
        staat = protocol.status(uow=werk, definitie=protocol_definitie(), nu=later)
        assert (staat.toestand.value, staat.eindigt_op) == ("opgezegd", einde)
    # a step AII takes later still reaches VSB and binds it
    nog_later = later + timedelta(days=1)
    protocol.stap(
        uow=aii, definitie=protocol_definitie(), soort=Soort.GESCHORST, door=DORA,
        reden="onderzoek", nu=nog_later,
    )  # fmt: skip
    [schorsing] = protocol.meld_stappen(
        uow=aii, node=Node.AII, door=DORA,
        messenger=Koppeling(vsb, Node.VSB, nog_later), nu=lambda: nog_later,
    )  # fmt: skip
    assert schorsing.geweigerd is None
    staat = protocol.status(uow=vsb, definitie=protocol_definitie(), nu=nog_later)
    assert staat.toestand.value == "geschorst"


def test_a_step_whose_answer_was_lost_counts_from_its_first_receipt() -> None:
    """The other node took the notice but its answer never came: the rerun gets the same
    receipt back, and the 12 months run from then, not from the rerun."""
    vsb, aii = FakeLijstWerk([]), FakeLijstWerk([])
    _opzegging(vsb, Node.VSB, NU)
    ontvangst = NU + timedelta(seconds=10)
    koppeling = Koppeling(aii, Node.AII, ontvangst)
    koppeling.verloren = True
    with pytest.raises(PartijOnbereikbaar):
        protocol.meld_stappen(
            uow=vsb,
            node=Node.VSB,
            door=dpo(Node.VSB),
            messenger=koppeling,
            nu=lambda: ontvangst,
        )
    assert protocol.status(uow=vsb, definitie=protocol_definitie(), nu=ontvangst).eindigt_op is None
    koppeling.verloren = False
    twee_dagen = NU + timedelta(days=2)
    koppeling.nu = twee_dagen
    [gemeld] = protocol.meld_stappen(
        uow=vsb, node=Node.VSB, door=dpo(Node.VSB), messenger=koppeling, nu=lambda: twee_dagen
    )
    assert gemeld.stap.ontvangen_op == ontvangst
    for werk in (aii, vsb):
        staat = protocol.status(uow=werk, definitie=protocol_definitie(), nu=twee_dagen)
        assert staat.eindigt_op == date(2027, 1, 15)  # not 2027-01-17
