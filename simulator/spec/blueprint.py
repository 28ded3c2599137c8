"""Templates and blueprints: how `{slot}` and `{@tool.path}` placeholders resolve.

Shared by the offline user (filling seed utterances), the offline assistant (building calls and
replies), the judge (rendering the calls a blueprint expects) and the loader (checking that every
placeholder is filled by something). One grammar, one implementation.

- `{name}` or `{name.0.field}`: a slot value (facts the user knows), or a key of a reply context.
- `{@tool.path}`: a value from the latest successful result of `tool` in the conversation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence  # (not typing's: see `_walk`)
from functools import lru_cache
from typing import Any

from simulator.core.identity_memo import by_identity
from simulator.core.messages import Message, ToolMessage
from simulator.spec.scenario import ExpectedCall
from simulator.words.calendar_dates import date_time_in_words
from simulator.words.grammar import join_list, settle

PLACEHOLDER = re.compile(r"\{(@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")


class MissingValue(KeyError):
    """A placeholder whose value is not (yet) available."""


def placeholders(template: str) -> list[str]:
    """Every placeholder name in a template, in order, e.g. `['order_id', '@lookup_order.orders.0.order_id']`."""
    return PLACEHOLDER.findall(template)


def lookup(path: str, context: Mapping[str, Any]) -> Any:
    """Resolve a dotted path (`orders.0.order_id`) in nested dicts/lists."""
    return _walk(context, path.split("."), path)


def _walk(value: Any, steps: Sequence[str], path: str) -> Any:
    """Follow `steps` down from `value`; `MissingValue(path)` where one is not there."""
    for part in steps:
        if type(value) is dict:  # fast path: even `isinstance(x, Mapping)` costs on this hot path
            if part not in value:
                raise MissingValue(path)
            value = value[part]
        # `collections.abc.Mapping`, whose check is the C-level ABC cache: `typing.Mapping`'s
        # answers the same through two Python-level calls, ~2 us for each list a path steps into
        # ("orders.0.status": every reply naming a list's item)
        elif isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise MissingValue(path)
    return value


def _resolve(name: str, facts: Mapping[str, Any], results: Mapping[str, Any]) -> Any:
    if name.startswith("@"):
        tool, _, path = name[1:].partition(".")
        if tool not in results:
            raise MissingValue(name)
        return lookup(path, results[tool]) if path else results[tool]
    return lookup(name, facts)


def _as_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_text(template: str, facts: Mapping[str, Any], results: Mapping[str, Any] | None = None) -> str:
    """Fill every placeholder; raises `MissingValue` when one cannot be resolved."""
    results = results or {}
    return PLACEHOLDER.sub(lambda m: _as_text(_resolve(m.group(1), facts, results)), template)


def _as_prose(value: Any, language: str) -> str:
    """A value as a sentence says it: a list of plain values is "A, B and C", not `["A", "B", "C"]`;
    a phrase-per-language value (`{code: ..., en: ..., zh: ...}`) is its phrase in the language."""
    if type(value) is str:  # most values: said as they are
        return value
    if isinstance(value, dict) and isinstance(value.get(language), str):
        return value[language]
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return join_list([_as_text(v) for v in value], language)
    return _as_text(value)


def render_prose(
    template: str, facts: Mapping[str, Any], results: Mapping[str, Any] | None = None, language: str = "en",
    *, dates_in_words: bool = False,
) -> str:
    """A sentence for people (a reply, a user's line): placeholders filled as `render_text` does,
    lists said as lists, and in English the template's words made to agree with the values at
    each join (`words.grammar.settle`: "1 order", "an aisle seat", "premium economy"). With
    `dates_in_words` (an assistant's reply) an ISO date-time is said in words
    (`words.calendar_dates.date_time_in_words`); a user's line keeps it as pasted, since the call
    it asks for needs the exact stamp. Raises `MissingValue` when a placeholder cannot be resolved."""
    results = results or {}
    pieces: list[tuple[str, Any]] = []
    plain = type(facts) is dict
    for literal, ref in _parsed(template):
        if ref is None:
            pieces.append((literal, None))
            continue
        steps = ref[3]
        if plain and ref[1] is None and len(steps) == 1:  # `{slot}`: `_resolve_ref` without the calls
            if steps[0] not in facts:
                raise MissingValue(ref[2])
            value = facts[steps[0]]
        else:
            value = _resolve_ref(ref, facts, results)
        if type(value) is str:  # (what `_as_prose` says of a string)
            said = date_time_in_words(value, language) if dates_in_words and value[10:11] == "T" else None
            pieces.append((said or value, value))
        else:
            pieces.append((_as_prose(value, language), value if value is not None else "None"))
    return settle(pieces, english=language == "en")


# A placeholder digested once per template: (its name, the tool whose result it reads or None,
# the path inside that result or the facts as the text `lookup` reports and as its parts).
_Ref = tuple[str, "str | None", str, tuple[str, ...]]


@lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, _Ref | None], ...]:
    """A template as (literal, None) and (placeholder text, its reference) parts, parsed once."""
    parts: list[tuple[str, _Ref | None]] = []
    at = 0
    for match in PLACEHOLDER.finditer(template):
        if match.start() > at:
            parts.append((template[at:match.start()], None))
        name = match.group(1)
        if name.startswith("@"):
            tool, _, path = name[1:].partition(".")
            parts.append((match.group(0), (name, tool, path, tuple(path.split(".")) if path else ())))
        else:
            parts.append((match.group(0), (name, None, name, tuple(name.split(".")))))
        at = match.end()
    if at < len(template):
        parts.append((template[at:], None))
    return tuple(parts)


def _resolve_ref(ref: _Ref, facts: Mapping[str, Any], results: Mapping[str, Any]) -> Any:
    """`_resolve` for a placeholder `_parsed` has taken apart (same values, same `MissingValue`s)."""
    name, tool, path, steps = ref
    if tool is None:
        context: Any = facts
    else:
        if tool not in results:
            raise MissingValue(name)
        if not steps:
            return results[tool]
        context = results[tool]
    return _walk(context, steps, path)


def render_value(value: Any, facts: Mapping[str, Any], results: Mapping[str, Any] | None = None) -> Any:
    """Render a blueprint argument value. A string that is exactly one placeholder keeps the
    value's type (a number stays a number); mixed strings are rendered as text; containers recurse."""
    results = results or {}
    if isinstance(value, str):
        name = _whole_placeholder(value)
        if name is not None:
            return _resolve(name, facts, results)
        return render_text(value, facts, results)
    if isinstance(value, list):
        return [render_value(v, facts, results) for v in value]
    if isinstance(value, dict):
        return {k: render_value(v, facts, results) for k, v in value.items()}
    return value


@lru_cache(maxsize=4096)
def _whole_placeholder(value: str) -> str | None:
    """The placeholder name when `value` is exactly one placeholder, else None (a blueprint's few
    argument strings are matched once, not once per call)."""
    match = PLACEHOLDER.fullmatch(value)
    return match.group(1) if match else None


def render_args(call: ExpectedCall, facts: Mapping[str, Any], results: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {k: render_value(v, facts, results) for k, v in call.args.items()}


@by_identity(4096)
def takes_arrays(schema: Any) -> bool:
    """Could this parameter schema accept a JSON array? (No schema at all: it could.)"""
    return _takes_arrays(schema)


def _takes_arrays(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    declared = schema.get("type")
    if declared is not None:
        types = declared if isinstance(declared, list) else [declared]
        if "array" in types:
            return True
        if "anyOf" not in schema and "oneOf" not in schema:
            return False
    branches = schema.get("anyOf", []) + schema.get("oneOf", [])
    if branches:
        return any(_takes_arrays(b) for b in branches)
    if "enum" in schema:
        return any(isinstance(v, list) for v in schema["enum"])
    if "const" in schema:
        return isinstance(schema["const"], list)
    return declared is None and "properties" not in schema


def acceptable_values(value: Any, schema: Any) -> list[Any] | None:
    """The values a blueprint argument accepts when it is a set (`[high, normal]` for a
    parameter that takes no arrays), else None (the value is the one value)."""
    if isinstance(value, list) and value and not takes_arrays(schema):
        return value
    return None


def first_choices(args: dict[str, Any], parameters: dict[str, Any] | None) -> dict[str, Any]:
    """Rendered blueprint arguments with each set of acceptable values replaced by its first
    (what the offline assistant says, and what a replay uses when no call chose)."""
    properties = (parameters or {}).get("properties", {})
    out = dict(args)
    for name, value in args.items():
        options = acceptable_values(value, properties.get(name))
        if options is not None:
            out[name] = options[0]
    return out


def walk_strings(value: Any) -> Iterable[str]:
    """Every string inside nested lists and dicts (template values, blueprint arguments)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from walk_strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk_strings(v)


def slot_refs(call: ExpectedCall) -> list[str]:
    """Slots (top-level names) an expected call's arguments need, in argument order."""
    names: list[str] = []
    for text in walk_strings(call.args):
        for name in placeholders(text):
            root = name.split(".")[0]
            if not name.startswith("@") and root not in names:
                names.append(root)
    return names


def arg_slot(call: ExpectedCall, arg: str) -> str | None:
    """The slot an argument is filled from, when it is exactly one `{slot}` placeholder."""
    value = call.args.get(arg)
    if isinstance(value, str):
        match = PLACEHOLDER.fullmatch(value)
        if match and not match.group(1).startswith("@"):
            return match.group(1).split(".")[0]
    return None


def result_refs(call: ExpectedCall) -> list[str]:
    """Tools whose results an expected call's arguments need."""
    tools: list[str] = []
    for text in walk_strings(call.args):
        for name in placeholders(text):
            if name.startswith("@"):
                tool = name[1:].split(".")[0]
                if tool not in tools:
                    tools.append(tool)
    return tools


def latest_results(messages: Iterable[Message]) -> dict[str, Any]:
    """The latest successful, parsed result of each tool in a conversation."""
    results: dict[str, Any] = {}
    for m in messages:
        if isinstance(m, ToolMessage) and not m.is_error:
            try:
                results[m.name] = json.loads(m.content)
            except ValueError:
                continue
    return results


def values_at(path: str, record: Any) -> list[Any]:
    """Every value at a dotted path where a list index stands for any element: `items.0.name`
    of an order with three items gives the three names."""
    found = [record]
    for part in path.split("."):
        step: list[Any] = []
        for value in found:
            # Plain dicts and lists first: `isinstance(x, typing.Mapping)` is a slow ABC check,
            # and a scenario's `unique` query reads every other record of its collection this way.
            kind = type(value)
            if kind is dict:
                if part in value:
                    step.append(value[part])
            elif kind is list:
                if part.isdigit():
                    step.extend(value)
            elif isinstance(value, Mapping) and part in value:
                step.append(value[part])
            elif isinstance(value, (list, tuple)) and part.isdigit():
                step.extend(value)
        found = step
    return found


def identifiable(record: dict[str, Any], others: Iterable[dict[str, Any]], paths: list[str]) -> bool:
    """Does no other record share the record's values at every one of `paths`? (see
    `StateQuery.unique`)"""
    if not paths:
        return True
    try:
        own = [lookup(path, record) for path in paths]
    except MissingValue:
        return False
    return not any(
        other is not record and all(value in values_at(path, other) for path, value in zip(paths, own))
        for other in others
    )


def matches(record: dict[str, Any], where: dict[str, Any]) -> bool:
    """Does a state record satisfy a scenario's `record.where` (a value, or a list of accepted values, per dotted path)?"""
    for key, wanted in where.items():
        try:
            value = lookup(key, record)
        except MissingValue:
            return False
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True
