"""The protocol checked at the moment of every disclosure (SPEC §12), on fakes: the advice
service and the list's delivery refuse with 40001 while it does not allow them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kbi_exchange.adapters.keys import Keys
from kbi_exchange.adapters.mailbox import Mailbox
from kbi_exchange.domain.access import Gebruiker, Node, Rol
from kbi_exchange.domain.protocol import (
    GeenWettelijkeContext,
    ProtocolGebeurtenis,
    Soort,
    Stroom,
)
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services import protocol
from kbi_exchange.services.lijst import keur_goed, maak_lijst
from kbi_exchange.services.lijst_levering import lever_lijst
from tests.conftest import NU
from tests.fakes import FakeLijstWerk
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
    assert [r.gebeurtenis for r in writer.audit.regels_] == ["kbi:advies:refuse"]


def test_a_suspended_protocol_delivers_no_list(keys: Keys, tmp_path: Path) -> None:
    werk = FakeLijstWerk(["85073001546"])
    lijst = maak_lijst(
        uow=werk, keys=keys, jaar=2026, door=Gebruiker("olga", Node.AII, Rol.AII_OPERATOR),
        nu=NU, producent="AII-KBI", ontvanger="VSB",
    )  # fmt: skip
    keur_goed(
        uow=werk, keys=keys, lijst_id=lijst.id,
        door=Gebruiker("anna", Node.AII, Rol.AII_APPROVER), nu=NU,
    )  # fmt: skip
    protocol.stap(
        uow=werk, keys=keys, definitie=protocol_definitie(), soort=Soort.GESCHORST,
        door="dora", reden="onderzoek", nu=NU,
    )  # fmt: skip
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        lever_lijst(
            uow=werk, keys=keys, pki=None, mailbox=Mailbox(tmp_path),  # type: ignore[arg-type]
            lijst_id=lijst.id, door="olga", nu=NU, bestanden_tot=date(2026, 12, 31),
        )  # fmt: skip
    assert werk.bewaard.lijsten[lijst.id].status.value == "goedgekeurd"
    assert list(tmp_path.rglob("*.p7m")) == []
