"""The run directory: `runs/<name>/`, the crash-safe files inside it, and who may touch it.

Traces and verdicts are appended one line per finished episode, each line one `write` of the
whole record, so a killed process loses at most the episode in flight. On resume a torn last line
(the kill, or a full disk, landed mid-write) is cut off before anything is read, readers skip it
while a run is still writing, and the ids already present tell the runner what to skip.

A directory is toolsim's when its `manifest.json` is a toolsim manifest; `--out` must name a new
directory, an empty one or such a run, and `--force` removes only the files toolsim writes there
(`run_files`). Commands that write hold the directory's lock (`runlock`).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from pydantic import BaseModel

from simulator.core.atomic import atomic_write, half_published
from simulator.core.errors import InputError, Problem
from simulator.core.run_files import (
    DATASET,
    MANIFEST,
    PUBLISHING,
    SELECTION,
    TRACES,
    VERDICTS,
    foreign_entries,
    is_toolsim_manifest,
    remove_owned_files,
    remove_stale_temp_files,
)
from simulator.core.runlock import RunBusyError, run_lock

__all__ = ["MANIFEST", "TRACES", "VERDICTS", "SELECTION", "JsonlAppender", "RunBusyError", "RunDir",
           "RunExistsError", "iter_jsonl", "resolve_run", "trace_id_of_line"]


class RunExistsError(Exception):
    """The directory is in the way: a finished run without `--force`, a run of other settings,
    or a directory toolsim does not own."""


def cut_torn_tail(path: Path) -> None:
    """Drop a partial final line left by a kill or a full disk mid-write."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(size - 1, 0))
        if f.read(1) == b"\n":
            return
        # Walk back to the last newline (lines are a few KB; read in chunks).
        pos = size
        while pos > 0:
            step = min(65536, pos)
            pos -= step
            f.seek(pos)
            chunk = f.read(step)
            nl = chunk.rfind(b"\n")
            if nl != -1:
                f.truncate(pos + nl + 1)
                return
        f.truncate(0)


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Every record of a JSONL file. A last line without its newline is a write in progress or
    torn by a kill: it is skipped (resume cuts it). A bad line anywhere else is damage, reported
    as `file:line`."""
    if not path.exists():
        return
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError:
                if not line.endswith(b"\n"):
                    return  # the torn tail
                raise InputError([Problem(str(path), number, "not a JSON line (the file was edited or damaged)")]) from None


_ID_PREFIX = b'{"id":"'


def trace_id_of_line(line: bytes) -> str:
    """The id of a trace line. Traces are written by pydantic with `id` first, so the id is read
    off the front without parsing the whole (kilobytes long) line; anything else is parsed."""
    if line.startswith(_ID_PREFIX):
        end = line.find(b'"', len(_ID_PREFIX))
        if end != -1 and b"\\" not in line[len(_ID_PREFIX):end]:
            return line[len(_ID_PREFIX):end].decode("utf-8")
    return json.loads(line)["id"]


def write_all(fd: int, data: bytes) -> None:
    """`os.write` until every byte is written (the one place appends reach the disk; the disk-full
    tests put a fault-injecting writer here where no small filesystem can be mounted)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def jsonl_line(record: BaseModel) -> str:
    """One record as its JSONL line (without the newline): the one serialisation of traces and
    verdicts, wherever they are played (the runner, a worker process, a Ray actor)."""
    return record.model_dump_json(exclude_none=False)


def jsonl_bytes(record: BaseModel) -> bytes:
    """`jsonl_line(record)` as the UTF-8 bytes the file holds, straight from pydantic's encoder
    (`model_dump_json` is this, decoded): a trace line is ~4 KB, mostly non-ASCII text in a
    Chinese run, and decoding it to a str only for the appender to encode it back cost ~5 us
    an episode."""
    return record.__pydantic_serializer__.to_json(record, exclude_none=False)


class JsonlAppender:
    """Append-only JSONL, one `os.write` per record (survives kill -9; fsync on close). A write
    that fails part-way (a full disk) is cut back off, so the file never keeps a torn line."""

    def __init__(self, path: Path) -> None:
        cut_torn_tail(path)
        self.path = path
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        # The file's length, kept here rather than asked of the OS before every write: the
        # appender is the file's one writer (the run directory's lock), and a failed write is cut
        # back to it.
        self._size = os.fstat(self._fd).st_size

    def write(self, record: BaseModel) -> None:
        self.write_line(jsonl_line(record))

    def write_line(self, line: str | bytes) -> None:
        """Append one line already serialised (`jsonl_line`, or `jsonl_bytes` encoded) in one write."""
        assert self._fd is not None, "write after close"
        data = (line if type(line) is bytes else line.encode("utf-8")) + b"\n"  # type: ignore[union-attr]
        size = self._size
        try:
            write_all(self._fd, data)
            self._size = size + len(data)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc  # name the file in the message
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
            raise

    def write_lines(self, lines: Sequence[str] | Sequence[bytes]) -> None:
        """Append several lines already serialised in one write (a batch of results: one system
        call instead of one per line). If that write fails (a full disk), it is cut back off and
        the lines go one at a time, so as many land whole as line-by-line writing would leave."""
        if len(lines) <= 1:
            for line in lines:
                self.write_line(line)
            return
        assert self._fd is not None, "write after close"
        data = b"\n".join([line if type(line) is bytes else line.encode("utf-8") for line in lines]) + b"\n"  # type: ignore[union-attr]
        size = self._size
        try:
            write_all(self._fd, data)
            self._size = size + len(data)
            return
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
            raise
        for line in lines:
            self.write_line(line)

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


