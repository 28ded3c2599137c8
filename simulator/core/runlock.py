"""One command at a time per run directory: an exclusive `flock` on `RUN/.lock`.

Two `toolsim run` on one directory used to both append to `traces.jsonl` (2,056 lines for 1,031
ids), and an export racing a run could publish a dataset from half the traces. Every command that
writes into a run directory — run, export, audit overrides, report — holds this lock for its whole
length. The kernel releases an `flock` when its process ends however it ends (`kill -9`
included), so a crash never leaves a stale lock behind; the file itself stays and only says who
held it last. A second command does not wait: it exits 2 naming the holder's pid.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

LOCK = ".lock"

try:  # POSIX; elsewhere commands run unlocked (toolsim is developed and tested on Linux)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


class RunBusyError(Exception):
    """Another toolsim command holds the run directory's lock."""


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").split()
    except OSError:
        text = []
    if len(text) >= 2 and text[0].isdigit():
        return f"pid {text[0]}, toolsim {' '.join(text[1:])}"
    return "its pid is not written yet"


@contextlib.contextmanager
def run_lock(directory: Path, command: str) -> Iterator[None]:
    """Hold the lock of `directory` (which must exist) while the block runs; `RunBusyError` at
    once when another process holds it."""
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunBusyError(
                    f"{directory}: in use by another toolsim command ({_holder(fd)}); "
                    "wait for it to finish, or stop it, then rerun"
                ) from None
        with contextlib.suppress(OSError):  # the pid is a courtesy; a full disk must not stop the command
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
