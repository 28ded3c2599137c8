"""The default executor: episodes played on the runner's own event loop, as toolsim always did.

`episodes_at_once(--concurrency)` episodes at once: with a model, their requests overlap (the
client caps them at `--concurrency`); offline, one core plays them one after another.

With one slot (offline: the runner sees each result before it hands out the next) there is
nothing to overlap, so the episode is played right where the runner asks for results, in the
same order: handing each one to a slot coroutine and back cost two event-loop turns, two
events and their futures per episode (~3% of an offline run's CPU).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Sequence

from simulator.core import gc_tuning
from simulator.core.records import Episode
from simulator.run.executors.base import Executor
from simulator.run.executors.playing import EpisodeLoop
from simulator.run.outcome import Played
from simulator.run.player import Player


class InProcessExecutor(Executor):
    name = "inprocess"

    def __init__(self, player: Player, slots: int) -> None:
        self.capacity = slots
        self._in_flight = 0
        self._done: list[Played] = []
        self._ready = asyncio.Event()
        self._error: BaseException | None = None
        self.player = player
        self._inline: deque[Episode] | None = deque() if slots == 1 else None  # played in `results`
        self.loop = EpisodeLoop(player, slots, self._arrived, self._failed)

    async def start(self) -> None:
        if self._inline is not None:
            gc_tuning.settle()  # as `EpisodeLoop.start` does for the episodes it plays
            return
        self.loop.start()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def room(self) -> int:
        return self.capacity - self._in_flight

    def submit(self, episodes: Sequence[Episode]) -> None:
        self._in_flight += len(episodes)
        if self._inline is not None:
            self._inline.extend(episodes)
            return
        self.loop.put(episodes)

    def _arrived(self, played: Played) -> None:
        self._done.append(played)
        self._ready.set()

    def _failed(self, exc: BaseException) -> None:
        self._error = exc
        self._ready.set()

    async def results(self) -> list[Played]:
        if self._inline is not None and self._inline:
            # One event-loop turn per episode still (an offline episode never waits on anything):
            # a Ctrl-C, which cancels the run at its next turn, stops it after this episode.
            await asyncio.sleep(0)
            played = await self.player.play(self._inline.popleft())
            self._in_flight -= 1
            return [played]
        while not self._done and self._error is None:
            self._ready.clear()
            await self._ready.wait()
        if self._error is not None:
            raise self._error
        done, self._done = self._done, []
        self._in_flight -= len(done)
        return done

    async def close(self) -> None:
        await self.loop.close()

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": 1}
