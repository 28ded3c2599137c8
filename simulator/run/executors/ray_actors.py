"""`--executor ray [--ray-address ADDR]`: episodes played by Ray actors, on one machine or a cluster.

Each actor loads the pack from the scenario file (the same path must hold the same pack on every
node: a shared filesystem or the same checkout; it checks the pack is the runner's) and builds
its LLM client once, with its share of `--concurrency` and the response cache of the machine it
runs on. The runner sends an actor episodes (`put`) and long-polls its results (`results`), which
come back as they finish; the bookkeeping — a batch in flight per actor, a dead actor's episodes
played again on another, a replacement started — is the worker pool's (`pool.py`). `--rpm` is
the run's: one small `RatePacer` actor spaces every call's start.

Without `--ray-address` the runner starts a local Ray (every core of this machine) and stops it
at the end; with one (`auto` for the cluster `ray start --head` started), it joins that cluster
and leaves it running. An already initialised Ray (a notebook, the tests) is used as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from typing import Any, Callable

from simulator.core.errors import InputError
from simulator.core.records import Episode
from simulator.llm.limits import StartRate
from simulator.run.executors.base import WorkerSpec, split
from simulator.run.executors.playing import EpisodeLoop
from simulator.run.executors.pool import Worker, WorkerError, WorkerPool
from simulator.run.executors.worker import build_player, describe_error, sign, slots_for
from simulator.run.outcome import Played

PLACEMENT_NOTICE = 30  # seconds between notices while Ray cannot place a worker


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError.single("--executor ray", "Ray is not installed: pip install -e '.[ray]'") from None
    return ray


class EpisodeActor:
    """One Ray actor (`ray.remote` is applied when the executor starts, so importing this module
    does not need Ray)."""

    def __init__(self, spec: WorkerSpec, pacer: Any = None) -> None:
        self.spec = spec
        self.pacer = pacer
        self.done: list[Played] = []
        self.error: str | None = None
        self.ready: asyncio.Event | None = None
        self.loop: EpisodeLoop | None = None

    async def start(self) -> str:
        self.ready = asyncio.Event()
        try:
            player = build_player(self.spec, pacer=ActorPacer(self.pacer) if self.pacer is not None else None)
        except Exception as exc:  # noqa: BLE001 - the runner reports it
            raise WorkerError(describe_error(exc)) from None
        self.loop = EpisodeLoop(player, slots_for(self.spec), self._arrived, self._failed)
        self.loop.start()
        return f"{socket.gethostname()} pid {os.getpid()}"

    def _arrived(self, played: Played) -> None:
        self.done.append(played)
        assert self.ready is not None
        self.ready.set()

    def _failed(self, exc: BaseException) -> None:
        import traceback

        self.error = "".join(traceback.format_exception(exc)).rstrip()
        assert self.ready is not None
        self.ready.set()

    async def put(self, lines: list[str]) -> None:
        assert self.loop is not None
        self.loop.put(Episode.model_validate_json(line) for line in lines)

    async def results(self) -> list[Played]:
        """Wait for results; hand back all that finished (signed here, not in the runner)."""
        assert self.ready is not None
        while not self.done and self.error is None:
            self.ready.clear()
            await self.ready.wait()
        if self.error is not None:
            raise WorkerError(self.error)
        done, self.done = self.done, []
        return sign(done)


class RatePacer:
    """The run's one `StartRate`, as an actor every worker asks before a call starts."""

    def __init__(self, rpm: float) -> None:
        self.rate = StartRate(rpm)

    async def wait(self) -> None:
        await asyncio.sleep(self.rate.delay(time.monotonic()))


class ActorPacer:
    def __init__(self, handle: Any) -> None:
        self.handle = handle

    async def wait(self) -> None:
        await self.handle.wait.remote()


