"""The other node's answer of witnessed heads (`adapters.getuige`), read page by page: taken
whole and in order, or refused — never read as a shorter list than it is."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kbi_exchange.adapters.getuige import KOPPEN, Getuige
from kbi_exchange.domain.incident import PartijOnbereikbaar


def _getuige(paginas: dict[int, dict[str, Any]]) -> Getuige:
    def antwoord(verzoek: httpx.Request) -> httpx.Response:
        assert verzoek.url.path == KOPPEN
        return httpx.Response(200, json=paginas[int(verzoek.url.params["na"])])

    return Getuige("http://vsb", transport=httpx.MockTransport(antwoord))


def _kop(seq: int) -> dict[str, Any]:
    return {"seq": seq, "wortel": "ab" * 32}


def test_the_pages_are_read_to_the_end_in_order() -> None:
    getuige = _getuige(
        {
            0: {"koppen": [_kop(3), _kop(7)], "volgende_na": 7},
            7: {"koppen": [_kop(9)], "volgende_na": None},
        }
    )
    assert [k["seq"] for k in getuige.alle()] == [3, 7, 9]


@pytest.mark.parametrize(
    ("tweede", "gemeld"),
    [
        ([_kop(5)], "a head of 5 entries after 7"),  # back in size across pages
        ([_kop(9), _kop(9)], "a head of 9 entries after 9"),  # the same head twice
        ([_kop(8), "junk"], "a head of None entries after 8"),
        ([{"seq": True}], "a head of True entries after 7"),
    ],
)
def test_heads_out_of_order_or_junk_fail_instead_of_being_skipped(
    tweede: list[Any], gemeld: str
) -> None:
    getuige = _getuige(
        {
            0: {"koppen": [_kop(3), _kop(7)], "volgende_na": 7},
            7: {"koppen": tweede, "volgende_na": None},
        }
    )
    with pytest.raises(PartijOnbereikbaar, match=f"out of order \\({gemeld}\\)"):
        getuige.alle()


def test_an_answer_that_is_not_a_list_of_heads_fails() -> None:
    with pytest.raises(PartijOnbereikbaar, match="no list of heads"):
        _getuige({0: {"koppen": None}}).alle()
