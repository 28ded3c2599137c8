"""`run_pack`: `toolsim run` as a function, for notebooks and scripts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from simulator.run.runner import Runner, RunOptions
from simulator.run.state import RunResult
from simulator.spec.pack import Pack


def run_pack(pack: Pack | str | Path, out: str | Path | None = None, **options: Any) -> RunResult:
    """Run a pack (or a scenario file) end to end, as `toolsim run` does, and return its result.
    `options` are `RunOptions` fields (`n`, `seed`, `force`, `concurrency`, `agents`, ...);
    `out` defaults to `runs/<name>`."""
    if not isinstance(pack, Pack):
        from simulator.load import load_pack

        pack = load_pack(pack)
    run_options = RunOptions(out=Path(out) if out is not None else Path("runs") / pack.name, **options)
    return asyncio.run(Runner(pack, run_options).run())
