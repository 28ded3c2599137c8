"""The loop that plays episodes in a process: the runner's own (in process) and every worker's.

Episodes are put in a queue; `slots` coroutines take them one at a time and hand each result to
a sink as it finishes. Model episodes spend their time waiting for replies, so the slots overlap
them (the LLM client caps the requests in flight). Offline episodes never wait on anything: a
slot plays one after another without giving the event loop a turn, so every `YIELD_EVERY`
episodes it yields one, for the results to be sent and new episodes read meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from typing import Callable, Iterable

from simulator.core.records import Episode
from simulator.run.outcome import Played
from simulator.run.player import Player

YIELD_EVERY = 16
# Container allocations between two young garbage collections while episodes play (Python's
# default is 700). An episode allocates tens of thousands of short-lived objects, nearly all freed
# by reference counting; at 700 the collector ran dozens of times a run walking live ones for
# nothing (about 1% of the CPU). Restored when the last loop closes.
GC_YOUNG_THRESHOLD = 10_000
_gc_saved: list[tuple[int, ...]] = []  # the thresholds before the first open loop raised them
_gc_loops = 0


def _raise_gc_threshold() -> None:
    global _gc_loops
    if _gc_loops == 0:
        saved = gc.get_threshold()
        _gc_saved[:] = [saved]
        gc.set_threshold(max(GC_YOUNG_THRESHOLD, saved[0]), *saved[1:])
    _gc_loops += 1


def _restore_gc_threshold() -> None:
    global _gc_loops
    _gc_loops -= 1
    if _gc_loops == 0 and _gc_saved:
        gc.set_threshold(*_gc_saved.pop())


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
        self._gc_raised = False

    def start(self) -> None:
        if not self._gc_raised:
            _raise_gc_threshold()
            self._gc_raised = True
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
        if self._gc_raised:
            self._gc_raised = False
            _restore_gc_threshold()
