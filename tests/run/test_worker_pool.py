"""The worker pool's bookkeeping, with workers that are plain objects: each holds at most a batch,
is topped up in chunks, and a dead worker's episodes go back to the head of the queue for the
others while a replacement starts; an episode that every worker dies on is recorded, not retried
for ever; a pool whose workers keep dying gives up with the cause."""

from __future__ import annotations

import asyncio

import pytest

from simulator.core.records import Episode
from simulator.run.executors.pool import MAX_ATTEMPTS, Worker, WorkerError, WorkerPool
from simulator.run.outcome import Outcome, Played


def episode(i: int) -> Episode:
    return Episode(id=f"e{i:03d}", scenario_id="s", persona_id="p", seed=i, category="c", tool=None, language="en")


def played(e: Episode, why: str = "") -> Played:
    return Played(Outcome(id=e.id, termination="error" if why else "user_stop", error=why or None,
                          accepted=False, reasons=("lost",) if why else ("weak",)), "{}", "{}")


class FakePool(WorkerPool):
    name = "fake"

    def __init__(self, count: int, batch: int, chunk: int, launches: int | None = None) -> None:
        super().__init__(count, lost=lambda e, why: played(e, why))
        self.batch, self.chunk = batch, chunk
        self.sent: list[tuple[int, list[str]]] = []
        self.launches_left = launches  # None: every launch works

    async def start(self) -> None:
        await self._start_all(self.requested)

    async def _launch(self, index: int) -> Worker:
        if self.launches_left is not None:
            if self.launches_left == 0:
                raise WorkerError("cannot start")
            self.launches_left -= 1
        return Worker(index, f"worker-{index}", self.batch, self.chunk)

    def _send(self, worker: Worker, episodes: list[Episode]) -> None:
        self.sent.append((worker.index, [e.id for e in episodes]))

    async def _stop(self, worker: Worker) -> None:
        worker.alive = False

    def finish(self, index: int, n: int) -> None:
        worker = self.workers[index]
        self._arrived(worker, [played(e) for e in list(worker.in_flight.values())[:n]])


def test_each_worker_holds_a_batch_and_is_topped_up_in_chunks():
    async def scenario():
        pool = FakePool(2, batch=8, chunk=4)
        await pool.start()
        assert pool.room() == 16
        pool.submit([episode(i) for i in range(16)])
        assert [len(ids) for _, ids in pool.sent] == [8, 8] and pool.room() == 0
        pool.finish(0, 3)
        assert pool.room() == 0, "three free slots are less than a chunk: not worth a message"
        pool.finish(0, 1)
        assert pool.room() == 4
        pool.submit([episode(i) for i in range(16, 20)])
        assert pool.sent[-1] == (0, ["e016", "e017", "e018", "e019"])
        assert len(await pool.results()) == 4 and pool.in_flight == 16
        await pool.close()

    asyncio.run(scenario())


def test_a_dead_workers_episodes_go_to_the_others_first_and_a_replacement_starts():
    async def scenario():
        pool = FakePool(2, batch=4, chunk=1)
        await pool.start()
        pool.submit([episode(i) for i in range(8)])
        pool.finish(1, 2)  # worker 1 has room for two
        pool._died(pool.workers[0], "killed by signal 9")
        assert pool.sent[-1] == (1, ["e000", "e001"]), "the dead worker's first episodes, to the living one"
        assert list(pool.backlog) == [episode(2), episode(3)]
        await asyncio.sleep(0)  # the replacement starts
        assert pool.workers[0].alive and pool.sent[-1] == (0, ["e002", "e003"])
        assert (pool.workers_lost, pool.episodes_retried) == (1, 4)
        assert pool.in_flight == 8, "nothing lost: 2 results waiting, 6 being played again or still"
        await pool.close()

    asyncio.run(scenario())


def test_an_episode_every_worker_dies_on_is_recorded_as_lost():
    async def scenario():
        pool = FakePool(1, batch=2, chunk=1)
        await pool.start()
        pool.submit([episode(0)])
        for _ in range(MAX_ATTEMPTS):
            pool._died(pool.workers[0], "killed by signal 11")
            await asyncio.sleep(0)
        [lost] = await pool.results()
        assert lost.outcome.id == "e000" and lost.outcome.termination == "error"
        assert f"{MAX_ATTEMPTS} workers died playing it (killed by signal 11)" in lost.outcome.error
        assert pool.in_flight == 0
        await pool.close()

    asyncio.run(scenario())


def test_a_pool_whose_workers_cannot_be_replaced_gives_up_with_the_cause():
    async def scenario():
        pool = FakePool(1, batch=2, chunk=1, launches=1)
        await pool.start()
        pool.submit([episode(0)])
        pool._died(pool.workers[0], "exit code 1")
        with pytest.raises(WorkerError, match=r"a worker died \(exit code 1\) and its replacement did not start"):
            await pool.results()
        await pool.close()

    asyncio.run(scenario())
