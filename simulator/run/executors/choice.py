"""Which executor a run's options ask for, built with what its workers need to know."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from simulator.run.executors.base import (
    KINDS, Executor, ExecutorOptions, LostHook, WorkerSpec, batch_for, episodes_at_once, pack_digest,
)
from simulator.simulate.agents.factory import AgentSettings
from simulator.spec.pack import Pack


def make_executor(options: ExecutorOptions, pack: Pack, *, agents: AgentSettings, concurrency: int,
                  rpm: float | None, cache_path: Path | None, local: Callable[[], Any], lost: LostHook) -> Executor:
    """The executor the options ask for. `local()` gives the runner's own `Player` (in process);
    `lost` records an episode whose every worker died."""
    kind = options.resolved_kind()
    if kind == "inprocess":
        from simulator.run.executors.inprocess import InProcessExecutor

        # Offline, one episode at a time, as toolsim always played them: nothing to overlap, and
        # the runner sees each result before it hands out the next (a crashing scenario or a
        # budget stops the run at once, not a batch later).
        offline = agents.is_offline()
        return InProcessExecutor(local(), 1 if offline else episodes_at_once(concurrency))
    from simulator.core.registry import plugins_loaded

    offline = agents.is_offline()

    def spec(share: int) -> WorkerSpec:
        return WorkerSpec(scenario_file=str(Path(pack.path).resolve()), digest=pack_digest(pack), agents=agents,
                          concurrency=share, batch=batch_for(options, share, offline),
                          cache_path=str(cache_path) if cache_path is not None else None,
                          paced=rpm is not None, plugins=plugins_loaded())

    if kind == "processes":
        from simulator.run.executors.processes import ProcessExecutor

        return ProcessExecutor(pack, spec, options.workers, concurrency=concurrency, rpm=rpm, lost=lost)
    if kind == "ray":
        from simulator.run.executors.ray_actors import RayExecutor

        return RayExecutor(spec, options.workers, concurrency=concurrency, rpm=rpm, lost=lost,
                           address=options.ray_address)
    raise ValueError(f"unknown executor {kind!r} (one of {', '.join(KINDS)})")
