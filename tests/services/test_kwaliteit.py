"""Data quality at AII (art. 7) on fakes: a report, the correction imported, every earlier
answer re-evaluated into a rectification, fetched by the client that asked, and the report
closed — the same use cases the API and `kbi aii quality` call, in milliseconds."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from kbi_exchange.adapters.line_file import dossier_file
from kbi_exchange.domain.access import Actor, Node, client_permissies
from kbi_exchange.domain.kwaliteit import KwaliteitFout, MeldingStatus
from kbi_exchange.domain.protocol import Stroom
from kbi_exchange.services import kwaliteit
from kbi_exchange.services.kbi_import import import_dossiers
from tests.actors import OLGA
from tests.conftest import EXAMPLES, NU
from tests.fakes import FakeAudit, FakeKbi, InMemoryKbi, insz_hash
from tests.fakes_beheer import FakeKbiImportWerk, FakeKwaliteitWerk
from tests.services.conftest import Writer

WIE = "85073001348"  # obliged, registered, a contract signed: OK
CLIENT = Actor.client("vsb", Node.AII, beperkt_tot=client_permissies(["ZORGBUDGET"]))


@pytest.fixture
def kbi() -> InMemoryKbi:
    kbi = InMemoryKbi()
    with (EXAMPLES / "dossiers.jsonl").open(encoding="utf-8") as regels:
        kbi.laad_jsonl(regels, opgenomen_op=NU)
    return kbi


def _gevraagd(kbi: InMemoryKbi) -> tuple[FakeKwaliteitWerk, str]:
    """AII's node after the advice service answered OK about ``WIE``: its decision record."""
    werk = FakeKwaliteitWerk(kbi)
    writer = Writer((FakeKbi(kbi), werk.beslissingen, FakeAudit()))
    referte = str(uuid.uuid4())
    (bericht,) = writer.vraag(
        {"insz": WIE, "datum": "2023-01-01", "doel": "ZORGBUDGET", "referte": referte}
    )
    assert bericht.advies == "OK"
    return werk, referte


def _correctie(tmp_path: Path, kbi: InMemoryKbi) -> str:
    """The wrong fact found: AII registers the refusal that was missing (an import)."""
    bestand = tmp_path / "correctie.jsonl"
    inbreuk = {"id": "ib-q", "type": "WEIGERING_CONTRACT", "datum_vaststelling": "2022-09-01"}
    bestand.write_bytes(orjson.dumps({"insz": WIE, "inbreuken": [inbreuk]}) + b"\n")
    resultaat = import_dossiers(
        uow=FakeKbiImportWerk(kbi), bestand=dossier_file(bestand), door=OLGA, nu=NU
    )
    assert resultaat.feiten_toegevoegd == 1
    return resultaat.import_id


