"""FileSet: several files published together; a kill mid-publication leaves a marker that says
so; a failure before publication leaves the old files and no temporaries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.core.atomic import FileSet, half_published


def _write_set(folder: Path, text: str) -> None:
    with FileSet(folder / ".publishing") as files:
        for name in ("train.jsonl", "validation.jsonl", "test.jsonl"):
            files.open(folder / name).write(f"{text} {name}\n")


def test_the_files_appear_together_and_the_marker_goes(tmp_path: Path):
    _write_set(tmp_path, "old")
    _write_set(tmp_path, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.jsonl", "train.jsonl", "validation.jsonl"]
    assert all(p.read_text().startswith("new ") for p in tmp_path.iterdir())
    assert oct((tmp_path / "train.jsonl").stat().st_mode & 0o777) == "0o644"  # not mkstemp's 0600


def test_a_failure_while_writing_keeps_the_old_set_and_no_temporaries(tmp_path: Path):
    _write_set(tmp_path, "old")
    with pytest.raises(RuntimeError):
        with FileSet(tmp_path / ".publishing") as files:
            files.open(tmp_path / "train.jsonl").write("new\n")
            raise RuntimeError("disk full, say")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.jsonl", "train.jsonl", "validation.jsonl"]
    assert (tmp_path / "train.jsonl").read_text() == "old train.jsonl\n"


def test_a_kill_between_the_renames_leaves_the_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _write_set(tmp_path, "old")
    renamed = []
    real_replace = os.replace

    def killed_after_one(src, dst):
        if Path(dst).name != ".publishing":  # (the marker itself is written atomically first)
            if renamed:
                raise KeyboardInterrupt  # stands for the kill: nothing after this runs
            renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr("simulator.core.atomic.os.replace", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        _write_set(tmp_path, "new")
    monkeypatch.undo()
    assert half_published(tmp_path / ".publishing")  # a reader knows the set is mixed
    texts = sorted((tmp_path / n).read_text().split()[0] for n in ("train.jsonl", "validation.jsonl", "test.jsonl"))
    assert texts == ["new", "old", "old"]
    _write_set(tmp_path, "again")  # the rerun redoes it
    assert not half_published(tmp_path / ".publishing")
