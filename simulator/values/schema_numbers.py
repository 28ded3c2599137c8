"""Integers and numbers that satisfy a schema's numeric keywords and still look real.

`minimum`/`maximum`, their exclusive forms and `multipleOf` decide what is valid; the field name
decides what is plausible (`quantity` 1–5, `total` 5–500 with shop-like cents, else 1–100). The
two are reconciled here, apart from the walk over the schema in `simulator.values.schema_values`,
because getting the edge cases right (exclusive bounds on floats, float steps jsonschema rejects,
ranges that barely overlap the name's) is most of the work and easiest to read on its own.

`Unsatisfiable` lives here, in the bottom layer of the schema sim (`schema_sim` → `schema_values`
→ `schema_numbers`), so that every layer raises and catches the same class.
"""

from __future__ import annotations

import math
import random
from typing import Any

from simulator.values.fakes import fake_amount
from simulator.values.field_values import number_range_for


class Unsatisfiable(Exception):
    """No value can satisfy a (sub)schema, e.g. `false` or an empty range."""


def integer_for(schema: dict[str, Any], name: str | None, rng: random.Random) -> int:
    """An integer valid against `schema`, in the name's realistic range when the schema allows."""
    low, high = schema_range(schema, integer=True)
    lo, hi = preferred_range(low, high, name, integer=True)
    step = schema.get("multipleOf")
    if step is None:
        return rng.randint(lo, hi)
    if float(step).is_integer():
        return _integer_multiple(rng, int(step), lo, hi, low, high)
    for a, b in ((lo, hi), (low, min(high, low + 5000)) if low != -math.inf else (hi - 5000, hi)):
        matches = [v for v in range(a, b + 1) if is_multiple(v, step)]
        if matches:
            return rng.choice(matches)
    raise Unsatisfiable("no integer multiple of the step in range")


def _integer_multiple(rng: random.Random, step: int, lo: int, hi: int, low: float, high: float) -> int:
    """A multiple of `step` in the preferred range, else the one nearest to it in the schema's.
    A preferred range holding exactly one multiple is widened by a few steps (within the schema),
    upwards first and then downwards, so that different seeds still give different values."""
    first, last = math.ceil(lo / step), math.floor(hi / step)
    if first == last:
        hi = int(min(high, hi + 3 * step))
        first, last = math.ceil(lo / step), math.floor(hi / step)
    if first == last:
        lo = int(max(low, lo - 3 * step))
        first, last = math.ceil(lo / step), math.floor(hi / step)
    if first <= last:
        return rng.randint(first, last) * step
    if first * step <= high:
        return first * step
    if last * step >= low:
        return last * step
    raise Unsatisfiable("no multiple of the step in range")


def number_for(schema: dict[str, Any], name: str | None, rng: random.Random) -> float | int:
    """A number valid against `schema`: two decimals, price-like for money names (`total`)."""
    low, high = schema_range(schema, integer=False)
    lo, hi = preferred_range(low, high, name, integer=False)
    step = schema.get("multipleOf")
    if step is not None:
        wide = (max(low, lo - 1000 * step), min(high, hi + 1000 * step))
        for a, b in ((lo, hi), wide):
            first, last = math.ceil(a / step), math.floor(b / step)
            candidates = [round(k * step, 10) for k in range(first, min(last, first + 5000) + 1)]
            candidates = [c for c in candidates if low <= c <= high and is_multiple(c, step)]
            if candidates:
                return rng.choice(candidates)
        raise Unsatisfiable("no multiple of the step in range")
    hint = number_range_for(name)
    if hint is not None and hint[2] == "money" and hi - lo >= 1:
        value = fake_amount(rng, lo, hi)
    else:
        value = round(rng.uniform(lo, hi), 2)
    return value if lo <= value <= hi else (lo + hi) / 2


def schema_range(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    """The schema's inclusive range (possibly infinite), exclusive bounds moved inwards: to the
    next integer, or by a cent for numbers (by less when the range is narrower than that)."""
    low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if integer:
        if ex_low is not None:
            low = max(low, math.floor(ex_low) + 1)
        if ex_high is not None:
            high = min(high, math.ceil(ex_high) - 1)
        low = math.ceil(low) if low != -math.inf else low
        high = math.floor(high) if high != math.inf else high
    else:
        outer_low = max(low, ex_low) if ex_low is not None else low
        outer_high = min(high, ex_high) if ex_high is not None else high
        nudge = min(0.01, (outer_high - outer_low) / 4) if outer_high != math.inf and outer_low != -math.inf else 0.01
        if ex_low is not None:
            low = max(low, ex_low + nudge)
        if ex_high is not None:
            high = min(high, ex_high - nudge)
    if low > high:
        raise Unsatisfiable("empty numeric range")
    return low, high


def preferred_range(low: float, high: float, name: str | None, integer: bool) -> tuple[Any, Any]:
    """The name's realistic range (`quantity` 1–5, `total` 5–500, else 1–100) clipped to the
    schema's; the schema's own range (at most 100 wide) when the two barely overlap."""
    hint = number_range_for(name)
    want_low, want_high = (hint[0], hint[1]) if hint else (1, 100)
    lo, hi = max(low, want_low), min(high, want_high)
    if lo >= hi and low < high:
        lo = low if low != -math.inf else high - 100
        hi = high if high != math.inf else lo + 100
    if integer:
        lo, hi = math.ceil(lo), math.floor(hi)
        if lo > hi:
            raise Unsatisfiable("empty integer range")
    return lo, hi


def is_multiple(value: float, step: float) -> bool:
    """The same test jsonschema applies (float division must give an exact integer)."""
    if isinstance(step, float):
        quotient = value / step
        return int(quotient) == quotient
    return value % step == 0
