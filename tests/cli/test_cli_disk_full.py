"""A full disk (issue 16): `toolsim run`, `export` and `report` stop with a clear message and exit
code 3, leave no torn line and no temporary file, and once space is freed the same command
resumes and writes exactly the dataset a run that never hit the wall writes.

On a real small filesystem when this machine lets the test mount one (a 1.2 MB tmpfs, as root);
always, too, with a fault-injecting writer at toolsim's two write paths (appends and whole
files) that runs out of "space" after a byte budget.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.guard_kit import cli
from tests.pack_copy import pack_copy

RUN = ("--n", "300", "--quiet")
EXIT_DISK_FULL = 3


@dataclass
class Disk:
    path: Path
    fill: Callable[[], None]  # no space left from now on
    free: Callable[[], None]  # room enough for everything


# ---------------------------------------------------------------- the two kinds of small disk


@pytest.fixture
def tmpfs(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the fault-injecting test covers this machine")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")

    def resize(size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)

    def fill() -> None:
        filler = mount / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass

    def free() -> None:
        (mount / "filler").unlink(missing_ok=True)
        resize("64m")

    try:
        yield Disk(mount, fill, free)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


class _Budget:
    """Bytes left on the pretend disk, shared by every write toolsim makes."""

    def __init__(self, left: int | None) -> None:
        self.left = left

    def take(self, wanted: int) -> int:
        if self.left is None:
            return wanted
        granted = min(wanted, self.left)
        self.left -= granted
        return granted


class _MeteredFile:
    """A file whose writes fail with ENOSPC once the budget is spent (after writing what fits)."""

    def __init__(self, real: Any, budget: _Budget) -> None:
        self._real, self._budget = real, budget

    def write(self, data: Any) -> int:
        granted = self._budget.take(len(data))
        if granted < len(data):
            self._real.write(data[:granted])
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._real.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> "_MeteredFile":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._real.close()


@pytest.fixture
def injected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import simulator.core.atomic as atomic
    import simulator.core.rundir as rundir

    budget = _Budget(600_000)
    real_write_all, real_open_fd = rundir.write_all, atomic.open_fd

    def write_all(fd: int, data: bytes) -> None:
        granted = budget.take(len(data))
        real_write_all(fd, data[:granted])
        if granted < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir, "write_all", write_all)
    monkeypatch.setattr(atomic, "open_fd", lambda fd, mode, **kw: _MeteredFile(real_open_fd(fd, mode, **kw), budget))
    disk = tmp_path / "disk"
    disk.mkdir()

    def fill() -> None:
        budget.left = 0

    def free() -> None:
        budget.left = None

    yield Disk(disk, fill, free)


@pytest.fixture(params=["tmpfs", "injected"])
def disk(request) -> Disk:
    return request.getfixturevalue(request.param)


# ---------------------------------------------------------------- the guarantees


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """The pack, and its run made on a disk with room."""
    base = tmp_path_factory.mktemp("reference")
    pack = pack_copy(base) / "scenarios" / "customer_support.yaml"
    assert cli("run", pack, "--out", base / "run", *RUN).code == 0
    return pack, base / "run"


def _no_temporaries(folder: Path) -> None:
    assert not [p for p in folder.rglob("*.tmp")], "no temporary file is left behind"


def _lines_whole(path: Path) -> list[str]:
    data = path.read_bytes()
    assert data.endswith(b"\n"), f"{path.name} ends with a torn line"
    return [json.loads(line)["id" if path.name == "traces.jsonl" else "trace_id"] for line in data.splitlines()]


@pytest.mark.slow
def test_a_run_that_fills_the_disk_stops_cleanly_and_resumes_to_the_same_dataset(disk: Disk, reference):
    pack, clean = reference
    out = disk.path / "run"
    stopped = cli("run", pack, "--out", out, *RUN)
    assert stopped.code == EXIT_DISK_FULL, stopped.err
    assert "out of disk space" in stopped.err and "rerun the same command to resume" in stopped.err
    assert "Traceback" not in stopped.err
    traced = _lines_whole(out / "traces.jsonl")
    assert traced and len(traced) == len(set(traced))
    assert set(_lines_whole(out / "verdicts.jsonl")) <= set(traced)
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    _no_temporaries(out)

    disk.free()
    resumed = cli("run", pack, "--out", out, *RUN)
    assert resumed.code == 0, resumed.err
    ids = _lines_whole(out / "traces.jsonl")
    assert len(ids) == len(set(ids)), "no episode twice"
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl"):
        assert (out / "dataset" / name).read_bytes() == (clean / "dataset" / name).read_bytes()


@pytest.mark.slow
def test_export_and_report_on_a_full_disk_exit_3_and_keep_what_was_there(disk: Disk, reference):
    pack, _ = reference
    out = disk.path / "run"
    disk.free()
    assert cli("run", pack, "--out", out, "--n", "40", "--quiet").code == 0
    assert cli("export", out, "--format", "sharegpt").code == 0
    before = {p: p.read_bytes() for p in (out / "dataset").iterdir()}
    disk.fill()
    for command in (["export", out], ["export", out, "--format", "trl"], ["report", out]):
        outcome = cli(*command)
        assert outcome.code == EXIT_DISK_FULL, (command, outcome.err)
        assert "out of disk space" in outcome.err and "Traceback" not in outcome.err
    assert {p: p.read_bytes() for p in (out / "dataset").iterdir()} == before
    assert not (out / "dataset" / ".publishing").exists()
    _no_temporaries(out)
    disk.free()
    for command in (["export", out], ["export", out, "--format", "trl"], ["report", out]):
        assert cli(*command).code == 0
