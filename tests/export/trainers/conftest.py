"""Fixtures of the trainer compatibility tests (helpers and the environments: trainer_kit.py)."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import pytest
from simulator.cli import main

from trainer_kit import RUNS, unavailable


@pytest.fixture(scope="session", autouse=True)
def main_has_trainers():
    for module in ("transformers", "trl", "datasets"):
        if importlib.util.find_spec(module) is None:
            unavailable(f"{module} is not installed (pip install -e '.[trainers]')")


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The default offline customer-support and travel runs (every row of them is checked)."""
    out = tmp_path_factory.mktemp("trainer-runs")
    made = {}
    for name, scenario in RUNS.items():
        assert main(["run", str(scenario), "--out", str(out / name), "--quiet"]) == 0
        made[name] = out / name
    return made


@pytest.fixture(scope="session")
def export(runs, tmp_path_factory):
    """`export(run_name, fmt, *flags)` → the export directory (made once per arguments)."""
    base = tmp_path_factory.mktemp("trainer-exports")

    @cache
    def make(run: str, fmt: str, *flags: str) -> Path:
        out = base / "-".join((run, fmt, *(f.strip("-") for f in flags)))
        assert main(["export", str(runs[run]), "--format", fmt, "--out", str(out), *flags]) == 0
        return out

    return make


