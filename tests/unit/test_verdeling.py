"""Who of a list goes to which zorgkas (SPEC §9), and how a zorgkas file is named and routed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kbi_exchange.adapters.mailbox import Mailbox, MailboxError, recipient_of
from kbi_exchange.domain.lid import Aansluiting, Lid
from kbi_exchange.domain.periods import Periode
from kbi_exchange.domain.verdeling import (
    ZorgkasKop,
    wijs_toe,
    zorgkas_bestandsnaam,
    zorgkas_payload,
    zorgkas_van_bestand,
)

DAG = date(2024, 9, 1)
VT = (Periode(date(2023, 1, 1)),)


def _lid(insz: str, *aansluitingen: Aansluiting, **extra: object) -> Lid:
    return Lid(insz, aansluitingen, **extra)  # type: ignore[arg-type]


CM = Aansluiting("CM", Periode(date(2010, 1, 1)))


def test_members_with_vt_go_to_their_zorgkas_of_the_day_and_the_rest_is_counted() -> None:
    leden = {
        "a": _lid("a", CM, vt=VT),
        "b": _lid("b", CM),  # no VT
        "c": _lid("c", CM, vt=(Periode(date(2024, 1, 2)),)),  # VT from 2 January: too late
        "d": _lid("d", CM, vt=VT, overlijdensdatum=date(2024, 8, 31)),  # died the day before
        "e": _lid("e", Aansluiting("LM", Periode(date(2010, 1, 1), date(2024, 8, 31))), vt=VT),
        "f": _lid("f", Aansluiting("LM", Periode(date(2024, 9, 1))), vt=VT),  # joined today
    }
    toewijzing = wijs_toe(
        ["a", "b", "c", "d", "e", "f", "g"], leden, jaar=2024, verdeeldag=DAG, verzonden={}
    )
    assert toewijzing.per_zorgkas == {"CM": ["a"], "LM": ["f"]}
    assert (toewijzing.zonder_vt, toewijzing.geen_lid, toewijzing.al_verzonden) == (2, 3, 0)


def test_what_a_zorgkas_has_is_not_sent_again_and_a_move_is_forwarded() -> None:
    leden = {"a": _lid("a", CM, vt=VT), "b": _lid("b", CM, vt=VT)}
    toewijzing = wijs_toe(
        ["a", "b"], leden, jaar=2024, verdeeldag=DAG, verzonden={"a": "CM", "b": "LM"}
    )
    assert toewijzing.per_zorgkas == {"CM": ["b"]}
    assert toewijzing.doorgestuurd == {"CM": 1}
    assert toewijzing.al_verzonden == 1
    # given in blocks, the counts add up
    verder = wijs_toe(["c"], {}, jaar=2024, verdeeldag=DAG, verzonden={}, toewijzing=toewijzing)
    assert verder is toewijzing
    assert toewijzing.geen_lid == 1


def test_the_file_holds_its_header_and_the_insz_sorted_once() -> None:
    moment = datetime(2024, 9, 1, 10, 30, tzinfo=UTC)
    kop = ZorgkasKop("z-1", "l-1", 2024, "CM", "VSB", moment, 2)
    tekst = zorgkas_payload(kop, ["85073001546", "85073001348"]).decode()
    assert tekst.startswith("KBI-ZORGKAS-LIJST 1\nzending-id: z-1\nlijst-id: l-1\njaar: 2024\n")
    assert tekst.endswith("aantal: 2\n\n85073001348\n85073001546\n")
    with pytest.raises(ValueError, match="each of its INSZ once"):
        zorgkas_payload(kop, ["85073001546", "85073001546"])
    naam = zorgkas_bestandsnaam("CM", 2024, moment)
    assert naam == "VSB_ZORGKAS_CM_LIJST_2024_20240901103000000.p7m"
    assert zorgkas_van_bestand(naam) == "CM"


def test_only_vsb_sends_a_zorgkas_file_and_only_to_a_known_zorgkas(tmp_path: Path) -> None:
    naam = "VSB_ZORGKAS_SOL_LIJST_2024_20240901103000000.p7m"
    assert recipient_of(naam, "vsb") == "zorgkas-SOL"
    with pytest.raises(MailboxError, match="only vsb sends such a file, not aii"):
        recipient_of(naam, "aii")
    with pytest.raises(MailboxError, match="does not say whom the file is for"):
        recipient_of(naam.replace("SOL", "XYZ"), "vsb")
    bus = Mailbox(tmp_path)
    assert bus.send("vsb", naam, b"x") == tmp_path / "zorgkas-SOL" / "in" / naam
