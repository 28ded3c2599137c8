"""The generic simulator behind schema-only tools (`tools.yaml`): realistic values from a schema.

`simulate(spec, args, seed)` walks the tool's `returns` schema and builds a value that validates
against it, choosing realistic content from property names (`email`, `city`, `order_id`,
`total`, `created_at`, ...) and echoing arguments of the same name (APIs echo the ids they are
given). The result is a pure function of (tool name, canonical arguments, seed): the same call in
an episode gets the same answer, and different arguments or seeds get different ones.

Supported keywords: type (and lists of types), properties/required/additionalProperties/
min-/maxProperties/dependentRequired, enum, const, minimum/maximum/exclusive*, multipleOf,
min-/maxLength, pattern (simple regexes; see `fake_patterns.fake_from_pattern`), format (email,
date, date-time, time, uri, uuid, ipv4, ipv6, hostname, duration), items/prefixItems/min-/maxItems/
uniqueItems/contains, anyOf/oneOf (first branch that works), allOf (merged), `$ref` into the
schema itself (`#/$defs/...`). A value is re-drawn a few times when the whole result does not
validate; schemas beyond this subset get a best-effort value and a one-time warning.

This module is the entry point (seeding, retries, warnings, load-time checks); the walk over the
schema is `simulator.values.schema_values`, numbers are `simulator.values.schema_numbers`, and the realistic
content comes from `simulator.values.field_values` and `simulator.values.fake_patterns`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import random
from datetime import date
from typing import Any

from simulator.spec import ToolSpec
from simulator.spec.validation import schema_errors, validator_for
from simulator.values.computed import ComputeContext, compute
from simulator.values.field_values import prefixed_id
from simulator.values.schema_echo import with_aliases
from simulator.values.schema_values import Unsatisfiable, ValueBuilder

log = logging.getLogger(__name__)

ATTEMPTS = 4
_VERBS = (
    "get", "fetch", "find", "lookup", "search", "list", "check", "create", "add", "book", "make",
    "update", "set", "delete", "remove", "cancel", "send", "submit", "schedule", "reserve", "place",
)
_warned: set[str] = set()


def _rng_for(name: str, args: dict[str, Any], seed: int) -> random.Random:
    canonical = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{name}\x00{canonical}\x00{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def tool_noun(tool: str) -> str:
    """`book_flight` → `flight`, `get_weather` → `weather`: the thing a tool is about."""
    parts = tool.replace("-", "_").replace(".", "_").lower().split("_")
    rest = parts[1:] if len(parts) > 1 and parts[0] in _VERBS else parts
    return "_".join(p for p in rest if p) or tool


def _default_result(spec: ToolSpec, args: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Without a `returns` schema: an acknowledgement that names a new id and echoes the call."""
    noun = tool_noun(spec.name)
    result: dict[str, Any] = {"status": "ok", f"{noun}_id": prefixed_id(noun, rng, 6)}
    result.update(copy.deepcopy(args))
    return result


def simulate(spec: ToolSpec, args: dict[str, Any], seed: int, today: date | None = None) -> Any:
    """A realistic result of calling `spec` with `args`, valid against `spec.returns` when given.
    A tool with `compute:` gets the computation's true values over the schema's (ComputeError
    propagates: the caller answers with an error, as the API would). Dates and times are drawn
    around `today`, the episode's simulated day."""
    rng = _rng_for(spec.name, args, seed)
    if spec.returns is None:
        value = _default_result(spec, args, rng)
    else:
        value = _from_schema(spec, args, rng, today)
    if spec.compute is not None:
        ctx = ComputeContext(today=today or date.today(), seed=seed, draft=value)
        computed = compute(spec.compute, args, ctx)
        if isinstance(value, dict):  # computed fields win; a None removes a field the schema drew
            value = {k: v for k, v in {**value, **computed}.items() if not (k in computed and computed[k] is None)}
        else:
            value = computed
    return value


def _from_schema(spec: ToolSpec, args: dict[str, Any], rng: random.Random, today: date | None) -> Any:
    assert spec.returns is not None
    builder = ValueBuilder(spec.returns, dict(with_aliases(args)), rng, spec.name, today=today)
    validator = validator_for(spec.returns)
    value: Any = None
    for _ in range(ATTEMPTS):
        try:
            value = builder.value(spec.returns)
        except Unsatisfiable as exc:
            _warn_once(spec.name, f"cannot generate a result: {exc}")
            return {"status": "ok"}
        if validator.is_valid(value) or spec.compute is not None:
            return value
    _warn_once(spec.name, "; ".join(schema_errors(spec.returns, value)[:3]))
    return value


def returns_problems(spec: ToolSpec, samples: int = 5) -> list[str]:
    """Why the generic sim cannot satisfy `spec.returns` (empty when it can): for `toolsim check`
    and the loader, so an unsupported schema is reported once at load time, not per episode."""
    if spec.returns is None:
        return []
    problems: list[str] = []
    for seed in range(samples):
        builder = ValueBuilder(spec.returns, {}, random.Random(seed), spec.name)
        try:
            value = builder.value(spec.returns)
        except Unsatisfiable as exc:
            return [f"{spec.name}: cannot generate a result: {exc}"]
        for message in schema_errors(spec.returns, value):
            text = f"{spec.name}: generated result fails its returns schema: {message}"
            if text not in problems:
                problems.append(text)
    return problems


def _warn_once(tool: str, message: str) -> None:
    if tool not in _warned:
        _warned.add(tool)
        log.warning("schema sim for %r returned a best-effort value: %s", tool, message)
