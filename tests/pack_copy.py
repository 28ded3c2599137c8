"""A copy of the shipped pack folders in a temporary directory, for tests that write their own
scenario file: a scenario file may only reference files inside its pack folder (the folder holding
`scenarios/`, `personas/` and `tool_sims/`), so a test's file goes into the copy's `scenarios/` and
names the shipped tools, prompts and personas by relative paths, as a user's pack does."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("scenarios", "personas", "tool_sims")


def pack_copy(tmp_path: Path) -> Path:
    """`tmp_path/pack` holding copies of the repository's scenarios/, personas/ and tool_sims/."""
    dest = tmp_path / "pack"
    for name in FOLDERS:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest
