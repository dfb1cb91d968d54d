"""Taking in a yearly list at VSB (SPEC §8.5, §8.6) on fakes: real CMS files and a real
PKI, the received lists in memory. Replays, second lists and rectifications; the receipt
sent once, also when a run stopped before sending it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki, maak_ontwikkel_pki
from kbi_exchange.adapters.crypto.vault import CmsVault
from kbi_exchange.adapters.mailbox import AII, VSB, Mailbox
from kbi_exchange.domain.lijst import (
    LijstFout,
    LijstKop,
    LijstStatus,
    lijst_bestandsnaam,
    payload,
)
from kbi_exchange.domain.protocol import GeenWettelijkeContext, ProtocolGebeurtenis, Soort
from kbi_exchange.services.lijst_ontvangst import OntvangenLijst, ontvang_lijst
from tests.actors import VERA
from tests.fakes import FakeOntvangenLijsten, FakeOntvangstWerk

NU = datetime(2026, 1, 20, 9, tzinfo=UTC)
JAAR = 2026
INSZ = ["85073001348", "85073003328"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    map_ = tmp_path_factory.mktemp("pki")
    maak_ontwikkel_pki(map_, [(AII, "AII-KBI"), (VSB, "VSB")], nu=datetime(2025, 1, 1, tzinfo=UTC))
    return Pki(lambda naam: map_ / naam)


def _bestand(pki: Pki, lijst_id: str, *, vervangt: str | None = None) -> bytes:
    kop = LijstKop(
        lijst_id=lijst_id,
        jaar=JAAR,
        gemaakt_op=datetime(2026, 1, 10, 8, tzinfo=UTC),
        producent="AII-KBI",
        ontvanger="VSB",
        vervangt=vervangt,
        aantal=len(INSZ),
    )
    ondertekend = cms.sign(payload(kop, INSZ), pki.certificaat(AII), pki.sleutel(AII))
    return cms.encrypt(ondertekend, pki.certificaat(VSB))


def _ontvang(
    werk: FakeOntvangstWerk, pki: Pki, mailbox: Mailbox, bestand: bytes, nu: datetime = NU
) -> OntvangenLijst:
    return ontvang_lijst(
        uow=werk,
        vault=CmsVault(pki, VSB),
        outbox=mailbox,
        bestand=bestand,
        naam=lijst_bestandsnaam(JAAR, NU),
        door=VERA,
        nu=nu,
        vsb="VSB",
        aii="AII-KBI",
    )


@pytest.fixture
def mailbox(tmp_path: Path) -> Mailbox:
    mailbox = Mailbox(tmp_path / "mailbox")
    mailbox.create([AII, VSB])
    return mailbox


def test_a_list_is_stored_with_its_insz_and_the_receipt_goes_to_aii_once(
    pki: Pki, mailbox: Mailbox
) -> None:
    werk, lijst_id = FakeOntvangstWerk(), str(uuid.uuid4())
    bestand = _bestand(pki, lijst_id)
    ontvangen = _ontvang(werk, pki, mailbox, bestand)
    assert (ontvangen.id, ontvangen.aantal, ontvangen.al_ontvangen) == (lijst_id, 2, False)
    assert werk.bewaard.inszen[lijst_id] == INSZ
    assert werk.bewaard.lijsten[lijst_id].status is LijstStatus.ONTVANGEN
    assert [p.name for p in mailbox.waiting(AII)] == [ontvangen.ontvangstbewijs]
    (regel,) = werk.audit.posten_
    assert (regel.gebeurtenis, regel.actor, regel.insz_hash) == ("vsb:lijst:ingest", "vera", None)
    assert not any(insz in (regel.inhoud or "") for insz in INSZ)
    # the same file again: nothing new stored, no second receipt
    opnieuw = _ontvang(werk, pki, mailbox, bestand)
    assert opnieuw.al_ontvangen
    assert opnieuw.ontvangstbewijs == ontvangen.ontvangstbewijs
    assert len(mailbox.waiting(AII)) == 1


def test_a_run_that_stopped_before_the_receipt_left_sends_it_on_the_rerun(
    pki: Pki, mailbox: Mailbox
) -> None:
    werk, lijst_id = FakeOntvangstWerk(), str(uuid.uuid4())
    bestand = _bestand(pki, lijst_id)
    kapot = Mailbox(mailbox.wortel / "missing" / "\0")  # writing here fails
    with pytest.raises(ValueError, match="null"):
        _ontvang(werk, pki, kapot, bestand)
    assert lijst_id in werk.bewaard.lijsten
    assert lijst_id not in werk.bewaard.verstuurd
    assert _ontvang(werk, pki, mailbox, bestand).al_ontvangen
    assert len(mailbox.waiting(AII)) == 1
    assert lijst_id in werk.bewaard.verstuurd


def test_a_replay_and_a_second_list_are_refused_and_store_nothing(
    pki: Pki, mailbox: Mailbox
) -> None:
    werk, lijst_id = FakeOntvangstWerk(), str(uuid.uuid4())
    _ontvang(werk, pki, mailbox, _bestand(pki, lijst_id))
    voor = werk.bewaard.kopie()
    # the same list encrypted anew: other bytes, the same id
    with pytest.raises(LijstFout, match=f"replay — list {lijst_id} was received on 2026-01-20"):
        _ontvang(werk, pki, mailbox, _bestand(pki, lijst_id))
    with pytest.raises(LijstFout, match=f"at VSB, year {JAAR} already has list {lijst_id}"):
        _ontvang(werk, pki, mailbox, _bestand(pki, str(uuid.uuid4())))
    ander = str(uuid.uuid4())
    with pytest.raises(LijstFout, match=f"rectifies {ander}: not the current list of {JAAR}"):
        _ontvang(werk, pki, mailbox, _bestand(pki, str(uuid.uuid4()), vervangt=ander))
    assert werk.bewaard.lijsten == voor.lijsten
    assert werk.bewaard.inszen == voor.inszen
    assert len(mailbox.waiting(AII)) == 1


def test_a_rectification_takes_the_year_and_the_list_it_names_is_replaced(
    pki: Pki, mailbox: Mailbox
) -> None:
    werk, eerste, tweede = FakeOntvangstWerk(), str(uuid.uuid4()), str(uuid.uuid4())
    _ontvang(werk, pki, mailbox, _bestand(pki, eerste))
    later = NU + timedelta(days=3)
    ontvangen = _ontvang(werk, pki, mailbox, _bestand(pki, tweede, vervangt=eerste), later)
    assert ontvangen.vervangt == eerste
    assert werk.bewaard.lijsten[eerste].status is LijstStatus.VERVANGEN
    assert werk.bewaard.lijsten[eerste].vervangen_op == later
    assert len(mailbox.waiting(AII)) == 2, "a receipt for each"
    assert werk.bewaard.huidige(JAAR) == werk.bewaard.lijsten[tweede]


def test_a_file_not_for_vsb_or_not_signed_by_aii_is_refused_before_anything_is_read(
    pki: Pki, mailbox: Mailbox
) -> None:
    werk = FakeOntvangstWerk()
    kop = LijstKop(str(uuid.uuid4()), JAAR, NU, "AII-KBI", "VSB", None, 2)
    door_vsb = cms.encrypt(
        cms.sign(payload(kop, INSZ), pki.certificaat(VSB), pki.sleutel(VSB)),
        pki.certificaat(VSB),
    )
    with pytest.raises(LijstFout, match="signature refused"):
        _ontvang(werk, pki, mailbox, door_vsb)
    with pytest.raises(LijstFout, match="not encrypted for VSB"):
        _ontvang(werk, pki, mailbox, cms.encrypt(b"x", pki.certificaat(AII)))
    assert werk.bewaard.lijsten == {}
    assert mailbox.waiting(AII) == []


def test_a_list_stored_meanwhile_by_another_run_is_refused_in_words(
    pki: Pki, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    werk, eerste = FakeOntvangstWerk(), str(uuid.uuid4())
    _ontvang(werk, pki, mailbox, _bestand(pki, eerste))
    # both runs checked the year before either stored: the store's uniqueness decides
    monkeypatch.setattr(FakeOntvangenLijsten, "huidige", lambda self, jaar: None)
    with pytest.raises(LijstFout, match=f"another list for {JAAR} was stored meanwhile"):
        _ontvang(werk, pki, mailbox, _bestand(pki, str(uuid.uuid4())), NU + timedelta(hours=1))
    assert list(werk.bewaard.lijsten) == [eerste]


def test_while_vsbs_record_stands_still_no_new_list_is_taken_in(pki: Pki, tmp_path: Path) -> None:
    werk = FakeOntvangstWerk()
    werk.protocol.voeg_toe(
        ProtocolGebeurtenis("g-1", Soort.GESCHORST, NU - timedelta(hours=1), "partij:aii",
                            "onderzoek", ontvangen_op=NU - timedelta(hours=1))
    )  # fmt: skip
    bus = Mailbox(tmp_path / "mailbox")
    with pytest.raises(GeenWettelijkeContext, match="geschorst"):
        _ontvang(werk, pki, bus, _bestand(pki, str(uuid.uuid4())))
    assert werk.bewaard.lijsten == {}
    assert werk.audit.posten_ == []
