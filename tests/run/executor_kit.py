"""What the executor tests share: a run of a pack on a given executor, and its dataset's bytes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from simulator.load.loader import load_pack
from simulator.run.executors import ExecutorOptions
from simulator.run.runner import Runner, RunOptions

ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("train", "validation", "test")
PACKS = {name: load_pack(ROOT / "scenarios" / f"{name}.yaml") for name in ("customer_support", "smart_home", "wuxia")}


def run(pack, out: Path, kind: str | None = None, workers: int | None = None, batch_size: int | None = None,
        progress=None, **options) -> Runner:
    """Run `pack` into `out` on the executor asked for; the runner (its executor and state)."""
    executor = ExecutorOptions(kind=kind, workers=workers, batch_size=batch_size)
    runner = Runner(pack, RunOptions(out=out, executor=executor, **options), progress=progress)
    runner.result = asyncio.run(runner.run())
    return runner


def dataset(out: Path) -> list[bytes]:
    """The dataset files, byte for byte: the three splits and the selection."""
    return [(out / "dataset" / f"{split}.jsonl").read_bytes() for split in SPLITS] + [(out / "selection.json").read_bytes()]


def verdict_lines(out: Path) -> list[str]:
    """Every verdict, in id order (the files' line order follows completion order)."""
    return sorted((out / "verdicts.jsonl").read_text(encoding="utf-8").splitlines())


def trace_ids(out: Path) -> list[str]:
    return [line.split('"', 4)[3] for line in (out / "traces.jsonl").read_text(encoding="utf-8").splitlines()]
