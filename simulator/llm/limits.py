"""How many model calls run at once (`--concurrency`) and how often they start (`--rpm`).

`asyncio_throttle.Throttler` only limits how often calls *start*: with slow responses, a start
rate alone lets hundreds of calls pile up in flight. So a semaphore caps calls in flight, and
the throttle spaces out their starts. The throttle window is about a second (not the whole
minute), so `--rpm 600` means ~10 starts per second rather than 600 at once then a minute idle.
"""

from __future__ import annotations

import asyncio
import math
from contextlib import asynccontextmanager
from typing import AsyncIterator

from asyncio_throttle import Throttler


class CallLimits:
    def __init__(self, concurrency: int = 8, rpm: float | None = None) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if rpm is not None and rpm <= 0:
            raise ValueError("rpm must be positive")
        self.concurrency = concurrency
        self.rpm = rpm
        self._semaphore = asyncio.Semaphore(concurrency)
        self._throttler = self._make_throttler(rpm)
        self.in_flight = 0
        self.peak_in_flight = 0

    @staticmethod
    def _make_throttler(rpm: float | None) -> Throttler | None:
        if rpm is None:
            return None
        per_second = rpm / 60
        starts = max(1, math.floor(per_second))  # starts allowed per window
        return Throttler(rate_limit=starts, period=starts / per_second)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one concurrency slot for the duration of a call, started within the rate."""
        async with self._semaphore:
            if self._throttler is not None:
                await self._throttler.acquire()
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1
