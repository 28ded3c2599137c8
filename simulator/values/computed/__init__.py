"""Named computations for schema-only tools whose answer is computable: `compute: NAME` on a tool
in a `tools.yaml` makes the schema sim answer with the true result (a sum, a conversion, a date)
instead of a plausible random one, while fields the computation does not fill still come from
the `returns` schema.

A computation is `fn(args, ctx) -> dict` registered with `@computation("name")` (a key set to
None removes a field the schema drew, e.g. a measure nobody asked for); `ctx` gives the
episode's today and a seeded rng (a rate table or a clock time must agree across the calls of
one episode). It raises `ComputeError` for arguments it cannot work with ("1/0", an unknown
unit) — the tool then answers with an error, as a real API would. Plugins register their own
the same way, so any pack can use them without writing a Python tool sim.

Modules: `math_tools` (arithmetic, equations, statistics), `money` (exchange rates, currency
conversion, loans), `units` (length/mass/volume, temperature, BMI, calories), `clock` (time zones,
the current time, date arithmetic) and `text` (translation, summary, spell-check and language
detection from a bilingual table of real pairs).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from simulator.core.registry import Registry


class ComputeError(Exception):
    """The arguments cannot be computed with; the message becomes the tool's error result."""


@dataclass(frozen=True)
class ComputeContext:
    today: date
    seed: int  # the episode's: tables drawn from it agree across the episode's calls
    draft: Any = None  # the value the `returns` schema gave (a computation may complete it)

    def rng(self, *salt: Any) -> random.Random:
        return random.Random(":".join(str(s) for s in (self.seed, *salt)))


Computation = Callable[[Mapping[str, Any], ComputeContext], dict[str, Any]]
COMPUTATIONS: Registry[Computation] = Registry("computation")


def computation(name: str) -> Callable[[Computation], Computation]:
    """Register `fn` as the computation `name` (for `compute: name` in a tools.yaml)."""

    def register(fn: Computation) -> Computation:
        return COMPUTATIONS.add(name, fn, fn.__module__)

    return register


def _load_builtin() -> None:
    from simulator.values.computed import clock, math_tools, money, text, units, weather  # noqa: F401


def computation_names() -> list[str]:
    _load_builtin()
    return COMPUTATIONS.names()


def compute(name: str, args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """Run the computation `name` (raises KeyError for an unknown name, ComputeError for bad input)."""
    _load_builtin()
    fn = COMPUTATIONS.get(name)
    if fn is None:
        raise KeyError(name)
    return fn(args, ctx)


__all__ = ["COMPUTATIONS", "ComputeContext", "ComputeError", "compute", "computation", "computation_names"]
