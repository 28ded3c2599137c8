"""The loop that plays episodes in a process: the runner's own (in process) and every worker's.

Episodes are put in a queue; `slots` coroutines take them one at a time and hand each result to
a sink as it finishes. Model episodes spend their time waiting for replies, so the slots overlap
them (the LLM client caps the requests in flight). Offline episodes never wait on anything: a
slot plays one after another without giving the event loop a turn, so every `YIELD_EVERY`
episodes it yields one, for the results to be sent and new episodes read meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Callable, Iterable

from simulator.core import gc_tuning
from simulator.core.records import Episode
from simulator.run.outcome import Played
from simulator.run.player import Player

YIELD_EVERY = 16


class EpisodeLoop:
    def __init__(self, player: Player, slots: int, sink: Callable[[Played], None],
                 on_error: Callable[[BaseException], None]) -> None:
        self.player = player
        self.slots = slots
        self.sink = sink
        self.on_error = on_error  # a bug, not an episode's failure (those are recorded on the trace)
        self.queue: deque[Episode] = deque()
        self.more = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    def start(self) -> None:
        # Playing is a phase of many short-lived objects over a long-lived heap (the pack, its
        # sims, the run's state): the collector is settled as for model calls (core/gc_tuning.py).
        # Offline, young collections every 700 allocations were ~1.4% of the CPU.
        gc_tuning.settle()
        self.tasks = [asyncio.ensure_future(self._slot()) for _ in range(self.slots)]

    def put(self, episodes: Iterable[Episode]) -> None:
        self.queue.extend(episodes)
        self.more.set()

    async def _slot(self) -> None:
        played = 0
        try:
            while True:
                if not self.queue:
                    self.more.clear()
                    await self.more.wait()
                    continue
                self.sink(await self.player.play(self.queue.popleft()))
                played += 1
                if played % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - handed to whoever runs the loop
            self.on_error(exc)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []
