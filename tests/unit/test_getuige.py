"""The other node's answer of witnessed heads (`adapters.getuige`), read page by page: taken
whole and in order, or refused — never read as a shorter list than it is; and only as the
other party said it (its CMS signature), about this node's log, to the page asked, just now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki, maak_ontwikkel_pki
from kbi_exchange.adapters.getuige import KOPPEN, Getuige
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import PartijOnbereikbaar

NU = datetime(2026, 12, 3, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    map_: Path = tmp_path_factory.mktemp("pki")
    maak_ontwikkel_pki(map_, [("aii", "AII-KBI"), ("vsb", "VSB")], nu=NU - timedelta(days=1))
    return Pki(lambda naam: map_ / naam)


def _getuige(
    pki: Pki,
    paginas: dict[int, dict[str, Any]],
    *,
    door: str = "vsb",
    wijzig: Callable[[dict[str, Any]], dict[str, Any]] = lambda d: d,
    ruw: bytes | None = None,
) -> Getuige:
    """AII's reader of the heads VSB witnessed; VSB's answers signed by ``door``."""

    def antwoord(verzoek: httpx.Request) -> httpx.Response:
        assert verzoek.url.path == KOPPEN
        assert verzoek.headers["accept"] == "application/pkcs7-mime"
        na = int(verzoek.url.params["na"])
        document = wijzig({"getuige": "vsb", "van": "aii", "na": na, "op": NU.isoformat()})
        inhoud = orjson.dumps({**document, **paginas[na]})
        if ruw is not None:
            return httpx.Response(200, content=ruw)
        return httpx.Response(
            200, content=cms.sign(inhoud, pki.certificaat(door), pki.sleutel(door))
        )

    return Getuige(
        "http://vsb", pki=pki, node=Node.AII, transport=httpx.MockTransport(antwoord), nu=lambda: NU
    )


def _kop(seq: int) -> dict[str, Any]:
    return {"seq": seq, "wortel": "ab" * 32}


TWEE: dict[int, dict[str, Any]] = {
    0: {"koppen": [_kop(3), _kop(7)], "volgende_na": 7},
    7: {"koppen": [_kop(9)], "volgende_na": None},
}


def test_the_pages_are_read_to_the_end_in_order(pki: Pki) -> None:
    assert [k["seq"] for k in _getuige(pki, TWEE).alle()] == [3, 7, 9]


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
    pki: Pki, tweede: list[Any], gemeld: str
) -> None:
    getuige = _getuige(
        pki,
        {
            0: {"koppen": [_kop(3), _kop(7)], "volgende_na": 7},
            7: {"koppen": tweede, "volgende_na": None},
        },
    )
    with pytest.raises(PartijOnbereikbaar, match=f"out of order \\({gemeld}\\)"):
        getuige.alle()


def test_an_answer_that_is_not_a_list_of_heads_fails(pki: Pki) -> None:
    with pytest.raises(PartijOnbereikbaar, match="no list of heads"):
        _getuige(pki, {0: {"koppen": None}}).alle()


def test_an_unsigned_answer_or_one_signed_by_another_party_is_refused(pki: Pki) -> None:
    plain = orjson.dumps({"getuige": "vsb", "van": "aii", "na": 0, "op": NU.isoformat()})
    with pytest.raises(PartijOnbereikbaar, match="without VSB's signature over JSON"):
        _getuige(pki, TWEE, ruw=plain).alle()
    # AII's own key (an attacker with a copy of a node's certificate signs as that node only)
    with pytest.raises(PartijOnbereikbaar, match="without VSB's signature over JSON"):
        _getuige(pki, TWEE, door="aii").alle()
    # signed content changed on the way
    getekend = cms.sign(plain, pki.certificaat("vsb"), pki.sleutel("vsb"))
    veranderd = getekend.replace(b'"na":0', b'"na":7')
    assert veranderd != getekend
    with pytest.raises(PartijOnbereikbaar, match="without VSB's signature over JSON"):
        _getuige(pki, TWEE, ruw=veranderd).alle()


@pytest.mark.parametrize(
    ("wijziging", "gemeld"),
    [
        ({"na": 7}, "with na 7, not 0"),  # a page of another question, replayed
        ({"van": "vsb"}, "with van 'vsb', not 'aii'"),  # heads of the other log
        ({"getuige": "aii"}, "with getuige 'aii', not 'vsb'"),
        ({"op": (NU - timedelta(minutes=11)).isoformat()}, "not within 10 minutes of now"),
        ({"op": (NU + timedelta(minutes=11)).isoformat()}, "not within 10 minutes of now"),
        ({"op": "2026-12-03T12:00:00"}, "not within 10 minutes"),  # no zone: not a moment
        ({"op": None}, "said at None"),
    ],
)
def test_a_signed_answer_to_another_question_or_from_long_ago_is_refused(
    pki: Pki, wijziging: dict[str, Any], gemeld: str
) -> None:
    getuige = _getuige(pki, TWEE, wijzig=lambda d: {**d, **wijziging})
    with pytest.raises(PartijOnbereikbaar, match=gemeld):
        getuige.alle()


def test_an_answer_within_ten_minutes_is_taken(pki: Pki) -> None:
    negen = (NU - timedelta(minutes=9)).isoformat()
    assert len(_getuige(pki, TWEE, wijzig=lambda d: {**d, "op": negen}).alle()) == 3
