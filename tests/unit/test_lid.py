"""A VSB member (SPEC §6, §9): the zorgkas on a day, VT on a day, one text for equal members."""

from __future__ import annotations

from datetime import date

from kbi_exchange.domain.lid import Aansluiting, Lid, overlappen
from kbi_exchange.domain.periods import Periode

VERHUISD = Lid(
    "85073002140",
    (
        Aansluiting("LM", Periode(date(2024, 1, 1))),
        Aansluiting("CM", Periode(date(2010, 1, 1), date(2023, 12, 31))),
    ),
    vt=(Periode(date(2020, 1, 1), date(2022, 12, 31)),),
    overlijdensdatum=date(2025, 6, 30),
)


def test_the_zorgkas_on_a_day_follows_the_affiliations_and_ends_at_death() -> None:
    assert VERHUISD.zorgkas_op(date(2023, 12, 31)) == "CM"
    assert VERHUISD.zorgkas_op(date(2024, 1, 1)) == "LM"
    assert VERHUISD.zorgkas_op(date(2025, 6, 30)) == "LM"
    assert VERHUISD.zorgkas_op(date(2025, 7, 1)) is None
    assert VERHUISD.zorgkas_op(date(2009, 12, 31)) is None


def test_vt_on_a_day_includes_both_ends() -> None:
    assert VERHUISD.vt_op(date(2020, 1, 1))
    assert VERHUISD.vt_op(date(2022, 12, 31))
    assert not VERHUISD.vt_op(date(2023, 1, 1))


def test_equal_members_written_in_another_order_give_the_same_content() -> None:
    anders = Lid(VERHUISD.insz, tuple(reversed(VERHUISD.aansluitingen)), VERHUISD.vt, None,
                 VERHUISD.overlijdensdatum)  # fmt: skip
    assert anders.inhoud() == VERHUISD.inhoud()
    assert [a["zorgkas"] for a in VERHUISD.inhoud()["aansluitingen"]] == ["CM", "LM"]


def test_overlapping_periods_are_found_and_touching_ones_are_not() -> None:
    a, b = Periode(date(2020, 1, 1), date(2020, 12, 31)), Periode(date(2021, 1, 1))
    assert overlappen([b, a]) is None
    c = Periode(date(2020, 12, 31), date(2021, 3, 1))
    assert overlappen([a, c]) == (a, c)
    assert overlappen([Periode(date(2020, 1, 1)), b]) == (Periode(date(2020, 1, 1)), b)
