"""The mailbox's routing: whole files only, by name, from the party that may send them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbi_exchange.adapters.mailbox import Mailbox, MailboxError

LIJST = "KBI_VSB_LIJST_2024_20240115100211000.p7m"
BEWIJS = "KBI_VSB_ONTVANGST_2024_20240116080000000.p7s"


@pytest.fixture
def mailbox(tmp_path: Path) -> Mailbox:
    bus = Mailbox(tmp_path / "mailbox")
    bus.create(["aii", "vsb"])
    return bus


def test_a_list_goes_from_aii_to_vsb_and_its_receipt_back(mailbox: Mailbox) -> None:
    assert mailbox.send("aii", LIJST, b"list") == mailbox.folder("vsb", "in") / LIJST
    assert mailbox.send("vsb", BEWIJS, b"receipt") == mailbox.folder("aii", "in") / BEWIJS
    assert mailbox.waiting("vsb") == [mailbox.folder("vsb", "in") / LIJST]
    assert list(mailbox.folder("aii", "out").iterdir()) == []


def test_a_party_cannot_send_what_another_party_sends(mailbox: Mailbox) -> None:
    with pytest.raises(MailboxError, match="only vsb sends such a file, not aii"):
        mailbox.send("aii", BEWIJS, b"forged receipt")
    with pytest.raises(MailboxError, match="does not say whom the file is for"):
        mailbox.send("aii", "list.txt", b"x")
    assert list(mailbox.wortel.rglob("*.*")) == []


def test_the_same_file_sent_twice_lands_once_and_another_under_its_name_is_refused(
    mailbox: Mailbox,
) -> None:
    mailbox.send("aii", LIJST, b"list")
    mailbox.send("aii", LIJST, b"list")
    assert mailbox.waiting("vsb") == [mailbox.folder("vsb", "in") / LIJST]
    with pytest.raises(MailboxError, match="a different file of that name is waiting"):
        mailbox.send("aii", LIJST, b"another list")
    assert (mailbox.folder("vsb", "in") / LIJST).read_bytes() == b"list"


def test_files_left_whole_in_an_out_folder_are_routed_and_partial_ones_are_not(
    mailbox: Mailbox,
) -> None:
    (mailbox.folder("aii", "out") / LIJST).write_bytes(b"list")
    (mailbox.folder("aii", "out") / f".{LIJST}.part").write_bytes(b"li")
    assert mailbox.route_all() == ([mailbox.folder("vsb", "in") / LIJST], [])
    assert [p.name for p in mailbox.folder("aii", "out").iterdir()] == [f".{LIJST}.part"]


def test_sending_a_file_again_removes_what_a_crashed_send_of_it_left_behind(
    mailbox: Mailbox,
) -> None:
    uit = mailbox.folder("aii", "out")
    (uit / f".{LIJST}.0a1b2c3d4e5f.part").write_bytes(b"li")
    (uit / f".{BEWIJS}.0a1b2c3d4e5f.part").write_bytes(b"re")  # another file's: left alone
    mailbox.send("aii", LIJST, b"list")
    assert [p.name for p in uit.iterdir()] == [f".{BEWIJS}.0a1b2c3d4e5f.part"]


def test_a_file_no_one_can_route_is_reported_and_the_others_still_go(mailbox: Mailbox) -> None:
    (mailbox.folder("aii", "out") / "mangled name.bin").write_bytes(b"?")
    (mailbox.folder("aii", "out") / LIJST).write_bytes(b"list")
    gerouteerd, problemen = mailbox.route_all()
    assert gerouteerd == [mailbox.folder("vsb", "in") / LIJST]
    assert problemen == ["mangled name.bin: the name does not say whom the file is for"]
    assert (mailbox.folder("aii", "out") / "mangled name.bin").exists()
