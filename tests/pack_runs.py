"""What the pack CLI tests (`tests/cli/test_cli_<pack>.py`) share: one offline `toolsim run` of a
pack, and its run directory read back as plain JSON (the traces, and the exported dataset)."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.cli import main

SPLITS = ("train", "validation", "test")


def run_pack(scenario: Path, out: Path, *options: str) -> Path:
    """`toolsim run <scenario> --out <out> --quiet [options]`, which must succeed; the run directory."""
    assert main(["run", str(scenario), "--out", str(out), "--quiet", *options]) == 0
    return out


def read_traces(run_dir: Path, *, selected_only: bool = False) -> list[dict]:
    """Every trace of the run, or with `selected_only` those that made it into the dataset."""
    traces = [json.loads(line) for line in (run_dir / "traces.jsonl").read_text(encoding="utf-8").splitlines()]
    if not selected_only:
        return traces
    selection = json.loads((run_dir / "selection.json").read_text())
    return [t for t in traces if t["id"] in selection]


def read_records(run_dir: Path) -> list[dict]:
    """The exported dataset's records, train then validation then test."""
    return [json.loads(line) for split in SPLITS
            for line in (run_dir / "dataset" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
