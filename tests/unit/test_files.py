"""Atomic file writes: whole or not at all, and never through a planted link."""

from __future__ import annotations

from pathlib import Path

from kbi_exchange.adapters.files import write_atomic


def test_a_write_replaces_the_file_whole_and_leaves_no_part_behind(tmp_path: Path) -> None:
    doel = tmp_path / "lijst.p7m"
    doel.write_bytes(b"old")
    write_atomic(doel, b"new", modus=0o600)
    assert doel.read_bytes() == b"new"
    assert doel.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["lijst.p7m"]


def test_a_link_planted_at_a_part_name_is_not_written_through(tmp_path: Path) -> None:
    slachtoffer = tmp_path / "elsewhere" / "victim"
    slachtoffer.parent.mkdir()
    slachtoffer.write_bytes(b"precious")
    doel = tmp_path / "lijst.p7m"
    (tmp_path / ".lijst.p7m.part").symlink_to(slachtoffer)
    write_atomic(doel, b"new")
    assert slachtoffer.read_bytes() == b"precious"
    assert doel.read_bytes() == b"new"


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    slachtoffer = tmp_path / "victim"
    slachtoffer.write_bytes(b"precious")
    doel = tmp_path / "lijst.p7m"
    doel.symlink_to(slachtoffer)
    write_atomic(doel, b"new")
    assert slachtoffer.read_bytes() == b"precious"
    assert not doel.is_symlink()
    assert doel.read_bytes() == b"new"
