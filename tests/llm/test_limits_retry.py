"""Start-rate limiting and the retry policy's arithmetic, without a network."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from simulator.llm.limits import CallLimits, StartRate
from simulator.llm.redact import redact
from simulator.llm.retry import (
    Backoff,
    LLMCallError,
    call_with_retries,
    retry_after_seconds,
)


@pytest.mark.slow
def test_rpm_spaces_starts():
    limits = CallLimits(concurrency=10, rpm=600)  # 10 starts per second
    starts: list[float] = []

    async def one():
        async with limits.slot():
            starts.append(time.monotonic())

    async def many():
        await asyncio.gather(*(one() for _ in range(25)))

    t0 = time.monotonic()
    asyncio.run(many())
    assert time.monotonic() - t0 >= 2.0  # 25 starts at 10/s need two full windows
    assert sum(1 for s in starts if s - t0 < 0.5) <= 10


def test_the_shared_start_rate_lets_a_seconds_worth_through_then_spaces_starts():
    """`StartRate` (one per run, asked by every worker): 600/min is 10 at once, then one per 0.1 s;
    a caller who comes back later finds the credit it left unused, never more than a second's."""
    rate = StartRate(600)
    delays = [rate.delay(100.0) for _ in range(13)]
    assert delays[:10] == [0.0] * 10
    assert delays[10:] == pytest.approx([0.1, 0.2, 0.3])
    assert rate.delay(160.0) == 0.0  # a minute later: no debt left
    assert [rate.delay(160.0) for _ in range(10)][-1] == pytest.approx(0.1)  # the burst is a second's worth
    slow = StartRate(30)  # below one a second: one start, then one every 2 s
    assert [slow.delay(0.0) for _ in range(3)] == pytest.approx([0.0, 2.0, 4.0])


class _SharedRate:
    """A pacer over one StartRate, as the runner serves its workers."""

    def __init__(self, rate: StartRate) -> None:
        self.rate = rate

    async def wait(self) -> None:
        await asyncio.sleep(self.rate.delay(time.monotonic()))


@pytest.mark.slow
def test_two_clients_paced_by_one_rate_start_no_faster_than_one():
    shared = _SharedRate(StartRate(600))
    clients = [CallLimits(concurrency=10, rpm=600, pacer=shared) for _ in range(2)]
    starts: list[float] = []

    async def one(limits):
        async with limits.slot():
            starts.append(time.monotonic())

    async def many():
        await asyncio.gather(*(one(clients[i % 2]) for i in range(25)))

    t0 = time.monotonic()
    asyncio.run(many())
    assert time.monotonic() - t0 >= 1.5  # 25 starts at 10/s after a burst of 10, together
    assert sum(1 for s in starts if s - t0 < 0.5) <= 15


def test_retry_after_header_forms():
    assert retry_after_seconds({"Retry-After": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past


def test_backoff_grows_with_jitter_and_obeys_server():
    backoff, rng = Backoff(base=1.0, cap=8.0), random.Random(1)
    delays = [backoff.delay(n, None, rng) for n in range(6)]
    assert 0.5 <= delays[0] <= 1.0 and 4.0 <= delays[5] <= 8.0
    assert backoff.delay(0, 3.0, rng) >= 3.0


def test_our_own_bugs_are_not_swallowed():
    async def buggy():
        raise KeyError("a bug, not a provider failure")

    with pytest.raises(KeyError):
        asyncio.run(call_with_retries(buggy, model="m", retries=3))


def test_connection_errors_retry_then_fail():
    attempts = []

    async def refused():
        attempts.append(1)
        raise ConnectionRefusedError("connection refused")

    with pytest.raises(LLMCallError) as caught:
        asyncio.run(call_with_retries(refused, model="m", retries=2, backoff=Backoff(base=0.001)))
    assert caught.value.kind == "connection" and len(attempts) == 3


def test_redact_masks_key_shapes_and_env_values(monkeypatch):
    monkeypatch.setenv("MY_PROVIDER_API_KEY", "plainsecretvalue42")
    text = redact("key sk-proj-abcdefgh12345 and plainsecretvalue42 and Bearer abcdefghijk")
    assert "abcdefgh12345" not in text and "plainsecretvalue42" not in text and "abcdefghijk" not in text


def test_a_2xx_with_an_unreadable_body_is_retried_as_a_server_failure():
    from simulator.llm.client import litellm_module
    from simulator.llm.retry import classify

    litellm = litellm_module()
    garbled = litellm.APIError(status_code=200, message="Expecting value: line 1 column 1",
                               llm_provider="openai", model="fake")
    failure = classify(garbled)
    assert failure.kind == "server" and failure.retryable
