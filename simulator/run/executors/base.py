"""The executor interface, what a worker is told, and how the runner's options pick an executor."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from simulator.core.records import Episode
from simulator.run.outcome import Played
from simulator.simulate.agents.factory import AgentSettings
from simulator.spec.pack import Pack

KINDS = ("inprocess", "processes", "ray")
OFFLINE_BATCH = 64  # episodes a worker holds at once offline: enough to amortise the messages

# What to record for an episode no worker could finish: (episode, why) -> its result.
LostHook = Callable[[Episode, str], Played]


def episodes_at_once(concurrency: int) -> int:
    """Episodes played at once for `--concurrency` requests in flight: a quarter more, so that
    while some episodes are between two calls (their agents, tools and judge at work, or waiting
    for the event loop) others hold those requests' slots. The client never lets more than
    `concurrency` requests out (`CallLimits`); offline episodes never wait, so the number is moot."""
    return max(1, concurrency + concurrency // 4)


def split(total: int, parts: int) -> list[int]:
    """`total` shared out as evenly as whole numbers allow (each part at least 1)."""
    return [max(1, total // parts + (1 if i < total % parts else 0)) for i in range(parts)]


@dataclass
class ExecutorOptions:
    """`--executor`, `--workers`, `--batch-size`, `--ray-address`."""

    kind: str | None = None  # None: ray with an address, processes with workers > 1, else inprocess
    workers: int | None = None  # None: 1 in process; the CPUs of this machine / the Ray cluster
    batch_size: int | None = None  # episodes a worker holds at once (None: see `batch_for`)
    ray_address: str | None = None

    def resolved_kind(self) -> str:
        if self.kind is not None:
            return self.kind
        if self.ray_address is not None:
            return "ray"
        return "processes" if (self.workers or 1) > 1 else "inprocess"


def batch_for(options: ExecutorOptions, concurrency: int, offline: bool) -> int:
    """A worker's batch: what it needs to keep its share of `--concurrency` requests in flight
    (model runs), or enough offline episodes that sending them costs little next to playing them."""
    if options.batch_size is not None:
        return options.batch_size
    return OFFLINE_BATCH if offline else episodes_at_once(concurrency)


def pack_digest(pack: Pack) -> str:
    """What a worker's copy of the pack must match: everything the run's `pack.json` holds but
    where it was read from (a path shown relative to the working directory)."""
    from simulator.spec.snapshot import PackSnapshot

    content = PackSnapshot.of(pack).model_dump(mode="json", exclude={"scenario_file", "tools_source"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its `Player`: it loads the scenario file itself (Python tool
    sims cannot be shipped as data) and checks that it read the pack the runner read."""

    scenario_file: str  # absolute
    digest: str
    agents: AgentSettings
    concurrency: int  # this worker's share of --concurrency
    batch: int  # episodes it holds at once
    cache_path: str | None  # on the worker's own machine
    paced: bool  # --rpm given: every start asks the run's one StartRate
    plugins: bool  # the runner loaded the `toolsim` entry points: load them too


class Executor(ABC):
    """Plays what the runner submits; hands back results as they finish, in any order."""

    name: str = ""

    async def start(self) -> None:
        """Get ready (start workers); raises if they cannot play this pack."""

    @property
    @abstractmethod
    def in_flight(self) -> int:
        """Episodes submitted and not yet handed back."""

    @abstractmethod
    def room(self) -> int:
        """How many more episodes it would take now."""

    @abstractmethod
    def submit(self, episodes: Sequence[Episode]) -> None: ...

    @abstractmethod
    async def results(self) -> list[Played]:
        """Wait for at least one result (only called while something is in flight)."""

    async def close(self) -> None:
        """Stop the workers (also after an error or an interruption)."""

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name}
