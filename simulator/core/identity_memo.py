"""`by_identity`: memoise a function of an object by the object's identity.

Why: much of a run's set-up is derived from objects that live as long as the pack — a parameter
schema, a scenario, a domain's phrase tables — and is asked for once per call, turn or episode.
Those objects are dicts or pydantic models: unhashable, or costly to hash and compare, so
`functools.lru_cache` does not fit. The memo keys on `id(obj)` (plus the other arguments) and
keeps `obj` itself, so the id cannot be reused by another object while its entry lives; when it
is full it is emptied (what a run uses is far below any limit here).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def by_identity(limit: int) -> Callable[[F], F]:
    """Decorate `compute(obj, *rest)` (`rest` hashable): one answer per `obj` object and `rest`."""

    def wrap(compute: F) -> F:
        memo: dict[tuple[Any, ...], tuple[Any, Any]] = {}

        @functools.wraps(compute)
        def remembered(obj: Any, *rest: Any) -> Any:
            key = (id(obj), *rest)
            hit = memo.get(key)
            if hit is not None and hit[0] is obj:
                return hit[1]
            answer = compute(obj, *rest)
            if len(memo) >= limit:
                memo.clear()
            memo[key] = (obj, answer)
            return answer

        remembered.cache_clear = memo.clear  # type: ignore[attr-defined]
        return remembered  # type: ignore[return-value]

    return wrap
