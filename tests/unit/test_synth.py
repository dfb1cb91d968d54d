from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, date, datetime

from kbi_exchange.adapters.leden_jsonl import lees_lid
from kbi_exchange.domain.advies import Vraag
from kbi_exchange.domain.insz import Insz, InszSoort
from kbi_exchange.services.decide import decide
from kbi_exchange.services.synth import VT_AANDEEL, ZORGKAS_AANDELEN, synth_dossiers, synth_leden
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


def test_synthetic_members_are_valid_deterministic_and_plausibly_spread() -> None:
    leden = list(synth_leden(6_000, seed=4))
    assert list(synth_leden(300, seed=4)) == list(synth_leden(300, seed=4))
    assert list(synth_leden(300, seed=4)) != list(synth_leden(300, seed=5))
    gelezen = [lees_lid(json.dumps(x).encode(), nu=NU) for x in leden]  # every line imports
    assert len({lid.insz for lid in gelezen}) == 6_000
    kassen = Counter(lid.aansluitingen[0].zorgkas for lid in gelezen)
    totaal = sum(aandeel for _, aandeel in ZORGKAS_AANDELEN)
    for code, aandeel in ZORGKAS_AANDELEN:
        assert abs(kassen[code] / 6_000 - aandeel / totaal) < 0.03, code
    assert abs(sum(bool(lid.vt) for lid in gelezen) / 6_000 - VT_AANDEEL) < 0.03
    assert any(len(lid.aansluitingen) == 2 for lid in gelezen), "some moved"
    assert any(lid.overlijdensdatum for lid in gelezen), "some died"


def test_with_a_kbi_most_of_its_persons_are_members_and_most_members_are_not_in_it() -> None:
    kbi = [d["insz"] for d in synth_dossiers(1_000, seed=9)]
    leden = {lid["insz"] for lid in synth_leden(4_000, seed=9, kbi=kbi)}
    in_kbi = leden & set(kbi)
    assert len(leden) == 4_000
    assert 0.75 < len(in_kbi) / len(set(kbi)) < 0.95
    assert len(in_kbi) < len(leden) / 2
    weinig = {lid["insz"] for lid in synth_leden(100, seed=9, kbi=kbi)}
    assert len(weinig & set(kbi)) == 50, "at most half of the members come from the KBI"
