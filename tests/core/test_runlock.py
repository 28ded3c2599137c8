"""The run directory's lock: exclusive across processes, the holder named, released when the
holder dies however it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.core.runlock import LOCK, RunBusyError, run_lock
from tests.guard_kit import HOLD

def hold_lock(directory: Path) -> subprocess.Popen:
    """Another process holding `directory`'s lock (it says so once it does)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path):
    holder = hold_lock(tmp_path)
    try:
        with pytest.raises(RunBusyError) as caught:
            with run_lock(tmp_path, "export"):
                pass
        assert f"pid {holder.pid}, toolsim run" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


def test_kill_9_releases_the_lock(tmp_path: Path):
    holder = hold_lock(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with run_lock(tmp_path, "run"):  # no stale lock: the kernel dropped it with the process
        assert (tmp_path / LOCK).read_text() == f"{os.getpid()} run\n"


def test_the_lock_is_exclusive_within_one_process_too(tmp_path: Path):
    with run_lock(tmp_path, "run"):
        with pytest.raises(RunBusyError, match=f"pid {os.getpid()}"):
            with run_lock(tmp_path, "report"):
                pass
    with run_lock(tmp_path, "report"):  # released on leaving the block
        pass


def test_released_when_the_block_raises(tmp_path: Path):
    with pytest.raises(ZeroDivisionError):
        with run_lock(tmp_path, "run"):
            1 / 0
    with run_lock(tmp_path, "run"):  # would raise RunBusyError had the lock been kept
        pass
