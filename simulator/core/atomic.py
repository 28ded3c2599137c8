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
        with os.fdopen(fd, mode, **kwargs) as handle:
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
