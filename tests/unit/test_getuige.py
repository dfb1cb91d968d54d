"""The other node's answer of witnessed heads (`adapters.getuige`), read page by page: taken
whole and in order, or refused — never read as a shorter list than it is; and only as the
other party said it (its CMS signature), about this node's log, to this very question (which
list, which page, the nonce chosen for it)."""

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
from kbi_exchange.adapters.getuige import KOPPEN, MAX_ANTWOORD, Getuige
from kbi_exchange.domain.access import Node
from kbi_exchange.domain.incident import PartijOnbereikbaar

NU = datetime.now(UTC)
Document = dict[str, Any]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    map_: Path = tmp_path_factory.mktemp("pki")
    maak_ontwikkel_pki(map_, [("aii", "AII-KBI"), ("vsb", "VSB")], nu=NU - timedelta(days=1))
    return Pki(lambda naam: map_ / naam)


def _kop(seq: int) -> Document:
    return {"seq": seq, "wortel": "ab" * 32}


TWEE: dict[int, Document] = {
    0: {"koppen": [_kop(3), _kop(7)], "volgende_na": 7},
    7: {"koppen": [_kop(9)], "volgende_na": None},
}


class _Vsb:
    """VSB's node as the reader meets it: each answer signed by ``door`` over what
    ``wijzig`` makes of the honest document (or ``ruw`` bytes as they are)."""

    def __init__(
        self,
        pki: Pki,
        paginas: dict[int, Document] = TWEE,
        *,
        door: str = "vsb",
        wijzig: Callable[[Document], Document] = lambda d: d,
        ruw: bytes | None = None,
        laatste: Document | None = None,
    ) -> None:
        self.pki, self.paginas, self.door, self.wijzig, self.ruw = pki, paginas, door, wijzig, ruw
        self.laatste = {"kop": _kop(9)} if laatste is None else laatste
        self.vragen: list[httpx.Request] = []
        self.druk = 0  # answers of 503 still to give
        self.gewacht: list[float] = []

    def __call__(self, verzoek: httpx.Request) -> httpx.Response:
        self.vragen.append(verzoek)
        assert verzoek.headers["accept"] == "application/pkcs7-mime"
        if self.druk:
            self.druk -= 1
            return httpx.Response(503, headers={"Retry-After": "1"})
        if self.ruw is not None:
            return httpx.Response(200, content=self.ruw)
        params = verzoek.url.params
        document: Document = {"getuige": "vsb", "van": "aii", "op": NU.isoformat()}
        document["nonce"] = params["nonce"]
        if verzoek.url.path == KOPPEN:
            na = int(params["na"])
            document |= {"vraag": "koppen", "na": na, **self.paginas[na]}
        else:
            assert verzoek.url.path == KOPPEN + "/laatste"
            document |= {"vraag": "laatste", **self.laatste}
        inhoud = orjson.dumps(self.wijzig(document))
        getekend = cms.sign(inhoud, self.pki.certificaat(self.door), self.pki.sleutel(self.door))
        return httpx.Response(200, content=getekend)

    def getuige(self) -> Getuige:
        return Getuige(
            "http://vsb",
            pki=self.pki,
            node=Node.AII,
            transport=httpx.MockTransport(self),
            wacht=self.gewacht.append,
        )


def test_the_pages_are_read_to_the_end_in_order_each_with_a_nonce_of_its_own(pki: Pki) -> None:
    vsb = _Vsb(pki)
    assert [k["seq"] for k in vsb.getuige().alle()] == [3, 7, 9]
    nonces = [v.url.params["nonce"] for v in vsb.vragen]
    assert len(set(nonces)) == 2
    assert all(len(n) == 32 for n in nonces)


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
    vsb = _Vsb(pki, {0: TWEE[0], 7: {"koppen": tweede, "volgende_na": None}})
    with pytest.raises(PartijOnbereikbaar, match=f"out of order \\({gemeld}\\)"):
        vsb.getuige().alle()


