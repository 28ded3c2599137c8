"""Retrying model calls: exponential backoff with jitter on transient failures.

Transient = rate limits (429), server errors (5xx), timeouts and broken connections. A server
that says how long to wait (`Retry-After`, `retry-after-ms`) is obeyed: waiting less would only
earn another 429. Anything else (bad request, auth, unknown model) fails at once, because
retrying cannot fix it.

A call that fails for good raises `LLMCallError`, whose message is redacted and short; the
runner records it as the episode's error (termination "error") and carries on. Exceptions that
do not come from the provider stack are bugs of ours and propagate unchanged.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Literal, Mapping, TypeVar

from simulator.llm.redact import redact

log = logging.getLogger("simulator.llm")
T = TypeVar("T")
FailureKind = Literal["rate_limit", "server", "timeout", "connection", "client", "auth"]
_PROVIDER_MODULES = ("litellm", "openai", "anthropic", "httpx", "aiohttp")


class LLMCallError(Exception):
    """A model call that failed for good. `kind` says why; the message never contains a key."""

    def __init__(self, message: str, *, model: str, kind: FailureKind, status: int | None = None, attempts: int = 1):
        self.model = model
        self.kind = kind
        self.status = status
        self.attempts = attempts
        super().__init__(redact(f"{model}: {kind} after {attempts} attempt(s): {message}"))


class ProviderError(Exception):
    """A failed call on a transport of our own (`openai_http`): an HTTP status (with its headers,
    for `Retry-After`) or a broken connection, classified like litellm's errors."""

    def __init__(self, message: str, *, status: int | None = None, headers: Mapping[str, str] | None = None,
                 connection: bool = False) -> None:
        super().__init__(message)
        self.status_code = status
        self.headers = headers or {}
        self.connection = connection


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    retryable: bool
    status: int | None
    retry_after: float | None
    message: str


def _headers_of(exc: BaseException) -> Mapping[str, str]:
    for attr in ("litellm_response_headers", "headers"):
        headers = getattr(exc, attr, None)
        if headers:
            return headers
    response = getattr(exc, "response", None)
    return getattr(response, "headers", None) or {}


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait according to `retry-after-ms` or `Retry-After` (seconds or HTTP date)."""
    lowered = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify(exc: BaseException) -> Failure | None:
    """What kind of provider failure `exc` is, or None when it is not one (a bug: re-raise)."""
    module = type(exc).__module__.split(".")[0]
    name = type(exc).__name__
    is_timeout = isinstance(exc, (TimeoutError, asyncio.TimeoutError)) or "Timeout" in name
    is_provider = (module in _PROVIDER_MODULES or is_timeout or isinstance(exc, (ConnectionError, ProviderError)))
    if not is_provider:
        return None
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    message = str(exc) or name
    retry_after = retry_after_seconds(_headers_of(exc))
    if is_timeout or status == 408:
        return Failure("timeout", True, status, retry_after, message)
    if "Connection" in name or isinstance(exc, ConnectionError) or getattr(exc, "connection", False) is True:
        return Failure("connection", True, status, retry_after, message)
    if status == 429:
        return Failure("rate_limit", True, status, retry_after, message)
    if status is not None and (status >= 500 or 200 <= status < 300):
        # A 2xx whose body could not be read (truncated or garbage JSON) is the server's fault,
        # and usually passes on a second try.
        return Failure("server", True, status, retry_after, message)
    if status in (401, 403):
        return Failure("auth", False, status, None, message)
    return Failure("client", False, status, None, message)


@dataclass(frozen=True)
class Backoff:
    """Delay before retry number `attempt` (0-based): `base * 2**attempt`, capped, with "equal
    jitter" (half fixed, half random) so a crowd of failed calls does not return in lockstep."""

    base: float = 1.0
    cap: float = 60.0
    retry_after_cap: float = 300.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        if retry_after is not None:
            # The server's word is a floor; a little jitter on top spreads the herd.
            return min(retry_after, self.retry_after_cap) + rng.uniform(0, 0.1 * self.base)
        exp = min(self.cap, self.base * (2**attempt))
        return exp / 2 + rng.uniform(0, exp / 2)


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    model: str,
    retries: int,
    backoff: Backoff = Backoff(),
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> T:
    """Run `attempt` until it succeeds, a non-retryable failure occurs, or retries run out."""
    rng = rng or random.Random()
    for number in range(retries + 1):
        try:
            return await attempt()
        except Exception as exc:  # noqa: BLE001 - classified below; bugs are re-raised
            failure = classify(exc)
            if failure is None:
                raise
            if not failure.retryable or number == retries:
                raise LLMCallError(
                    failure.message, model=model, kind=failure.kind, status=failure.status, attempts=number + 1
                ) from None
            wait = backoff.delay(number, failure.retry_after, rng)
            log.warning("%s", redact(f"{model}: {failure.kind} ({failure.status}); retry {number + 1}/{retries} in {wait:.2f}s"))
            await sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
