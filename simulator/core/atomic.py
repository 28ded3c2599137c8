"""Write files so a crash never leaves a half-written one.

The data goes to a temporary file in the same directory (so the final rename stays on one
filesystem and is atomic), is flushed and fsynced, and only then replaces the target with
`os.replace`. If the writer raises, the temporary file is removed and the target is untouched:
readers see the old complete file or the new complete file, never a torn one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

DEFAULT_MODE = 0o644


def open_fd(fd: int, mode: str, **kwargs: Any) -> IO[Any]:
    """`os.fdopen`: the one place whole-file writes open their temporary (the disk-full tests put
    a fault-injecting file here where no small filesystem can be mounted)."""
    return os.fdopen(fd, mode, **kwargs)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """`with atomic_write(path) as f: f.write(...)` — the file appears complete or not at all.

    The new file keeps the permissions of the file it replaces (0644 for a new one), because
    `tempfile` creates private 0600 files that would otherwise surprise whoever reads the dataset.
    """
    if mode not in ("w", "wb"):
        raise ValueError("atomic_write supports mode 'w' or 'wb'")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        kwargs = {"encoding": encoding, "newline": ""} if mode == "w" else {}
        with open_fd(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        try:
            permissions = target.stat().st_mode & 0o777
        except FileNotFoundError:
            permissions = DEFAULT_MODE
        os.chmod(tmp, permissions)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def write_jsonl(path: str | os.PathLike[str], records: Iterable[Any]) -> int:
    """Write one JSON object per line (UTF-8, non-ASCII kept as is), atomically; returns the count.
    `records` may be a generator, so a large export streams instead of building a list."""
    count = 0
    with atomic_write(path) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")
            count += 1
    return count


class FileSet:
    """Several files that are published together: `train.jsonl` of a new dataset never sits
    beside the `validation.jsonl` of the old one.

    Each file is written to a temporary name beside its target and fsynced; `commit` then writes
    a marker naming the targets, renames every file into place and removes the marker. A kill
    between the first rename and the marker's removal leaves the marker behind, so readers can
    tell the set is half-published and the command that wrote it redoes it (`half_published`).
    A set that fails before `commit` leaves its targets untouched. Use as a context manager:
    committed when the block ends normally, abandoned when it raises.
    """

    def __init__(self, marker: Path) -> None:
        self.marker = marker
        self._pending: list[tuple[Path, Path, IO[Any]]] = []  # temporary, target, handle

    def open(self, target: Path, mode: str = "w", encoding: str | None = "utf-8") -> IO[Any]:
        if mode not in ("w", "wb"):
            raise ValueError("FileSet supports mode 'w' or 'wb'")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        kwargs = {"encoding": encoding, "newline": ""} if mode == "w" else {}
        try:
            handle = open_fd(fd, mode, **kwargs)
        except BaseException:
            os.close(fd)
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self._pending.append((Path(tmp_name), target, handle))
        return handle

    def commit(self) -> None:
        try:
            for tmp, target, handle in self._pending:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                try:
                    permissions = target.stat().st_mode & 0o777
                except FileNotFoundError:
                    permissions = DEFAULT_MODE
                os.chmod(tmp, permissions)
            with atomic_write(self.marker) as f:
                json.dump(sorted(str(target) for _, target, _ in self._pending), f)
        except BaseException:
            self.abort()
            raise
        for tmp, target, _ in self._pending:
            os.replace(tmp, target)
        for directory in {target.parent for _, target, _ in self._pending}:
            _fsync_directory(directory)
        self._pending = []
        self.marker.unlink()
        _fsync_directory(self.marker.parent)

    def abort(self) -> None:
        for tmp, _, handle in self._pending:
            with contextlib.suppress(OSError):
                handle.close()
            tmp.unlink(missing_ok=True)
        self._pending = []

    def __enter__(self) -> "FileSet":
        return self

    def __exit__(self, kind: Any, error: Any, tb: Any) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def half_published(marker: Path) -> bool:
    """True when a `FileSet` with this marker was killed while renaming its files into place."""
    return marker.exists()