def test_an_answer_that_is_not_a_list_of_heads_fails(pki: Pki) -> None:
    with pytest.raises(PartijOnbereikbaar, match="no list of heads"):
        _Vsb(pki, {0: {"koppen": None}}).getuige().alle()


def test_an_unsigned_answer_or_one_signed_by_another_party_is_refused(pki: Pki) -> None:
    plain = orjson.dumps({"vraag": "koppen", "getuige": "vsb", "van": "aii", "na": 0})
    with pytest.raises(PartijOnbereikbaar, match="without VSB's signature over JSON"):
        _Vsb(pki, ruw=plain).getuige().alle()
    # AII's own key (a node's certificate from the same CA signs as that node only)
    with pytest.raises(PartijOnbereikbaar, match="without VSB's signature over JSON"):
        _Vsb(pki, door="aii").getuige().alle()
    # signed content changed on the way
    getekend = cms.sign(plain, pki.certificaat("vsb"), pki.sleutel("vsb"))
    veranderd = getekend.replace(b'"na":0', b'"na":7')
    assert veranderd != getekend
    with pytest.raises(PartijOnbereikbaar, match="without VSB's signature over JSON"):
        _Vsb(pki, ruw=veranderd).getuige().alle()


@pytest.mark.parametrize(
    ("wijziging", "gemeld"),
    [
        ({"na": 7}, "with na 7, not 0"),  # a page of another question
        ({"van": "vsb"}, "with van 'vsb', not 'aii'"),  # heads of the other log
        ({"getuige": "aii"}, "with getuige 'aii', not 'vsb'"),
        ({"vraag": "laatste"}, "with vraag 'laatste', not 'koppen'"),
        ({"nonce": "0" * 32}, "with nonce '0000"),  # an answer to an earlier request
    ],
)
def test_a_signed_answer_to_another_question_is_refused(
    pki: Pki, wijziging: Document, gemeld: str
) -> None:
    vsb = _Vsb(pki, wijzig=lambda d: {**d, **wijziging})
    with pytest.raises(PartijOnbereikbaar, match=gemeld):
        vsb.getuige().alle()


def test_an_answer_from_before_replayed_whole_is_refused(pki: Pki) -> None:
    vsb = _Vsb(pki)
    vsb.getuige().alle()
    eerder = vsb(vsb.vragen[0]).content  # VSB's signed first page, as an eavesdropper kept it
    with pytest.raises(PartijOnbereikbaar, match="with nonce"):
        _Vsb(pki, ruw=eerder).getuige().alle()


def test_the_largest_head_is_read_only_as_the_answer_to_that_question(pki: Pki) -> None:
    assert _Vsb(pki).getuige().laatste() == _kop(9)
    assert _Vsb(pki, laatste={"kop": None}).getuige().laatste() is None
    with pytest.raises(PartijOnbereikbaar, match="without a head or null"):
        _Vsb(pki, laatste={}).getuige().laatste()
    with pytest.raises(PartijOnbereikbaar, match="without a head or null"):
        _Vsb(pki, laatste={"kop": [1]}).getuige().laatste()
    # a signed page of the list (anyone can have one made) given as the answer to this one
    pagina = _Vsb(pki, wijzig=lambda d: {**d, "vraag": "koppen", "na": 999, "koppen": []})
    with pytest.raises(PartijOnbereikbaar, match="with vraag 'koppen', not 'laatste'"):
        pagina.getuige().laatste()


def test_a_busy_witness_is_asked_again_and_a_too_large_answer_is_not_read(pki: Pki) -> None:
    vsb = _Vsb(pki)
    vsb.druk = 2
    assert len(vsb.getuige().alle()) == 3
    assert vsb.gewacht == [1.0, 1.0]
    altijd = _Vsb(pki)
    altijd.druk = 100
    with pytest.raises(PartijOnbereikbaar, match="stayed too busy"):
        altijd.getuige().alle()
    assert len(altijd.vragen) == 4
    with pytest.raises(PartijOnbereikbaar, match="more than 4194304 bytes"):
        _Vsb(pki, ruw=b"x" * (MAX_ANTWOORD + 1)).getuige().alle()
