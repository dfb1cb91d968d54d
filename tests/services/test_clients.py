"""Machine clients on fakes (SPEC §7, §14): tokens shown once, kept as hashes, revocation."""

from __future__ import annotations

import pytest

from kbi_exchange.domain.advies import Doel
from kbi_exchange.services.clients import (
    ClientFout,
    actieve_clients,
    token_hash,
    trek_client_in,
    voeg_client_toe,
)
from tests.actors import AII_OS
from tests.conftest import NU
from tests.fakes import FakeClientenWerk


def _voeg_toe(werk: FakeClientenWerk, naam: str = "vsb-node") -> str:
    _, token = voeg_client_toe(
        uow=werk,
        naam=naam,
        doelen=["ZORGBUDGET", "ZORGBUDGET"],
        afzender=None,
        nu=NU,
        door=AII_OS,
    )
    return token


def test_a_new_client_gets_a_random_token_kept_only_as_its_hash() -> None:
    werk = FakeClientenWerk()
    token = _voeg_toe(werk)
    (rij,) = werk.bewaard.alle()
    assert rij.client.token_sha256 == token_hash(token) != token
    assert rij.client.doelen == frozenset({Doel.ZORGBUDGET})
    assert rij.client.afzender == "vsb-node"  # its name, unless another is given
    assert token not in (werk.audit.posten_[0].inhoud or "")
    assert len(token) >= 40
    assert _voeg_toe(FakeClientenWerk()) != token


@pytest.mark.parametrize(
    ("naam", "doelen", "reden"),
    [
        ("x", ["ZORGBUDGET"], "client name"),
        ("vsb", [], "at least one purpose"),
        ("vsb", ["HUISVESTING"], "unknown purpose"),
    ],
)
def test_a_client_that_cannot_exist_is_refused_and_nothing_is_kept(
    naam: str, doelen: list[str], reden: str
) -> None:
    werk = FakeClientenWerk()
    with pytest.raises(ClientFout, match=reden):
        voeg_client_toe(uow=werk, naam=naam, doelen=doelen, afzender=None, nu=NU, door=AII_OS)
    assert werk.bewaard.alle() == []
    assert werk.audit.posten_ == []


def test_a_second_client_of_the_same_name_is_refused() -> None:
    werk = FakeClientenWerk()
    _voeg_toe(werk)
    with pytest.raises(ClientFout, match="exists already"):
        _voeg_toe(werk)
    assert len(werk.bewaard.alle()) == 1


def test_a_revoked_client_is_no_longer_active_and_a_second_revocation_changes_nothing() -> None:
    werk = FakeClientenWerk()
    token = _voeg_toe(werk)
    assert token_hash(token) in actieve_clients(werk)
    for _ in range(2):
        trek_client_in(uow=werk, naam="vsb-node", nu=NU, door=AII_OS)
    assert actieve_clients(werk) == {}
    assert [r.gebeurtenis for r in werk.audit.posten_] == ["kbi:client:add", "kbi:client:revoke"]
    with pytest.raises(ClientFout, match="no client"):
        trek_client_in(uow=werk, naam="onbekend", nu=NU, door=AII_OS)
