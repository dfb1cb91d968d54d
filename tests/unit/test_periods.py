from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from kbi_exchange.domain.periods import Periode, plus_maanden


def test_month_arithmetic_clamps_to_the_last_day_of_a_shorter_month() -> None:
    assert plus_maanden(date(2022, 11, 30), 3) == date(2023, 2, 28)
    assert plus_maanden(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert plus_maanden(date(2022, 9, 15), 24) == date(2024, 9, 15)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 120))
def test_month_arithmetic_is_exactly_that_of_relativedelta(dag: date, maanden: int) -> None:
    assert plus_maanden(dag, maanden) == dag + relativedelta(months=maanden)


def test_a_period_includes_both_its_begin_and_its_end() -> None:
    periode = Periode(date(2022, 1, 1), date(2022, 1, 31))
    assert periode.dekt(date(2022, 1, 1))
    assert periode.dekt(date(2022, 1, 31))
    assert not periode.dekt(date(2021, 12, 31))
    assert not periode.dekt(date(2022, 2, 1))


def test_an_open_period_has_no_end() -> None:
    assert Periode(date(2022, 1, 1)).dekt(date(2999, 1, 1))


def test_a_period_cannot_end_before_it_begins() -> None:
    with pytest.raises(ValueError, match="before it begins"):
        Periode(date(2022, 2, 1), date(2022, 1, 31))
