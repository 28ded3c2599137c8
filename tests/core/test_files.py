"""Input files: only regular files of bounded size, UTF-8 errors at line and column, references
inside the pack folder (symlinks followed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.core.errors import InputError
from simulator.core.files import (
    decode_utf8,
    outside_problem,
    pack_root,
    read_bytes_bounded,
    read_text_bounded,
    regular_file_problem,
)


def test_devices_fifos_and_folders_are_not_input_files(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would block forever: it must be refused without opening
    assert "not a regular file" in regular_file_problem(Path("/dev/zero"))
    assert "not a regular file" in regular_file_problem(fifo)
    assert "is a folder" in regular_file_problem(tmp_path)
    assert regular_file_problem(tmp_path / "missing") == "file not found"
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes_bounded(fifo, "pipe")


def test_a_file_over_the_limit_is_refused(tmp_path: Path):
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2000)
    assert read_bytes_bounded(big, "big.md", max_bytes=2000) == b"x" * 2000
    with pytest.raises(InputError, match="larger than 1000 bytes"):
        read_bytes_bounded(big, "big.md", max_bytes=1000)


def test_a_bad_byte_is_reported_at_its_line_and_column():
    data = "a: 1\nname: café\n".encode("utf-8").replace("é".encode(), b"\xe9")
    with pytest.raises(InputError) as caught:
        decode_utf8(data, "f.yaml")
    [problem] = caught.value.problems
    assert problem.line == 2 and problem.message.startswith("column 10: not UTF-8 text (byte 0xE9")


def test_the_column_counts_characters_not_bytes(tmp_path: Path):
    path = tmp_path / "zh.yaml"
    path.write_bytes("名字: 中文".encode() + b"\xff\n")
    with pytest.raises(InputError) as caught:
        read_text_bounded(path, "zh.yaml")
    assert str(caught.value).startswith("zh.yaml:1: column 7: not UTF-8 text (byte 0xFF")


def test_references_must_stay_inside_the_pack_folder(tmp_path: Path):
    pack = tmp_path / "pack"
    (pack / "scenarios").mkdir(parents=True)
    (pack / "personas").mkdir()
    scenario = pack / "scenarios" / "s.yaml"
    scenario.write_text("name: s\n")
    root = pack_root(scenario)
    assert root == pack.resolve()
    assert outside_problem(pack / "scenarios" / "../personas", root) is None
    assert "outside the pack folder" in outside_problem(pack / "scenarios" / "../../../etc/passwd", root)
    assert "outside the pack folder" in outside_problem(Path("/etc/hostname"), root)
    link = pack / "personas" / "sneaky.yaml"
    link.symlink_to("/etc/passwd")  # a link inside the pack pointing out of it
    assert "outside the pack folder" in outside_problem(link, root)