class RayExecutor(WorkerPool):
    name = "ray"

    def __init__(self, spec: Callable[[int], WorkerSpec], count: int | None, *, concurrency: int,
                 rpm: float | None, lost: Callable[[Episode, str], Played], address: str | None) -> None:
        super().__init__(count, lost)
        self.spec_for = spec
        self.concurrency = concurrency
        self.rpm = rpm
        self.address = address
        self.ray: Any = None
        self.started_ray = False
        self.pacer: Any = None
        self.polls: dict[int, asyncio.Task] = {}
        self.shares: list[int] = []
        self.cpus_each = 1.0

    async def start(self) -> None:
        ray = self.ray = import_ray()
        if not ray.is_initialized():
            try:
                ray.init(address=self.address, include_dashboard=False, logging_level="WARNING")
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise InputError.single("--ray-address", f"cannot reach Ray at {self.address}: {exc}") from None
            self.started_ray = True
        cpus = float(ray.cluster_resources().get("CPU", 1))
        count = self.requested or max(1, int(cpus))
        self.shares = split(self.concurrency, count)
        self.cpus_each = min(1.0, cpus / count)  # so that every actor asked for fits the cluster
        if self.rpm is not None:
            self.pacer = ray.remote(RatePacer).options(num_cpus=0).remote(self.rpm)
        self.actor_class = ray.remote(EpisodeActor)
        await self._start_all(count)

    async def _launch(self, index: int) -> Worker:
        spec = self.spec_for(self.shares[index % len(self.shares)])
        actor = self.actor_class.options(num_cpus=self.cpus_each).remote(spec, self.pacer)
        try:
            await self._placed(actor, index)
        except self.ray.exceptions.RayError as exc:
            self.ray.kill(actor)
            raise WorkerError(f"Ray actor {index} cannot play this run: {_cause(exc)}") from None
        offline = spec.agents.is_offline()
        worker = Worker(index, actor, spec.batch, chunk=max(1, spec.batch // 2) if offline else 1)
        self.polls[index] = asyncio.ensure_future(self._poll(worker))
        return worker

    async def _placed(self, actor: Any, index: int) -> None:
        """Wait for the actor to start, saying so when Ray cannot place it yet (a cluster whose
        CPUs are taken: by another job, or by a killed run's actors Ray has not reclaimed)."""

        async def started() -> None:
            await actor.start.remote()

        starting = asyncio.ensure_future(started())
        waited = 0
        while True:
            done, _ = await asyncio.wait({starting}, timeout=PLACEMENT_NOTICE)
            if done:
                return starting.result()
            waited += PLACEMENT_NOTICE
            free = self.ray.available_resources().get("CPU", 0)
            print(f"toolsim: Ray has not started worker {index} in {waited} s: it needs {self.cpus_each:g} CPU "
                  f"and the cluster has {free:g} free", file=sys.stderr)

    def _send(self, worker: Worker, episodes: list[Episode]) -> None:
        worker.handle.put.remote([e.model_dump_json() for e in episodes])

    async def _poll(self, worker: Worker) -> None:
        errors = self.ray.exceptions
        while True:
            try:
                group = await worker.handle.results.remote()
            except errors.RayActorError as exc:
                self._died(worker, f"Ray actor {worker.index} died: {_cause(exc)}")
                return
            except errors.RayTaskError as exc:
                self._fail(WorkerError(f"Ray actor {worker.index} failed: {_cause(exc)}"))
                return
            self._arrived(worker, group)

    async def _stop(self, worker: Worker) -> None:
        task = self.polls.pop(worker.index, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(Exception):
            self.ray.kill(worker.handle, no_restart=True)

    async def close(self) -> None:
        await super().close()
        if self.ray is None:
            return
        if self.pacer is not None:
            with contextlib.suppress(Exception):
                self.ray.kill(self.pacer)
            self.pacer = None
        if self.started_ray:
            self.started_ray = False  # closing twice (the runner's safety net) shuts down once
            self.ray.shutdown()


def _cause(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
