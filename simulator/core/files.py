"""Reading the files a user's input names, without trusting them.

A scenario file names other files — tools, a system prompt, personas, variants — and whatever it
names ends up in every training record. So a referenced file must be a regular file (not
`/dev/zero`, a FIFO that blocks forever, or a folder), of bounded size, valid UTF-8 (a bad byte is
reported with its line and column), and — unless the user typed the path on the command line —
inside the pack's folder: `system_prompt_file: ../../etc/passwd` must not put a password file
into a dataset.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from simulator.core.errors import InputError, Problem

MAX_TEXT_BYTES = 32 * 1024 * 1024  # a YAML file, a system prompt, a persona: far above any real one
MAX_PROMPT_BYTES = 1024 * 1024


def regular_file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as an input file, or None. Never opens it (a FIFO would block)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, expected a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a device, FIFO or socket cannot be an input)"
    return None


def read_bytes_bounded(path: Path, source: str, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; `InputError` otherwise."""
    problem = regular_file_problem(path)
    if problem:
        raise InputError.single(source, problem)
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError.single(source, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError.single(source, f"is larger than {_size(max_bytes)}; input files are limited to that")
    return data


def decode_utf8(data: bytes, source: str) -> str:
    """UTF-8 text, or `InputError` at the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start:exc.start + 1].hex().upper()
        message = f"column {column}: not UTF-8 text (byte 0x{byte}: {exc.reason}); save the file as UTF-8"
        raise InputError([Problem(source, line, message)]) from None


def read_text_bounded(path: Path, source: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    return decode_utf8(read_bytes_bounded(path, source, max_bytes), source)


def pack_root(scenario_file: Path) -> Path:
    """The folder a scenario file's references must stay in: the folder holding the scenario
    file's folder — a pack is `scenarios/`, `personas/` and `tool_sims/` side by side, and the
    default personas are `../personas` — resolved (symlinks followed)."""
    return Path(os.path.realpath(scenario_file)).parent.parent


def outside_problem(path: Path, root: Path) -> str | None:
    """Why `path` may not be referenced from a pack rooted at `root`, or None. Symlinks are
    followed, so a link inside the pack pointing out of it is refused too."""
    real = Path(os.path.realpath(path))
    if real == root or root in real.parents:
        return None
    return (f"{display(path)} is outside the pack folder {root}; a scenario file may only reference "
            "files inside it (copy the file in)")


def display(path: Path) -> str:
    """A path as messages show it: relative to the working directory when below it."""
    absolute = Path(os.path.normpath(os.path.abspath(path)))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes"
