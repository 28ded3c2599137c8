"""The files toolsim writes into a run directory, and the only ones it ever removes.

`toolsim run --force` used to `rmtree` the run directory — with `name: ".."` that was the
current directory. Now it removes exactly the files below (and an export's files, which the
export lists in `export/.written` as it writes them), then the folders it made if they are left
empty. Anything else in the directory — a note, a training config — stays.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any, Iterable

from simulator.core.runlock import LOCK

MANIFEST = "manifest.json"
PACK = "pack.json"  # the pack snapshot (simulator.spec.snapshot)
TRACES = "traces.jsonl"
VERDICTS = "verdicts.jsonl"
SELECTION = "selection.json"  # trace id -> split of the published dataset
REPORT = "report.html"
DATASET = "dataset"
EXPORT = "export"
PUBLISHING = ".publishing"  # a FileSet's marker: the files are being renamed into place
EXPORT_LEDGER = ".written"  # in export/: the files `toolsim export` and `toolsim eval` wrote in the run, relative to it

TOP_FILES = (MANIFEST, PACK, TRACES, VERDICTS, SELECTION, REPORT)
DATASET_FILES = ("train.jsonl", "validation.jsonl", "test.jsonl", "README.md", PUBLISHING)
# `atomic_write` and `FileSet` temporaries: `.<target name>.<8 random characters of mkstemp>.tmp`
TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
MANIFEST_STATUSES = ("running", "finished")


def is_toolsim_manifest(manifest: Any) -> bool:
    """A manifest toolsim wrote: a run's name and status (a web app's `manifest.json` is not a run)."""
    return (isinstance(manifest, dict) and isinstance(manifest.get("name"), str)
            and manifest.get("status") in MANIFEST_STATUSES)


def foreign_entries(directory: Path) -> list[str]:
    """What in `directory` toolsim did not put there before it was a run: anything but its lock
    and its temporary files (a new run killed before its manifest landed leaves only those)."""
    return sorted(p.name for p in directory.iterdir() if p.name != LOCK and not TEMP_FILE.match(p.name))


def remove_stale_temp_files(run: Path) -> list[Path]:
    """Remove the temporaries a crashed command left in the run directory and its dataset and
    export folders. Only called under the directory's lock: no live command is writing them."""
    folders = [run, run / DATASET]
    exports = run / EXPORT
    if exports.is_dir():
        folders += [p for p in exports.iterdir() if p.is_dir()]
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if TEMP_FILE.match(path.name) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def note_written_files(run: Path, files: Iterable[Path]) -> None:
    """Add files a command wrote inside the run directory beside its own (an export's formats,
    an eval's results) to the ledger `--force` reads."""
    ledger = run / EXPORT / EXPORT_LEDGER
    known = set(_read_ledger(ledger))
    root = run.resolve()
    for path in files:
        try:
            known.add(str(Path(path).resolve().relative_to(root)))
        except ValueError:
            continue  # written outside the run directory: not the run's to remove
    if known:
        from simulator.core.atomic import atomic_write

        ledger.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(ledger) as f:
            json.dump(sorted(known), f, indent=0)


def written_by_toolsim(run: Path, path: Path) -> bool:
    """Is `path` a file an earlier command wrote into the run directory (in the ledger)?"""
    try:
        name = str(Path(path).resolve().relative_to(run.resolve()))
    except ValueError:
        return False
    return Path(path).is_file() and name in _read_ledger(run / EXPORT / EXPORT_LEDGER)


def _read_ledger(ledger: Path) -> list[str]:
    try:
        names = json.loads(ledger.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def remove_owned_files(run: Path) -> None:
    """`--force`: remove the files toolsim wrote in `run`, then its own folders if empty. The
    manifest goes last, so a kill part-way leaves a run that `--force` can clear again."""
    root = run.resolve()
    ledger = run / EXPORT / EXPORT_LEDGER
    exported = []
    for name in _read_ledger(ledger):
        path = (run / name).resolve()
        if root in path.parents and path.parent != root:  # only inside export/, never the run's own files
            exported.append(path)
    for path in exported:
        path.unlink(missing_ok=True)
    ledger.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in exported}, key=lambda p: len(p.parts), reverse=True):
        _remove_if_empty(folder, root)
    _remove_if_empty(run / EXPORT, root)
    for name in DATASET_FILES:
        (run / DATASET / name).unlink(missing_ok=True)
    _remove_if_empty(run / DATASET, root)
    for name in TOP_FILES:
        if name != MANIFEST:
            (run / name).unlink(missing_ok=True)
    (run / MANIFEST).unlink(missing_ok=True)


def _remove_if_empty(folder: Path, root: Path) -> None:
    """rmdir a folder below the run directory if nothing is left in it (never the run itself)."""
    while folder.resolve() != root and root in folder.resolve().parents:
        with contextlib.suppress(OSError):  # not empty, or already gone
            folder.rmdir()
        if folder.exists():
            return
        folder = folder.parent
