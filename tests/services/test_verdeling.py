"""The distribution to the zorgkassen on fakes (SPEC §9): nothing twice, a move forwarded, a
rectification's removals withdrawn, and two runs at once never both sending a member."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kbi_exchange.adapters.crypto import cms
from kbi_exchange.adapters.crypto.pki import Pki, maak_ontwikkel_pki
from kbi_exchange.adapters.crypto.vault import CmsVault
from kbi_exchange.adapters.mailbox import Mailbox
from kbi_exchange.domain.lid import Aansluiting, Lid
from kbi_exchange.domain.lijst import LijstFout, LijstStatus
from kbi_exchange.domain.lijst_staat import Lijst
from kbi_exchange.domain.periods import Periode
from kbi_exchange.domain.protocol import GeenWettelijkeContext, ProtocolGebeurtenis, Soort, Stroom
from kbi_exchange.services import verdeling
from kbi_exchange.services.verdeling import verdeel
from tests.actors import VERA, zorgkas_client
from tests.fakes import FakeVerdelingWerk

NU = datetime(2026, 3, 2, 10, tzinfo=UTC)
A, B, C = "85073001348", "85073001546", "85073003328"
VT = (Periode(date(2020, 1, 1)),)


def _lid(insz: str, zorgkas: str) -> Lid:
    return Lid(insz, (Aansluiting(zorgkas, Periode(date(2015, 1, 1))),), vt=VT)


def _lijst(lijst_id: str, aantal: int, vervangt: str | None = None) -> Lijst:
    return Lijst(lijst_id, 2026, LijstStatus.ONTVANGEN, aantal, "0" * 64, vervangt, NU, "aii")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    map_ = tmp_path_factory.mktemp("pki")
    partijen = [("aii", "AII-KBI"), ("vsb", "VSB")] + [
        (f"zorgkas-{z}", f"Zorgkas {z}") for z in ("CM", "LM")
    ]
    maak_ontwikkel_pki(map_, partijen, nu=datetime(2026, 1, 1, tzinfo=UTC))
    return Pki(lambda naam: map_ / naam)


@pytest.fixture
def bus(tmp_path: Path) -> Mailbox:
    return Mailbox(tmp_path / "mailbox")


def _verdeel(werk: FakeVerdelingWerk, pki: Pki, bus: Mailbox) -> verdeling.Verdeling:
    return verdeel(
        uow=werk, vault=CmsVault(pki, "vsb"), outbox=bus, jaar=2026, door=VERA, nu=NU, vsb="VSB"
    )


def _inhoud(bus: Mailbox, pki: Pki, zorgkas: str) -> list[list[str]]:
    bestanden = []
    for pad in bus.waiting(f"zorgkas-{zorgkas}"):
        payload = cms.verify(
            cms.decrypt(pad.read_bytes(), pki.certificaat(f"zorgkas-{zorgkas}"),
                        pki.sleutel(f"zorgkas-{zorgkas}")),
            ca=pki.ca(), ondertekenaar=pki.certificaat("vsb"), moment=NU,
        )  # fmt: skip
        bestanden.append(payload.decode().partition("\n\n")[2].splitlines())
    return bestanden


def test_a_rerun_sends_nothing_twice_and_a_rectification_withdraws_who_it_took_off(
    pki: Pki, bus: Mailbox
) -> None:
    werk = FakeVerdelingWerk(_lid(A, "CM"), _lid(B, "CM"), _lid(C, "LM"))
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-1", 3), [A, B, C])
    eerste = _verdeel(werk, pki, bus)
    assert eerste.toewijzing.json()["per_zorgkas"] == {"CM": 2, "LM": 1}
    assert _inhoud(bus, pki, "CM") == [[A, B]]
    assert _verdeel(werk, pki, bus).zendingen == []
    # AII rectified the list: B is off it; C is on it still
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-2", 2, vervangt="l-1"), [A, C])
    tweede = _verdeel(werk, pki, bus)
    assert (tweede.zendingen, tweede.toewijzing.van_de_lijst) == ([], [B])
    # the zorgkas that had B is told, and no other
    [bericht] = werk.berichten.alle
    assert (bericht.zorgkas, bericht.soort, bericht.inhoud["inszen"]) == (
        "CM",
        "van_lijst_gehaald",
        [B],
    )
    assert werk.bewaard.inszen_van(jaar=2026, zorgkas="CM") == [A]
    assert werk.bewaard.verdeeld(2026) == {A: "CM", C: "LM"}


def test_two_runs_at_once_never_both_send_a_member(
    pki: Pki, bus: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    werk = FakeVerdelingWerk(_lid(A, "CM"), _lid(B, "LM"))
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-1", 2), [A, B])
    echt = cms.sign
    gedaan: list[verdeling.Verdeling] = []
    bezig: list[bool] = []

    def tussendoor(*args: object) -> bytes:
        if not bezig:  # while run 1 builds its files, run 2 runs whole
            bezig.append(True)
            gedaan.append(_verdeel(werk, pki, bus))
        return echt(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cms, "sign", tussendoor)
    with pytest.raises(LijstFout, match="distributed by another run meanwhile; run it again"):
        _verdeel(werk, pki, bus)
    monkeypatch.setattr(cms, "sign", echt)
    assert sum(len(z) for z in gedaan[0].toewijzing.per_zorgkas.values()) == 2
    assert [len(werk.bewaard.van(zorgkas=z)) for z in ("CM", "LM")] == [1, 1]
    assert _inhoud(bus, pki, "CM") == [[A]]
    assert _inhoud(bus, pki, "LM") == [[B]]
    assert _verdeel(werk, pki, bus).zendingen == []  # the rerun it asks for: nothing new


def test_the_list_view_and_a_download_are_a_zorgkas_s_own_and_audited(
    pki: Pki, bus: Mailbox
) -> None:
    werk = FakeVerdelingWerk(_lid(A, "CM"), _lid(C, "LM"))
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-1", 2), [A, C])
    verslag = _verdeel(werk, pki, bus)
    cm = next(z for z in verslag.zendingen if z.zorgkas == "CM")
    lm = next(z for z in verslag.zendingen if z.zorgkas == "LM")
    inszen, zendingen = verdeling.leden_op_lijst(
        uow=werk, jaar=2026, door=zorgkas_client("CM"), nu=NU
    )
    assert (inszen, [z.id for z in zendingen]) == ([A], [cm.id])
    zending, _ = verdeling.zending_bestand(
        uow=werk, zending_id=cm.id, door=zorgkas_client("CM"), nu=NU
    )
    assert zending.id == cm.id
    with pytest.raises(verdeling.GeenZending, match=f"no file '{lm.id}'"):
        verdeling.zending_bestand(uow=werk, zending_id=lm.id, door=zorgkas_client("CM"), nu=NU)
    gezien = [
        r for r in werk.audit.posten_ if r.gebeurtenis in ("vsb:lijst:view", "vsb:lijst:download")
    ]
    assert len(gezien) == 2
    assert all(cm.id in (r.inhoud or "") for r in gezien)


def test_after_the_distribution_only_listed_members_with_vt_are_kept_the_rest_counted(
    pki: Pki, bus: Mailbox
) -> None:
    zonder_vt = Lid(B, (Aansluiting("CM", Periode(date(2015, 1, 1))),))
    weg = Lid(C, (Aansluiting("LM", Periode(date(2015, 1, 1), date(2025, 12, 31))),), vt=VT)
    geen_lid = "85073001447"
    werk = FakeVerdelingWerk(_lid(A, "CM"), zonder_vt, weg)
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-1", 4), [A, B, C, geen_lid])
    verslag = _verdeel(werk, pki, bus)
    assert {k: verslag.toewijzing.json()[k] for k in ("geen_lid", "zonder_vt", "niet_bewaard")} == {
        "geen_lid": 2,
        "zonder_vt": 1,
        "niet_bewaard": 2,
    }
    # kept: A (sent to CM) and C (a member with VT, not affiliated now: may come back)
    assert werk.ontvangen_lijsten.inszen("l-1") == sorted([A, C])
    assert werk.ontvangen_lijsten.verdeeld_op == {"l-1": NU}
    # the audit entry of the run says how many were let go, naming none
    verslag_regel = werk.audit.posten_[-1]
    assert '"niet_bewaard":2' in (verslag_regel.inhoud or "")
    assert geen_lid not in (verslag_regel.inhoud or "")


def _stap(soort: Soort, **extra: object) -> ProtocolGebeurtenis:
    return ProtocolGebeurtenis(f"p-{soort}", soort, NU, "partij:aii", "r", ontvangen_op=NU,
                               **extra)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize(
    "stap",
    [
        _stap(Soort.GESCHORST),
        _stap(Soort.BEEINDIGD),
        _stap(Soort.GROND_VERVALT, stroom=Stroom.F2, datum=date(2023, 7, 20)),
    ],
)
def test_nothing_of_the_list_reaches_a_zorgkas_while_vsbs_record_says_no(
    pki: Pki, bus: Mailbox, stap: ProtocolGebeurtenis
) -> None:
    werk = FakeVerdelingWerk(_lid(A, "CM"))
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-1", 1), [A])
    verslag = _verdeel(werk, pki, bus)  # distributed while it was allowed
    (zending,) = verslag.zendingen
    werk.protocol.voeg_toe(stap)
    cm = zorgkas_client("CM")
    for stap_ in (
        lambda: _verdeel(werk, pki, bus),
        lambda: verdeling.leden_op_lijst(uow=werk, jaar=2026, door=cm, nu=NU),
        lambda: verdeling.zending_bestand(uow=werk, zending_id=zending.id, door=cm, nu=NU),
    ):
        with pytest.raises(GeenWettelijkeContext):
            stap_()
    assert werk.bewaard.gedownload_op == {}


def test_a_download_is_recorded_and_a_file_whose_content_went_is_said_to_be_gone(
    pki: Pki, bus: Mailbox
) -> None:
    werk = FakeVerdelingWerk(_lid(A, "CM"))
    werk.ontvangen_lijsten.lijsten[2026] = (_lijst("l-1", 1), [A])
    (zending,) = _verdeel(werk, pki, bus).zendingen
    cm = zorgkas_client("CM")
    later = datetime(2026, 3, 3, tzinfo=UTC)
    for moment in (NU, later):  # the first download is the one kept
        verdeling.zending_bestand(uow=werk, zending_id=zending.id, door=cm, nu=moment)
    assert werk.bewaard.gedownload_op == {zending.id: NU}
    werk.bewaard.zendingen[zending.id] = (zending, b"")  # retention took the content
    with pytest.raises(verdeling.GeenZending, match="is no longer kept"):
        verdeling.zending_bestand(uow=werk, zending_id=zending.id, door=cm, nu=later)
