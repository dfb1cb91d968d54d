"""The service layer's fixtures: fake stores and the advice writer's loop."""

from __future__ import annotations

from datetime import datetime

import pytest

from kbi_exchange.domain.advies import Doel
from kbi_exchange.domain.client import Client
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.advies import Opdracht, Vragen, voer_groep_uit
from kbi_exchange.services.bericht import Bericht, Kanaal
from tests.conftest import EXAMPLES, NU
from tests.fakes import (
    FakeAudit,
    FakeBeslissingen,
    FakeKbi,
    FakeProtocol,
    FakeWerk,
    InMemoryKbi,
)

VSB = Client("c-1", "vsb", frozenset({Doel.ZORGBUDGET}), "VSB", "0" * 64)


@pytest.fixture
def stores() -> tuple[FakeKbi, FakeBeslissingen, FakeAudit]:
    kbi = InMemoryKbi()
    with (EXAMPLES / "dossiers.jsonl").open(encoding="utf-8") as regels:
        kbi.laad_jsonl(regels, opgenomen_op=NU)
    return FakeKbi(kbi), FakeBeslissingen(), FakeAudit()


class Writer:
    """What the group-commit writer does with a group: run it, commit it."""

    def __init__(self, stores: tuple[FakeKbi, FakeBeslissingen, FakeAudit]):
        self.kbi, self.beslissingen, self.audit = stores
        self.nu: datetime = NU
        self.protocol = FakeProtocol()

    def groep(self, *opdrachten: Opdracht) -> list[list[Bericht] | None]:
        with FakeWerk(self.kbi, self.beslissingen, self.audit, self.protocol) as werk:
            uitkomsten = voer_groep_uit(
                werk=werk,
                opdrachten=opdrachten,
                nu=self.nu,
                parameters=standaard_parameters(),
            )
            werk.commit()
        return uitkomsten

    def vraag(self, *vragen: object, client: Client = VSB) -> list[Bericht]:
        uitkomst = self.groep(Vragen(client, tuple(vragen), Kanaal.REST))[0]
        assert uitkomst is not None
        return uitkomst


@pytest.fixture
def writer(stores: tuple[FakeKbi, FakeBeslissingen, FakeAudit]) -> Writer:
    return Writer(stores)
