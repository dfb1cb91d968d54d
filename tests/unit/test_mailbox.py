"""The mailbox's routing: whole files only, by name, from the party that may send them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbi_exchange.adapters.mailbox import Postbus, PostbusFout

LIJST = "KBI_VSB_LIJST_2024_20240115100211000.p7m"
BEWIJS = "KBI_VSB_ONTVANGST_2024_20240116080000000.p7s"


@pytest.fixture
def postbus(tmp_path: Path) -> Postbus:
    bus = Postbus(tmp_path / "mailbox")
    bus.maak_aan(["aii", "vsb"])
    return bus


def test_a_list_goes_from_aii_to_vsb_and_its_receipt_back(postbus: Postbus) -> None:
    assert postbus.verstuur("aii", LIJST, b"list") == postbus.map("vsb", "in") / LIJST
    assert postbus.verstuur("vsb", BEWIJS, b"receipt") == postbus.map("aii", "in") / BEWIJS
    assert postbus.binnen("vsb") == [postbus.map("vsb", "in") / LIJST]
    assert list(postbus.map("aii", "out").iterdir()) == []


def test_a_party_cannot_send_what_another_party_sends(postbus: Postbus) -> None:
    with pytest.raises(PostbusFout, match="only vsb sends such a file, not aii"):
        postbus.verstuur("aii", BEWIJS, b"forged receipt")
    with pytest.raises(PostbusFout, match="does not say whom the file is for"):
        postbus.verstuur("aii", "list.txt", b"x")
    assert list(postbus.wortel.rglob("*.*")) == []


def test_the_same_file_sent_twice_lands_once_and_another_under_its_name_is_refused(
    postbus: Postbus,
) -> None:
    postbus.verstuur("aii", LIJST, b"list")
    postbus.verstuur("aii", LIJST, b"list")
    assert postbus.binnen("vsb") == [postbus.map("vsb", "in") / LIJST]
    with pytest.raises(PostbusFout, match="a different file of that name is waiting"):
        postbus.verstuur("aii", LIJST, b"another list")
    assert (postbus.map("vsb", "in") / LIJST).read_bytes() == b"list"


def test_files_left_whole_in_an_out_folder_are_routed_and_partial_ones_are_not(
    postbus: Postbus,
) -> None:
    (postbus.map("aii", "out") / LIJST).write_bytes(b"list")
    (postbus.map("aii", "out") / f".{LIJST}.part").write_bytes(b"li")
    assert postbus.routeer_alles() == ([postbus.map("vsb", "in") / LIJST], [])
    assert [p.name for p in postbus.map("aii", "out").iterdir()] == [f".{LIJST}.part"]


def test_sending_a_file_again_removes_what_a_crashed_send_of_it_left_behind(
    postbus: Postbus,
) -> None:
    uit = postbus.map("aii", "out")
    (uit / f".{LIJST}.0a1b2c3d4e5f.part").write_bytes(b"li")
    (uit / f".{BEWIJS}.0a1b2c3d4e5f.part").write_bytes(b"re")  # another file's: left alone
    postbus.verstuur("aii", LIJST, b"list")
    assert [p.name for p in uit.iterdir()] == [f".{BEWIJS}.0a1b2c3d4e5f.part"]


def test_a_file_no_one_can_route_is_reported_and_the_others_still_go(postbus: Postbus) -> None:
    (postbus.map("aii", "out") / "mangled name.bin").write_bytes(b"?")
    (postbus.map("aii", "out") / LIJST).write_bytes(b"list")
    gerouteerd, problemen = postbus.routeer_alles()
    assert gerouteerd == [postbus.map("vsb", "in") / LIJST]
    assert problemen == ["mangled name.bin: the name does not say whom the file is for"]
    assert (postbus.map("aii", "out") / "mangled name.bin").exists()
