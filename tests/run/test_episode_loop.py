"""The loop that plays episodes settles the garbage collector as a phase of model calls does
(`core/gc_tuning.py`): an episode makes thousands of short-lived objects over a long-lived heap,
and young collections every 700 allocations walked it for nothing."""

from __future__ import annotations

import asyncio
import gc

from simulator.core import gc_tuning
from simulator.run.executors.playing import EpisodeLoop


def test_starting_a_loop_settles_the_garbage_collector():
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        async def scenario() -> int:
            loop = EpisodeLoop(None, 1, lambda played: None, lambda exc: None)
            loop.start()
            threshold = gc.get_threshold()[0]
            await loop.close()
            return threshold

        assert asyncio.run(scenario()) == gc_tuning.THRESHOLDS[0]
    finally:
        gc.set_threshold(*before)
