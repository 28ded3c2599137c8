"""One offline run per shipped pack, shared by every CLI test of the session that reads it (the
pack's own test file and the parametrised `test_cli_packs.py`), so each pack runs once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pack_runs import run_pack

ROOT = Path(__file__).resolve().parents[2]
PACKS = ("customer_support", "travel", "office", "wuxia", "generalist", "smart_home")


@pytest.fixture(scope="session")
def pack_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """`pack_run(name)`: the run directory of `toolsim run scenarios/<name>.yaml` with the pack's
    default settings (made on first use; treat it as read-only)."""
    runs: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in runs:
            runs[name] = run_pack(ROOT / "scenarios" / f"{name}.yaml", tmp_path_factory.mktemp(name) / "run")
        return runs[name]

    return get
