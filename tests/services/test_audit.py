"""The DPO's search of the audit log (SPEC §8.7, §11) on fakes: a person's own entries and the
lists they are on, and the search itself recorded under their keyed hash, never in plain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kbi_exchange.domain.access import Actor, Node, Rol
from kbi_exchange.domain.audit import AuditGebeurtenis
from kbi_exchange.services.audit import zoek_over_persoon
from kbi_exchange.services.lijst import maak_lijst
from tests.actors import DORA
from tests.fakes import FakeLijstWerk

NU = datetime(2026, 1, 15, 10, tzinfo=UTC)
OP_LIJST, NIET_OP_LIJST = "85073001348", "85073003328"


def test_a_search_finds_the_lists_a_person_is_on_and_is_itself_audited() -> None:
    werk = FakeLijstWerk([OP_LIJST])
    lijst = maak_lijst(
        uow=werk,
        jaar=2026,
        door=Actor("olga", Node.AII, Rol.AII_OPERATOR),
        nu=NU,
        producent="AII-KBI",
        ontvanger="VSB",
    )
    with werk:
        werk.audit.record(
            gebeurtenis=AuditGebeurtenis.LIJST_OPGEHAALD,
            actor="olga",
            tijdstip=NU,
            inhoud={"lijst": lijst.id, "jaar": 2026, "bestand_sha256": None},
        )
        werk.commit()
    later = NU + timedelta(days=1)
    gevonden = zoek_over_persoon(uow=werk, insz=OP_LIJST, door=DORA, nu=later)
    assert [r.gebeurtenis for r in gevonden] == ["kbi:lijst:pull"]
    niets = zoek_over_persoon(uow=werk, insz=NIET_OP_LIJST, door=DORA, nu=later)
    assert niets == []
    zoekopdrachten = [r for r in werk.audit.posten_ if r.gebeurtenis == "kbi:audit:search"]
    assert [(r.actor, r.insz_hash is not None) for r in zoekopdrachten] == [
        ("dora", True),
        ("dora", True),
    ]
    assert not any(OP_LIJST in (r.inhoud or "") for r in werk.audit.posten_)
    # the search of the person on the list is found by a later search of that person
    opnieuw = zoek_over_persoon(uow=werk, insz=OP_LIJST, door=DORA, nu=later)
    assert [r.gebeurtenis for r in opnieuw] == ["kbi:lijst:pull", "kbi:audit:search"]
