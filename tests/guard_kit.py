"""What the hardening tests share: the CLI called in-process with its output captured, a snapshot
of every file under a folder (to prove a refused command wrote nothing), and another process
holding a run directory's lock."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from simulator.cli.main import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def cli(*args: str) -> Outcome:
    """`toolsim ARGS` in this process. An exception escaping `main` fails the test: that would
    be a traceback for the user."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse rejects a flag
            code = exc.code if isinstance(exc.code, int) else 2
    return Outcome(code, out.getvalue(), err.getvalue())


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under `folder`."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            found[rel] = b"<special>"
        else:
            found[rel] = path.read_bytes() if path.is_file() else None
    return found


HOLD = """
import sys, time
from pathlib import Path
from simulator.core.runlock import run_lock
with run_lock(Path(sys.argv[1]), "run"):
    print("held", flush=True)
    time.sleep(120)
"""


@contextlib.contextmanager
def lock_held_elsewhere(directory: Path) -> Iterator[int]:
    """Another process holds `directory`'s lock for the block; yields its pid."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()
