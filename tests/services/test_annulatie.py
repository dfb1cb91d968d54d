"""The annulment report (SPEC §12) on fakes: for a lapsed basis, every earlier refusal of its
purpose, by client and referte (never an INSZ), and every answer given after the day it lapsed;
the report itself audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from kbi_exchange.domain.fouten import Forbidden
from kbi_exchange.domain.protocol import ProtocolGebeurtenis, Soort, Stroom
from kbi_exchange.parameters import protocol_definitie
from kbi_exchange.services import protocol
from tests.actors import DORA, OLGA
from tests.conftest import EXAMPLES, NU
from tests.fakes import FakeAudit, FakeKbi, InMemoryKbi
from tests.fakes_beheer import FakeKwaliteitWerk
from tests.services.conftest import Writer

OK_PERSOON, NOK_PERSOON = "85073001348", "85073003328"


def _beantwoord(werk: FakeKwaliteitWerk, kbi: InMemoryKbi) -> dict[str, str]:
    """Two answers of the advice service: one OK, one NOK; their refertes by answer."""
    writer = Writer((FakeKbi(kbi), werk.beslissingen, FakeAudit()))
    refertes = {}
    for insz in (OK_PERSOON, NOK_PERSOON):
        referte = str(uuid.uuid4())
        (bericht,) = writer.vraag(
            {"insz": insz, "datum": "2023-06-01", "doel": "ZORGBUDGET", "referte": referte}
        )
        assert bericht.advies is not None
        refertes[bericht.advies] = referte
    assert set(refertes) == {"OK", "NOK"}
    return refertes


def test_the_report_names_the_refusals_and_the_answers_after_the_lapse_by_referte() -> None:
    kbi = InMemoryKbi()
    with (EXAMPLES / "dossiers.jsonl").open(encoding="utf-8") as regels:
        kbi.laad_jsonl(regels, opgenomen_op=NU)
    werk = FakeKwaliteitWerk(kbi)
    refertes = _beantwoord(werk, kbi)
    lapse = (NU - timedelta(days=1)).date()
    werk.protocol.voeg_toe(
        ProtocolGebeurtenis(
            "p-1", Soort.GROND_VERVALT, NU, "dora", "GwH", stroom=Stroom.F1, datum=lapse
        )
    )
    (regel,) = protocol.annulatierapport(
        uow=werk, definitie=protocol_definitie(), door=DORA, nu=NU + timedelta(hours=1)
    )
    assert [w["referte"] for w in regel["weigeringen"]] == [refertes["NOK"]]
    assert sorted(w["referte"] for w in regel["zonder_grond"]) == sorted(refertes.values())
    assert "lijsten" not in regel
    tekst = str(regel)
    assert OK_PERSOON not in tekst
    assert NOK_PERSOON not in tekst
    (entry,) = werk.audit.posten_
    assert entry.gebeurtenis == "kbi:protocol:report"
    # an operator may not see it: it is personal data under a pseudonym
    with pytest.raises(Forbidden):
        protocol.annulatierapport(uow=werk, definitie=protocol_definitie(), door=OLGA, nu=NU)
