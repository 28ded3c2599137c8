"""How many model calls run at once (`--concurrency`) and how often they start (`--rpm`).

`asyncio_throttle.Throttler` only limits how often calls *start*: with slow responses, a start
rate alone lets hundreds of calls pile up in flight. So a semaphore caps calls in flight, and
the throttle spaces out their starts. The throttle window is about a second (not the whole
minute), so `--rpm 600` means ~10 starts per second rather than 600 at once then a minute idle.

With several workers (processes or Ray actors) `--rpm` is the whole run's: each worker's limits
take a `pacer` instead of their own throttle, which asks one `StartRate` held by the runner (or
a Ray actor) when the next call may start. `StartRate` spaces starts the same way (a second's
worth at once at most, then one every 60/rpm s), as a virtual schedule any process can ask.
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

from asyncio_throttle import Throttler


class Pacer(Protocol):
    """Waits until the shared rate lets one more call start."""

    async def wait(self) -> None: ...


class StartRate:
    """At most `rpm` starts a minute, a second's worth at once at most (the generic cell-rate
    algorithm: one virtual start time, moved on by 60/rpm s a start). `delay` says how long the
    caller must wait before its start; it is plain arithmetic, so one instance in one process can
    pace every worker of a run."""

    def __init__(self, rpm: float) -> None:
        if rpm <= 0:
            raise ValueError("rpm must be positive")
        self.interval = 60.0 / rpm
        self.slack = (max(1, math.floor(rpm / 60)) - 1) * self.interval  # the burst beyond one start
        self.next = -math.inf

    def delay(self, now: float) -> float:
        start = max(self.next, now)
        self.next = start + self.interval
        return max(0.0, start - now - self.slack)


class CallLimits:
    def __init__(self, concurrency: int = 8, rpm: float | None = None, pacer: Pacer | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if rpm is not None and rpm <= 0:
            raise ValueError("rpm must be positive")
        self.concurrency = concurrency
        self.rpm = rpm
        self._semaphore = asyncio.Semaphore(concurrency)
        self._pacer = pacer
        self._throttler = None if pacer is not None else self._make_throttler(rpm)
        self.in_flight = 0
        self.peak_in_flight = 0

    @staticmethod
    def _make_throttler(rpm: float | None) -> Throttler | None:
        if rpm is None:
            return None
        per_second = rpm / 60
        starts = max(1, math.floor(per_second))  # starts allowed per window
        return Throttler(rate_limit=starts, period=starts / per_second)

    def slot(self) -> _Slot:
        """Hold one concurrency slot for the duration of a call, started within the rate:
        `async with limits.slot(): ...` (a plain object, not a generator: it is entered per call)."""
        return _Slot(self)


class _Slot:
    __slots__ = ("limits",)

    def __init__(self, limits: CallLimits) -> None:
        self.limits = limits

    async def __aenter__(self) -> None:
        limits = self.limits
        await limits._semaphore.acquire()
        try:
            if limits._pacer is not None:
                await limits._pacer.wait()
            elif limits._throttler is not None:
                await limits._throttler.acquire()
        except BaseException:
            limits._semaphore.release()
            raise
        limits.in_flight += 1
        if limits.in_flight > limits.peak_in_flight:
            limits.peak_in_flight = limits.in_flight

    async def __aexit__(self, *exc: object) -> None:
        limits = self.limits
        limits.in_flight -= 1
        limits._semaphore.release()
