from __future__ import annotations

from datetime import UTC, date, datetime

from kbi_exchange.domain.advies import Vraag
from kbi_exchange.domain.decision import Advies, RedenCode, Status
from kbi_exchange.domain.rules import REGELS, evaluate
from kbi_exchange.parameters import standaard_parameters
from kbi_exchange.services.decide import decide
from tests.fakes import InMemoryKbi

NU = datetime(2026, 1, 15, tzinfo=UTC)


def _kbi(regel: str) -> InMemoryKbi:
    kbi = InMemoryKbi()
    kbi.laad_jsonl([regel], opgenomen_op=NU)
    return kbi


def test_a_nok_decision_carries_code_text_law_facts_and_parameters() -> None:
    kbi = _kbi(
        '{"insz": "85073003328", "doelgroep": [{"id": "dg-1", "type": "PLICHT", '
        '"begin": "2022-03-01"}], "uitstel_aanmelding": [{"id": "u-1", '
        '"begin": "2022-05-01", "einde": "2022-06-30"}]}'
    )
    dossier = kbi.zoek("85073003328")
    assert dossier is not None
    beslissing = evaluate(
        dossier, date(2022, 7, 1), gekend_op=NU, parameters=standaard_parameters()
    )
    assert beslissing.advies is Advies.NOK
    reden = beslissing.reden
    assert reden is not None
    assert reden.code is RedenCode.NIET_TIJDIG_AANGEMELD
    assert reden.omschrijving.startswith("De persoon heeft zich niet tijdig aangemeld")
    assert "art. 27" in reden.wettelijke_basis
    assert reden.feiten == ("u-1",)
    assert reden.parameters == (("aanmeldingstermijn_maanden", 3),)
    assert set(beslissing.feiten) == {"dg-1", "u-1"}
    assert beslissing.parameterversie == standaard_parameters().versie


def test_every_status_carries_a_full_explanation_of_every_rule() -> None:
    kbi = _kbi('{"insz": "85073003328", "doelgroep": [{"type": "PLICHT", "begin": "2022-03-01"}]}')
    for datum, status in [
        (date(2022, 2, 1), Status.NIET_VERPLICHT),
        (date(2022, 5, 1), Status.VERPLICHT_VOLDOET),
        (date(2022, 7, 1), Status.VERPLICHT_VOLDOET_NIET),
    ]:
        antwoord = decide(Vraag("85073003328", datum), zoek=kbi.zoek, nu=NU)
        assert antwoord.beslissing is not None
        assert antwoord.status is status
        assert [s.naam for s in antwoord.beslissing.uitleg] == [r.naam for r in REGELS]
        assert all(s.toelichting and s.wettelijke_basis for s in antwoord.beslissing.uitleg)


def test_redenen_are_empty_unless_the_person_does_not_comply() -> None:
    kbi = _kbi('{"insz": "85073003328", "doelgroep": [{"type": "PLICHT", "begin": "2022-03-01"}]}')
    antwoord = decide(Vraag("85073003328", date(2022, 5, 1)), zoek=kbi.zoek, nu=NU)
    assert antwoord.beslissing is not None
    assert antwoord.beslissing.redenen == ()
    assert antwoord.beslissing.reden is None


def test_the_same_question_as_known_at_the_same_moment_gives_the_same_decision() -> None:
    kbi = _kbi('{"insz": "85073003328", "doelgroep": [{"type": "PLICHT", "begin": "2022-03-01"}]}')
    dossier = kbi.zoek("85073003328")
    assert dossier is not None
    eerste = evaluate(dossier, date(2022, 7, 1), gekend_op=NU, parameters=standaard_parameters())
    tweede = evaluate(dossier, date(2022, 7, 1), gekend_op=NU, parameters=standaard_parameters())
    assert eerste == tweede
