"""Slots for a new pack's scenarios: where each argument's value comes from.

A parameter becomes a slot of the same name: a `date` slot for a date (the user says "next
Monday", the call carries the ISO date), a `choice` of its enum values, or a `choice` of a few
values drawn from its schema by the schema sim (ids that match their pattern, cities, e-mail
addresses, amounts in range) — each checked against the parameter, so the blueprint's calls are
valid. Python sims with a seeded state get `record` + `field` slots instead where the state holds
the value (`probe.py` picks the records).
"""

from __future__ import annotations

import json
import random
from typing import Any

from simulator.spec.tools import ToolSpec
from simulator.spec.validation import validator_for
from simulator.values.tool_errors import holds
from simulator.values.schema_values import Unsatisfiable, ValueBuilder

CHOICES = 5  # values per slot: fewer repeat whole requests (exact duplicates) in a small first dataset
SIMPLE = ("string", "integer", "number", "boolean")


def parameter(spec: ToolSpec, name: str) -> dict[str, Any]:
    schema = spec.parameters.get("properties", {}).get(name)
    return schema if isinstance(schema, dict) else {}


def is_date(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "date"


def sample(schema: dict[str, Any], name: str, tool: str, seed: int, count: int = CHOICES) -> list[Any]:
    """Up to `count` distinct values the parameter accepts (its enum first), plain JSON only."""
    if isinstance(schema.get("enum"), list):
        return [v for v in schema["enum"] if isinstance(v, (str, int, float, bool))][: max(count, 4)]
    rng = random.Random(f"{seed}:{tool}:{name}")
    validator = validator_for(schema)
    found: list[Any] = []
    for _ in range(count * 6):
        try:
            value = ValueBuilder(schema, {}, rng, tool).value(schema, name)
        except Unsatisfiable:
            break
        key = json.dumps(value, sort_keys=True)
        if validator.is_valid(value) and key not in {json.dumps(v, sort_keys=True) for v in found}:
            found.append(value)
        if len(found) >= count:
            break
    return found


def meeting(schema: dict[str, Any], condition: dict[str, Any], name: str, tool: str, seed: int) -> list[Any]:
    """Values the parameter accepts that also meet a declared error's condition schema (each
    schema on its own: merging them would let the condition's `pattern` replace the parameter's)."""
    both = [validator_for(schema), validator_for(condition)]
    found: list[Any] = []
    for source in (condition, {**schema, **condition}, schema):
        for value in sample(source, name, tool, seed, count=40):
            if all(v.is_valid(value) for v in both) and value not in found:
                found.append(value)
    return found[:CHOICES]


def slot_for(spec: ToolSpec, name: str, seed: int) -> dict[str, Any] | None:
    """The slot filling parameter `name`, or None when nothing plausible can be drawn. Values
    that meet one of the tool's declared errors are left out: a positive scenario must succeed."""
    schema = parameter(spec, name)
    if is_date(schema):
        return {"date": ["tomorrow", "in_3_days", "next_monday"]}
    refused = [rule.when.args[name] for rule in spec.errors if set(rule.when.args) == {name} and not rule.when.facts]
    values = [v for v in sample(schema, name, spec.name, seed, count=CHOICES * 3)
              if not any(holds(wanted, v) for wanted in refused)][:CHOICES]
    if not values:
        return None
    return {"value": values[0]} if len(values) == 1 else {"choice": values}


def placeholder(slot_name: str, slot: dict[str, Any], language: str) -> str:
    """How a say line names a slot: `{when.en}` for a date, `{name}` otherwise."""
    return f"{{{slot_name}.{language}}}" if "date" in slot else f"{{{slot_name}}}"


def argument(slot_name: str, slot: dict[str, Any]) -> str:
    """How the expected call's argument reads a slot: `{when.code}` for a date, `{name}` otherwise."""
    return f"{{{slot_name}.code}}" if "date" in slot else f"{{{slot_name}}}"


def simple(schema: dict[str, Any]) -> bool:
    """A value a user can say in a sentence (not an object or a list)."""
    kind = schema.get("type")
    return "enum" in schema or kind in SIMPLE or (kind is None and "format" in schema)
