"""The run directory: `runs/<name>/` and the crash-safe files inside it.

Traces and verdicts are appended one line per finished episode and flushed at once, so a killed
process loses at most the episode in flight. On reopen a torn last line (the kill landed
mid-write) is cut off, and the ids already present tell the runner what to skip.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from simulator.core.atomic import atomic_write
from simulator.core.errors import InputError

MANIFEST = "manifest.json"
TRACES = "traces.jsonl"
VERDICTS = "verdicts.jsonl"
SELECTION = "selection.json"  # trace id -> split of the published dataset


class RunExistsError(Exception):
    """A finished run is in the way and `--force` was not given."""


def _cut_torn_tail(path: Path) -> None:
    """Drop a partial final line left by a kill mid-write."""
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
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_ID_PREFIX = b'{"id":"'


def trace_id_of_line(line: bytes) -> str:
    """The id of a trace line. Traces are written by pydantic with `id` first, so the id is read
    off the front without parsing the whole (kilobytes long) line; anything else is parsed."""
    if line.startswith(_ID_PREFIX):
        end = line.find(b'"', len(_ID_PREFIX))
        if end != -1 and b"\\" not in line[len(_ID_PREFIX):end]:
            return line[len(_ID_PREFIX):end].decode("utf-8")
    return json.loads(line)["id"]


class JsonlAppender:
    """Append-only JSONL with a flush per record (survives kill -9; fsync on close)."""

    def __init__(self, path: Path) -> None:
        _cut_torn_tail(path)
        self.path = path
        self._f = path.open("a", encoding="utf-8")

    def write(self, record: BaseModel) -> None:
        self._f.write(record.model_dump_json(exclude_none=False))
        self._f.write("\n")
        self._f.flush()

    def close(self) -> None:
        if not self._f.closed:
            self._f.flush()
            os.fsync(self._f.fileno())
            self._f.close()


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
        return self.path / "dataset"

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

    def prepare(self, *, force: bool, fingerprint: str) -> bool:
        """Make the directory ready. Returns True when resuming an unfinished run.

        A finished run is never overwritten without `force`; an unfinished run of a *different*
        configuration is not silently mixed in either.
        """
        manifest = self.read_manifest()
        if manifest is not None and force:
            shutil.rmtree(self.path)
            manifest = None
        elif manifest is None and self.path.exists() and any(self.path.iterdir()) and not force:
            raise RunExistsError(f"{self.path} exists and is not a toolsim run; pick another --out or pass --force")
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
        return True


def resolve_run(name: str | Path) -> RunDir:
    """A run directory given as a path or as a name under runs/."""
    for candidate in (Path(name), Path("runs") / name):
        if (candidate / MANIFEST).exists():
            return RunDir(candidate)
    raise InputError.single(str(name), "no run here (expected a directory with manifest.json, or a name under runs/)")
