from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, date, datetime

from kbi_exchange.domain.advies import Vraag
from kbi_exchange.domain.insz import Insz, InszSoort
from kbi_exchange.services.decide import decide
from kbi_exchange.services.synth import synth_dossiers
from tests.fakes import InMemoryKbi

NU = datetime(2026, 1, 15, tzinfo=UTC)


def test_the_same_seed_gives_the_same_dossiers_and_another_seed_others() -> None:
    eerste = [json.dumps(d) for d in synth_dossiers(300, seed=5)]
    assert eerste == [json.dumps(d) for d in synth_dossiers(300, seed=5)]
    assert eerste != [json.dumps(d) for d in synth_dossiers(300, seed=6)]


def test_synthesis_streams_instead_of_building_the_whole_population() -> None:
    stroom = synth_dossiers(10_000_000, seed=1)
    assert len(list(itertools.islice(stroom, 5))) == 5


def test_every_number_is_a_valid_unique_insz_of_every_kind() -> None:
    regels = list(synth_dossiers(3_000, seed=9))
    personen = {d["insz"] for d in regels if "vervangen_door" not in d}
    soorten = Counter(Insz.parse(insz).soort for insz in personen)
    assert soorten[InszSoort.BIS] > 100
    assert soorten[InszSoort.RIJKSREGISTER] > 1_000
    assert any(int(insz[:2]) < 26 for insz in personen), "someone born after 2000"
    vervangen = [d for d in regels if "vervangen_door" in d]
    assert vervangen
    assert len(personen) == 3_000
    assert not {d["insz"] for d in vervangen} & personen


def test_every_rule_and_boundary_of_the_rules_occurs() -> None:
    kbi = InMemoryKbi()
    regels = [json.dumps(d) for d in synth_dossiers(3_000, seed=9)]
    kbi.laad_jsonl(regels, opgenomen_op=NU)
    uitkomsten: Counter[str] = Counter()
    for datum in (date(2022, 6, 1), date(2023, 6, 1), date(2025, 6, 1)):
        for dossier in kbi:
            antwoord = decide(Vraag(dossier.insz, datum), zoek=kbi.zoek, nu=NU)
            assert antwoord.beslissing is not None
            uitkomsten[antwoord.beslissing.status.value] += 1
            uitkomsten.update(r.code.value for r in antwoord.beslissing.redenen)
            uitkomsten.update(u.identificatie.value for u in antwoord.uitzonderingen)
    for verwacht in (
        "NIET_VERPLICHT",
        "VERPLICHT_VOLDOET",
        "VERPLICHT_VOLDOET_NIET",
        "INBREUK_VASTGESTELD",
        "NIET_TIJDIG_AANGEMELD",
        "CONTRACT_NIET_ONDERTEKEND",
        "B1_NIET_AANGETOOND",
        "30004",
    ):
        assert uitkomsten[verwacht] > 0, verwacht
    tekst = "\n".join(regels)
    for kenmerk in (
        "geregistreerd_op",
        "ingetrokken_op",
        "uitstel_aanmelding",
        "uitstel_ondertekening",
        "vrijstellingen",
        "overlijdensdatum",
        "VERKLARING_INSPANNING",
        "datum_rechtzetting",
    ):
        assert kenmerk in tekst, kenmerk
