"""The yearly list's service rules on fakes (SPEC §8): one list a year, four eyes,
separation of duties, rectification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kbi_exchange.domain.access import Actor, Node, Rol
from kbi_exchange.domain.fouten import Forbidden
from kbi_exchange.domain.lijst import LijstFout, LijstStatus
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.services.lijst import keur_goed, maak_lijst
from tests.fakes import FakeLijstWerk

NU = datetime(2026, 1, 15, 10, tzinfo=UTC)
MAKER = Actor("olga", Node.AII, Rol.AII_OPERATOR)
KEURDER = Actor("anna", Node.AII, Rol.AII_APPROVER)
INSZ = ["85073001348", "85073003328"]


def _maak(werk: FakeLijstWerk, vervangt: str | None = None, jaar: int = 2026) -> Lijst:
    return maak_lijst(
        uow=werk,
        jaar=jaar,
        door=MAKER,
        nu=NU,
        producent="AII-KBI",
        ontvanger="VSB",
        vervangt=vervangt,
    )


def test_a_list_is_made_with_its_payload_and_one_audit_entry_naming_no_one() -> None:
    werk = FakeLijstWerk(INSZ)
    lijst = _maak(werk)
    assert (lijst.status, lijst.aantal) == (LijstStatus.GEMAAKT, 2)
    assert werk.bewaard.payloads[lijst.id].endswith("\n85073001348\n85073003328\n")
    (regel,) = werk.audit.posten_
    assert regel.gebeurtenis == "kbi:lijst:make"
    assert regel.insz_hash is None
    assert not any(insz in (regel.inhoud or "") for insz in INSZ)


def test_a_year_has_one_list_unless_a_rectification_names_it() -> None:
    werk = FakeLijstWerk(INSZ)
    eerste = _maak(werk)
    with pytest.raises(LijstFout, match="already has list"):
        _maak(werk)
    with pytest.raises(LijstFout, match="not the current list"):
        _maak(werk, vervangt="iets-anders")
    rechtzetting = _maak(werk, vervangt=eerste.id)
    assert len(werk.bewaard.lijsten) == 2
    keur_goed(uow=werk, lijst_id=rechtzetting.id, door=KEURDER, nu=NU)
    assert werk.bewaard.lijsten[eerste.id].status is LijstStatus.VERVANGEN
    assert werk.bewaard.huidige(2026) == werk.bewaard.lijsten[rechtzetting.id]


@pytest.mark.parametrize(
    ("jaar", "reden"), [(2021, "the first yearly list is for 2022"), (2027, "not before")]
)
def test_a_year_without_a_list_is_refused_and_nothing_kept(jaar: int, reden: str) -> None:
    werk = FakeLijstWerk(INSZ)
    with pytest.raises(LijstFout, match=reden):
        _maak(werk, jaar=jaar)
    assert werk.bewaard.lijsten == {}


def test_four_eyes_neither_the_maker_nor_an_operator_approves() -> None:
    werk = FakeLijstWerk(INSZ)
    lijst = _maak(werk)
    with pytest.raises(Forbidden):
        keur_goed(uow=werk, lijst_id=lijst.id, door=MAKER, nu=NU)
    zelf = Actor("olga", Node.AII, Rol.AII_APPROVER)  # the maker, now as approver
    with pytest.raises(LijstFout, match="made list"):
        keur_goed(uow=werk, lijst_id=lijst.id, door=zelf, nu=NU)
    goedgekeurd = keur_goed(uow=werk, lijst_id=lijst.id, door=KEURDER, nu=NU)
    assert goedgekeurd.status is LijstStatus.GOEDGEKEURD
    # a rerun changes nothing and writes no second entry
    keur_goed(uow=werk, lijst_id=lijst.id, door=KEURDER, nu=NU)
    assert [r.gebeurtenis for r in werk.audit.posten_] == ["kbi:lijst:make", "kbi:lijst:approve"]


def test_the_maker_needs_the_operator_role() -> None:
    with pytest.raises(Forbidden):
        maak_lijst(
            uow=FakeLijstWerk(INSZ),
            jaar=2026,
            door=KEURDER,
            nu=NU,
            producent="AII-KBI",
            ontvanger="VSB",
        )
