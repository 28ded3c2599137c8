"""What the runner keeps about its workers, whatever they are (processes, Ray actors).

Each worker holds at most one batch of episodes in flight (`--batch-size`): the runner tops it up
as its results come back, in chunks of half a batch offline (so messages stay few) or episode by
episode with a model. So at any moment at most `workers × batch` episodes are being played:
that is how far `--max-cost` can overshoot. Episodes wait in a backlog until a worker has room.

A worker that dies (killed, out of memory, its node lost) has its unfinished episodes put back at
the head of the backlog, to be played by the others, and is replaced. An episode whose workers
died `MAX_ATTEMPTS` times is recorded as an error (it is probably what kills them) rather than
killing workers for ever; a pool whose workers keep dying gives up with the last cause.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from simulator.core.records import Episode
from simulator.run.executors.base import Executor
from simulator.run.outcome import Played

MAX_ATTEMPTS = 3  # workers that may die holding one episode before it is recorded as lost
RESTARTS_PER_WORKER = 3  # replacements a pool may start, per worker it was asked for


class WorkerError(RuntimeError):
    """The workers cannot play this run (they fail to start, or keep dying)."""


@dataclass
class Worker:
    index: int
    handle: Any  # the process, or the Ray actor
    batch: int  # episodes it holds at once
    chunk: int  # the fewest episodes worth a message
    in_flight: dict[str, Episode] = field(default_factory=dict)
    alive: bool = True

    @property
    def free(self) -> int:
        return self.batch - len(self.in_flight) if self.alive else 0


class WorkerPool(Executor):
    def __init__(self, count: int | None, lost: Callable[[Episode, str], Played]) -> None:
        self.requested = count
        self.lost = lost
        self.workers: list[Worker] = []
        self.backlog: deque[Episode] = deque()
        self.attempts: Counter[str] = Counter()
        self.done: list[Played] = []
        self.ready = asyncio.Event()
        self.error: BaseException | None = None
        self.workers_lost = 0
        self.episodes_retried = 0
        self.restarts_left = 0
        self.replacing: set[asyncio.Task] = set()
        self.closing = False  # workers stopped on purpose are not replaced

    # ------------------------------------------------------------ what a kind of worker provides

    @abstractmethod
    async def _launch(self, index: int) -> Worker:
        """Start worker `index` and wait until it is ready to play (raise `WorkerError` if not)."""

    @abstractmethod
    def _send(self, worker: Worker, episodes: list[Episode]) -> None: ...

    @abstractmethod
    async def _stop(self, worker: Worker) -> None: ...

    # ------------------------------------------------------------ the executor

    async def _start_all(self, count: int) -> None:
        self.restarts_left = RESTARTS_PER_WORKER * count
        launched = await asyncio.gather(*(self._launch(i) for i in range(count)), return_exceptions=True)
        self.workers = [w for w in launched if isinstance(w, Worker)]
        failures = [w for w in launched if isinstance(w, BaseException)]
        if failures:
            await self.close()
            raise failures[0]

    @property
    def in_flight(self) -> int:
        return sum(len(w.in_flight) for w in self.workers) + len(self.backlog) + len(self.done)

    def room(self) -> int:
        free = sum(w.free for w in self.workers if w.free >= w.chunk)
        return max(0, free - len(self.backlog))

    def submit(self, episodes: Sequence[Episode]) -> None:
        self.backlog.extend(episodes)
        self._dispatch()

    def _dispatch(self) -> None:
        for worker in sorted(self.workers, key=lambda w: len(w.in_flight)):
            if not self.backlog:
                return
            n = min(worker.free, len(self.backlog))
            if n <= 0 or n < min(worker.chunk, len(self.backlog)):
                continue
            batch = [self.backlog.popleft() for _ in range(n)]
            worker.in_flight.update((e.id, e) for e in batch)
            self._send(worker, batch)

    def _arrived(self, worker: Worker, group: list[Played]) -> None:
        for played in group:
            if worker.in_flight.pop(played.outcome.id, None) is not None:
                self.done.append(played)
        self._dispatch()
        self.ready.set()

    def _fail(self, error: BaseException) -> None:
        self.error = error
        self.ready.set()

    def _died(self, worker: Worker, why: str) -> None:
        """Put the dead worker's episodes back (or record them as lost) and start another."""
        if not worker.alive or self.closing:
            worker.alive = False
            return
        worker.alive = False
        self.workers_lost += 1
        retry = []
        for episode in worker.in_flight.values():
            self.attempts[episode.id] += 1
            if self.attempts[episode.id] >= MAX_ATTEMPTS:
                self.done.append(self.lost(episode, f"WorkerLost: {MAX_ATTEMPTS} workers died playing it ({why})"))
            else:
                retry.append(episode)
        worker.in_flight.clear()
        self.episodes_retried += len(retry)
        self.backlog.extendleft(reversed(retry))
        if self.restarts_left > 0:
            self.restarts_left -= 1
            task = asyncio.ensure_future(self._replace(worker.index, why))
            self.replacing.add(task)
            task.add_done_callback(self.replacing.discard)
        elif not any(w.alive for w in self.workers):
            self._fail(WorkerError(f"every worker died; the last: {why}"))
        self._dispatch()
        self.ready.set()

    async def _replace(self, index: int, why: str) -> None:
        try:
            worker = await self._launch(index)
        except BaseException as exc:  # noqa: BLE001 - handed to the runner
            self._fail(WorkerError(f"a worker died ({why}) and its replacement did not start: {exc}"))
            return
        self.workers = [worker if w.index == index else w for w in self.workers]
        self._dispatch()
        self.ready.set()

    async def results(self) -> list[Played]:
        while not self.done and self.error is None:
            self.ready.clear()
            await self.ready.wait()
        if self.error is not None:
            raise self.error
        done, self.done = self.done, []
        return done

    async def close(self) -> None:
        self.closing = True
        for task in list(self.replacing):
            task.cancel()
        await asyncio.gather(*self.replacing, return_exceptions=True)
        await asyncio.gather(*(self._stop(w) for w in self.workers), return_exceptions=True)

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": len(self.workers),
                "batch_size": self.workers[0].batch if self.workers else None,
                "workers_lost": self.workers_lost, "episodes_retried": self.episodes_retried}
