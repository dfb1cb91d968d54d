"""The premium decision on fakes (SPEC §9): from the registry and the received list, audited;
a zorgkas handler cannot learn whether someone is a member of another zorgkas."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson
import pytest

from kbi_exchange.domain.access import Actor
from kbi_exchange.domain.lid import Aansluiting, Lid
from kbi_exchange.domain.periods import Periode
from kbi_exchange.domain.premie import Premie, PremieFout
from kbi_exchange.domain.protocol import GeenWettelijkeContext, ProtocolGebeurtenis, Soort, Stroom
from kbi_exchange.parameters import premie_bedragen
from kbi_exchange.services import premie
from tests.actors import VSB_OS, behandelaar
from tests.fakes import FakeAanvraagWerk, insz_hash

NU = datetime(2026, 3, 10, 9, tzinfo=UTC)
A, B = "85073001348", "85073001546"
# A moved from CM to LM on 1 July 2024; both had VT since 2020
LID_A = Lid(
    A,
    (
        Aansluiting("CM", Periode(date(2015, 1, 1), date(2024, 6, 30))),
        Aansluiting("LM", Periode(date(2024, 7, 1))),
    ),
    vt=(Periode(date(2020, 1, 1)),),
)
LID_B = Lid(B, (Aansluiting("CM", Periode(date(2015, 1, 1))),), vt=(Periode(date(2020, 1, 1)),))


def _bepaal(werk: FakeAanvraagWerk, insz: str, jaar: int, door: Actor) -> Premie:
    return premie.bepaal(
        uow=werk, insz=insz, jaar=jaar, bedragen=premie_bedragen(), door=door, nu=NU
    )


def test_listed_pays_full_unlisted_reduced_and_each_decision_is_audited() -> None:
    werk = FakeAanvraagWerk(LID_A, LID_B, lijsten={2023: {B}})
    vsb = VSB_OS
    assert (_bepaal(werk, A, 2024, vsb).bedrag, _bepaal(werk, B, 2024, vsb).bedrag) == (
        31,
        62,
    )
    regels = werk.audit.posten_
    assert [r.gebeurtenis for r in regels] == ["vsb:premie:decide"] * 2
    assert orjson.loads(regels[1].inhoud or "") == {"jaar": 2024, "verlaagd": False, "bedrag": 62}
    assert regels[1].insz_hash == insz_hash(B)


def test_a_zorgkas_handler_sees_members_of_their_zorgkas_in_that_year_only() -> None:
    werk = FakeAanvraagWerk(LID_A, LID_B, lijsten={2023: set(), 2024: set()})
    lm = behandelaar("LM", "lou")
    assert _bepaal(werk, A, 2024, lm).verlaagd  # A joined LM in 2024
    fouten = []
    for insz in (B, "85073001150"):  # a CM member, and someone who is no member at all
        with pytest.raises(PremieFout) as fout:
            _bepaal(werk, insz, 2024, lm)
        fouten.append(str(fout.value))
    assert fouten[0] == fouten[1] == "this INSZ is not in the member registry: no premium to decide"
    with pytest.raises(PremieFout, match="not in the member registry"):
        _bepaal(werk, A, 2023, lm)  # in 2023 A was with CM all year
    # the refusals decide nothing, and are recorded as looks at the person
    assert [r.gebeurtenis for r in werk.audit.posten_] == ["vsb:premie:decide"] + [
        "vsb:premie:refuse"
    ] * 3


def test_an_invalid_insz_names_the_option_not_the_number() -> None:
    with pytest.raises(PremieFout, match="insz: invalid INSZ") as fout:
        _bepaal(FakeAanvraagWerk(), "85073001349", 2024, VSB_OS)
    assert "85073001349" not in str(fout.value)


def _stap(soort: Soort, **extra: object) -> ProtocolGebeurtenis:
    return ProtocolGebeurtenis(f"p-{soort}", soort, NU, "partij:aii", "GwH 112/2023",
                               ontvangen_op=NU, **extra)  # type: ignore[arg-type]  # fmt: skip


def test_after_the_f2_lapse_a_later_premium_year_is_reduced_for_every_member_with_vt() -> None:
    """GwH 112/2023 (2023-07-20): from the premium of 2024, whose year begins after the
    lapse, the list no longer counts; 2023 (begun before it) is still decided by it."""
    werk = FakeAanvraagWerk(LID_A, LID_B, lijsten={2022: {B}, 2023: {B}})
    werk.protocol.voeg_toe(_stap(Soort.GROND_VERVALT, stroom=Stroom.F2, datum=date(2023, 7, 20)))
    vsb = VSB_OS
    na = _bepaal(werk, B, 2024, vsb)  # on the list of 2023, yet reduced now
    assert (na.verlaagd, na.bedrag) == (True, 31)
    assert "de lijst telt niet meer" in na.reden
    assert "2023-07-20" in na.reden
    voor = _bepaal(werk, B, 2023, vsb)  # the year began before the lapse: the list counts
    assert (voor.verlaagd, voor.bedrag) == (False, 58)
    # no VT on 1 January of the year before: full, as ever
    zonder_vt = Lid(A, LID_A.aansluitingen)
    werk = FakeAanvraagWerk(zonder_vt)
    werk.protocol.voeg_toe(_stap(Soort.GROND_VERVALT, stroom=Stroom.F2, datum=date(2023, 7, 20)))
    assert not _bepaal(werk, A, 2024, vsb).verlaagd
    # a lapse on 1 January itself: that year's premium is already decided without the list
    werk = FakeAanvraagWerk(LID_A, LID_B, lijsten={2023: {B}})
    werk.protocol.voeg_toe(_stap(Soort.GROND_VERVALT, stroom=Stroom.F2, datum=date(2024, 1, 1)))
    assert _bepaal(werk, B, 2024, vsb).verlaagd
    # and on 2 January the year began under the list
    werk = FakeAanvraagWerk(LID_A, LID_B, lijsten={2023: {B}})
    werk.protocol.voeg_toe(_stap(Soort.GROND_VERVALT, stroom=Stroom.F2, datum=date(2024, 1, 2)))
    assert not _bepaal(werk, B, 2024, vsb).verlaagd


def test_while_the_protocol_stands_still_a_premium_that_needs_the_list_waits() -> None:
    werk = FakeAanvraagWerk(LID_A, LID_B, lijsten={2023: {B}})
    werk.protocol.voeg_toe(_stap(Soort.GESCHORST))
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        _bepaal(werk, B, 2024, VSB_OS)
    assert werk.audit.posten_ == []
