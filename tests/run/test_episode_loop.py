"""The loop that plays episodes raises the young garbage-collection threshold while it runs (an
episode's thousands of short-lived objects are freed by reference counting; collecting every 700
allocations walked the live ones for nothing) and gives the process its own threshold back when
the last open loop closes."""

from __future__ import annotations

import asyncio
import gc

from simulator.run.executors.playing import GC_YOUNG_THRESHOLD, EpisodeLoop


def test_the_gc_threshold_is_raised_while_loops_run_and_restored_after_the_last():
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        async def scenario() -> list[int]:
            seen = []
            first, second = (EpisodeLoop(None, 1, lambda played: None, lambda exc: None) for _ in range(2))
            first.start()
            seen.append(gc.get_threshold()[0])
            second.start()
            await first.close()
            seen.append(gc.get_threshold()[0])  # the second loop still runs
            await second.close()
            seen.append(gc.get_threshold()[0])
            await second.close()  # closing twice gives back nothing more
            seen.append(gc.get_threshold()[0])
            return seen

        assert asyncio.run(scenario()) == [GC_YOUNG_THRESHOLD, GC_YOUNG_THRESHOLD, 700, 700]
    finally:
        gc.set_threshold(*before)
