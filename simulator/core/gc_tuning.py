"""The garbage collector's settings for the phases that make many model calls.

Why: a run or an evaluation against a model keeps a large heap that lives until the end (the
pack, its tool sims, the run's traces, imported modules), while each call makes short-lived
objects, some in reference cycles (asyncio futures, aiohttp's request and response objects). With
CPython's default thresholds a young collection runs every 700 allocations and older ones re-scan
the long-lived heap; on a toy-model run at concurrency 128 that was ~1.3 s of the event loop's
~8 s of CPU (`bench/llm_concurrency.py`; `bench/eval_throughput.py` shows the same per item),
time every reply waiting on the loop waits through. So, once a phase of calls starts:

- everything alive at the first such phase is moved out of the collector's scans (`gc.freeze`,
  once a process): it is the long-lived set-up, and objects that die later are still freed by
  reference counting (garbage in cycles at that moment stays: a full collection first would
  cost ~0.1 s before the first request);
- young collections run every 50,000 allocations instead of 700 (garbage in cycles waits a
  little longer; it is a few MB at most), and older ones correspondingly less often.

`litellm`'s import freezes its own ~300k objects the same way (`simulator.llm.client`).
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)
_frozen = False


def settle() -> None:
    """At the start of a phase of many calls (cheap; only the first call in a process freezes)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
    if gc.get_threshold()[0] < THRESHOLDS[0]:
        gc.set_threshold(*THRESHOLDS)