def test_a_correction_rectifies_the_earlier_answer_once_and_the_asker_fetches_it(
    tmp_path: Path, kbi: InMemoryKbi
) -> None:
    werk, referte = _gevraagd(kbi)
    melding, nieuw = kwaliteit.ontvang(
        door=CLIENT, uow=werk, insz=WIE, omschrijving="refused a contract", referte=referte,
        nu=NU, melding_id="m-1",
    )  # fmt: skip
    assert nieuw
    assert melding.status is MeldingStatus.OPEN
    import_id = _correctie(tmp_path, werk.kbi.kbi)
    later = NU + timedelta(days=3)
    herbeoordeeld = kwaliteit.herbeoordeel(
        uow=werk, melding_id="m-1", import_id=import_id, door=OLGA, nu=later, lijst_ontvanger="vsb"
    )
    (r,) = herbeoordeeld.rectificaties
    assert (r.stroom, r.referte, r.client) == (Stroom.F1, referte, "vsb")
    assert (r.oud and r.oud.advies, r.nieuw and r.nieuw.advies) == ("OK", "NOK")
    # run again for the same report: the same change, nothing added twice
    opnieuw = kwaliteit.herbeoordeel(
        uow=werk, melding_id="m-1", import_id=import_id, door=OLGA, nu=later, lijst_ontvanger="vsb"
    )
    assert [x.id for x in opnieuw.rectificaties] == [r.id]
    gevonden, volgende = kwaliteit.haal_rectificaties(door=CLIENT, uow=werk, na=0, nu=later)
    assert [x.id for _, x in gevonden] == [r.id]
    assert kwaliteit.haal_rectificaties(door=CLIENT, uow=werk, na=volgende, nu=later)[0] == []
    andere = Actor.client("andere", Node.AII, beperkt_tot=client_permissies(["ZORGBUDGET"]))
    assert kwaliteit.haal_rectificaties(door=andere, uow=werk, na=0, nu=later)[0] == []
    gesloten = kwaliteit.sluit(
        uow=werk, melding_id="m-1", bevinding="inbreuk geregistreerd", door=OLGA, nu=later
    )
    assert gesloten.status is MeldingStatus.GESLOTEN
    gebeurtenissen = [x.gebeurtenis for x in werk.audit.posten_]
    assert gebeurtenissen == [
        "kbi:melding:receive",
        "kbi:melding:correct",
        "kbi:melding:correct",
        "kbi:rectificatie:fetch",
        "kbi:melding:close",
    ]
    assert {x.insz_hash for x in werk.audit.posten_} == {insz_hash(WIE)}
    assert all(WIE not in (x.inhoud or "") for x in werk.audit.posten_)


def test_a_report_sent_again_comes_back_and_another_clients_id_is_refused(
    kbi: InMemoryKbi,
) -> None:
    werk, _ = _gevraagd(kbi)
    eerste, _ = kwaliteit.ontvang(
        door=CLIENT, uow=werk, insz=WIE, omschrijving="x", nu=NU, melding_id="m-2"
    )
    tweede, nieuw = kwaliteit.ontvang(
        door=CLIENT, uow=werk, insz=WIE, omschrijving="x", nu=NU, melding_id="m-2"
    )
    assert (tweede, nieuw) == (eerste, False)
    andere = Actor.client("andere", Node.AII, beperkt_tot=client_permissies(["ZORGBUDGET"]))
    with pytest.raises(KwaliteitFout, match="id: in use"):
        kwaliteit.ontvang(
            door=andere, uow=werk, insz=WIE, omschrijving="x", nu=NU, melding_id="m-2"
        )
    with pytest.raises(kwaliteit.OnbekendeMelding):
        kwaliteit.status_voor(door=andere, uow=werk, melding_id="m-2", nu=NU)
    assert len(werk.audit.posten_) == 1


@pytest.mark.parametrize(
    ("velden", "fout"),
    [
        ({"insz": "123"}, "insz:"),
        ({"omschrijving": ""}, "omschrijving"),
        ({"referte": "x" * 37}, "referte:"),
        ({"melding_id": 7}, "id:"),
    ],
)
def test_a_bad_report_names_its_field_and_stores_nothing(
    kbi: InMemoryKbi, velden: dict[str, object], fout: str
) -> None:
    werk, _ = _gevraagd(kbi)
    with pytest.raises(KwaliteitFout, match=fout):
        kwaliteit.ontvang(
            door=CLIENT, uow=werk, nu=NU, **{"insz": WIE, "omschrijving": "x", **velden}
        )
    assert werk.bewaard[0] == {}
    assert werk.audit.posten_ == []


def test_a_report_is_overdue_after_two_weeks_without_a_finding(kbi: InMemoryKbi) -> None:
    werk, _ = _gevraagd(kbi)
    melding, _ = kwaliteit.ontvang(door=CLIENT, uow=werk, insz=WIE, omschrijving="x", nu=NU)
    assert kwaliteit.achterstallig(uow=werk, nu=NU + timedelta(days=14)) == []
    verlopen = kwaliteit.achterstallig(uow=werk, nu=NU + timedelta(days=15))
    assert [i for i, _ in verlopen] == [melding.id]