@dataclass
class RunDir:
    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def traces_path(self) -> Path:
        return self.path / TRACES

    @property
    def verdicts_path(self) -> Path:
        return self.path / VERDICTS

    @property
    def dataset_dir(self) -> Path:
        return self.path / DATASET

    @property
    def selection_path(self) -> Path:
        return self.path / SELECTION

    def read_selection(self) -> dict[str, str]:
        """Which trace went to which split; empty before the dataset is published."""
        if not self.selection_path.exists():
            return {}
        return json.loads(self.selection_path.read_text(encoding="utf-8"))

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_text(self, name: str, text: str) -> None:
        """Write one file of the run directory atomically."""
        self.path.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.path / name) as f:
            f.write(text)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.manifest_path) as f:
            f.write(json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
            f.write("\n")

    # ------------------------------------------------------------ ownership and locking

    def check_claimable(self) -> None:
        """Raise `RunExistsError` unless this path may become (or already is) a run directory:
        a new path, an empty directory, or a toolsim run. Writes nothing."""
        if self.path.exists() and not self.path.is_dir():
            raise RunExistsError(f"{self.path} is a file, not a directory; pick another --out")
        if self.path.is_dir() and not self.is_run() and foreign_entries(self.path):
            raise RunExistsError(
                f"{self.path} is not empty and not a toolsim run; toolsim writes only into a new directory, "
                "an empty one or its own run (pick another --out; --force never clears a directory toolsim did not make)"
            )

    def is_run(self) -> bool:
        try:
            return is_toolsim_manifest(self.read_manifest())
        except (ValueError, OSError):
            return False

    @contextlib.contextmanager
    def locked(self, command: str, *, create: bool = False) -> Iterator[None]:
        """Hold the directory's lock for `command` (see `runlock`); `create` makes the directory
        first (after `check_claimable`). Under the lock nobody else is writing, so what a crashed
        command left is cleaned first: its temporary files, and a torn last line of the traces or
        verdicts."""
        if create:
            self.check_claimable()
            self.path.mkdir(parents=True, exist_ok=True)
        with run_lock(self.path, command):
            remove_stale_temp_files(self.path)
            if self.is_run():
                cut_torn_tail(self.traces_path)
                cut_torn_tail(self.verdicts_path)
            yield

    def prepare(self, *, force: bool, fingerprint: str) -> bool:
        """Make the (locked) directory ready. Returns True when resuming an unfinished run.

        A finished run is never overwritten without `force`, and then only toolsim's files go;
        an unfinished run of a *different* configuration is not silently mixed in either. On
        resume the torn tails of `traces.jsonl` and `verdicts.jsonl` are cut before anything reads
        them.
        """
        self.check_claimable()
        manifest = self.read_manifest() if self.is_run() else None
        if manifest is not None and force:
            remove_owned_files(self.path)
            manifest = None
        if manifest is None:
            self.path.mkdir(parents=True, exist_ok=True)
            return False
        if manifest.get("status") == "finished":
            raise RunExistsError(
                f"{self.path} holds a finished run; pass --force to overwrite it or --out to write elsewhere"
            )
        if manifest.get("fingerprint") != fingerprint:
            raise RunExistsError(
                f"{self.path} holds an unfinished run with different settings; pass --force to start over"
            )
        cut_torn_tail(self.traces_path)
        cut_torn_tail(self.verdicts_path)
        return True

    @property
    def publishing_marker(self) -> Path:
        return self.dataset_dir / PUBLISHING

    def dataset_half_published(self) -> bool:
        """A command was killed while renaming the dataset's files into place (see `FileSet`)."""
        return half_published(self.publishing_marker)


def resolve_run(name: str | Path) -> RunDir:
    """A run directory given as a path or as a name under runs/ (a name must stay inside runs/)."""
    candidates = [Path(name)]
    if Path(name).name == str(name) and str(name) not in (".", ".."):
        candidates.append(Path("runs") / name)
    for candidate in candidates:
        if RunDir(candidate).is_run():
            return RunDir(candidate)
    raise InputError.single(str(name), "no run here (expected a directory with manifest.json, or a name under runs/)")
