"""Which declared error (`errors:` of a schema-only tool) a call meets, and its message.

The rules are `simulator.spec.tool_errors.ToolErrorRule`; this is the matching: a condition value
is equal to, one of (a list), or valid against (a mapping: a JSON Schema) the argument or fact it
names. Facts are the episode's slot values; a dotted name reads into a `choice` entry or a date
(`reason.code`). A missing argument or fact never matches, so a rule on an optional argument
fires only when the call passes it.
"""

from __future__ import annotations

from typing import Any, Mapping

from simulator.spec.blueprint import PLACEHOLDER, MissingValue, lookup
from simulator.spec.tool_errors import ToolErrorRule
from simulator.spec.tools import ToolSpec
from simulator.spec.validation import validator_for


def holds(wanted: Any, value: Any) -> bool:
    """Does `value` meet one condition value (equal / one of a list / valid against a schema)?"""
    if isinstance(wanted, dict):
        return validator_for(wanted).is_valid(value)
    if isinstance(wanted, list):
        return any(_equal(option, value) for option in wanted)
    return _equal(wanted, value)


def _equal(wanted: Any, value: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(value, bool):
        return wanted is value
    return wanted == value


def _meets(conditions: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    for name, wanted in conditions.items():
        try:
            value = lookup(name, values)
        except MissingValue:
            return False
        if not holds(wanted, value):
            return False
    return True


def matching_rule(spec: ToolSpec, args: Mapping[str, Any], facts: Mapping[str, Any]) -> ToolErrorRule | None:
    """The first of the tool's declared errors whose condition holds for this call, or None."""
    for rule in spec.errors:
        if _meets(rule.when.args, args) and _meets(rule.when.facts, facts):
            return rule
    return None


def declared_error(spec: ToolSpec, args: Mapping[str, Any], facts: Mapping[str, Any]) -> str | None:
    """The error message this call gets, or None when no declared error applies. The message is
    rendered with the call's arguments over the facts (a load check keeps its placeholders to
    names that are there when the rule holds; anything else is left as written)."""
    rule = matching_rule(spec, args, facts) if spec.errors else None
    if rule is None:
        return None
    context = {**facts, **args}

    def said(match: Any) -> str:
        try:
            value = lookup(match.group(1), context)
        except MissingValue:
            return match.group(0)
        if isinstance(value, dict) and "code" in value:  # a choice entry or a date: its code
            value = value["code"]
        return str(value)

    return PLACEHOLDER.sub(said, rule.error)
