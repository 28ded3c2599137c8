"""What tool results show, arranged for reading replies against them: records (an order, a
flight, a device) with their fields, which fields are enums, and which strings are names.

A result is split into records: the result object itself and each object of a list directly
inside it (`orders[i]`, `rows[i]`). A record's identity is its first value shaped like an id —
letters, then digits (`ORD-48291`, `dev-1234`, `UA179-20260718`): the "same thing" a later
result may show again, newer.
Nested objects (an order's items) belong to their record, their fields flattened by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Iterator, Mapping

from simulator.spec import ToolSpec

_ID_SHAPE = re.compile(r"^[A-Za-z]{1,8}[-_]?\d{2,}[A-Za-z0-9-]*$")
_NAME_LIKE = re.compile(r"^[A-Z\u3400-\u9fff《「“\"']")


@dataclass
class Record:
    tool: str
    identity: str | None
    group: int  # the message it came from: records of one result are compared with each other
    fields: dict[str, list[Any]] = field(default_factory=dict)  # leaf key -> its values, in order

    def values(self) -> Iterator[Any]:
        """Every value, field by field (chained in C: a generator's resumption per value cost
        more than most of what the reply checks do with the value)."""
        return chain.from_iterable(self.fields.values())


def _flatten(value: Any, into: dict[str, list[Any]], key: str = "") -> None:
    """Every scalar under `value`, by the key it sits at (a list's items under the list's)."""
    if type(value) is dict:
        for k, v in value.items():
            if type(v) is dict or type(v) is list:
                _flatten(v, into, k)
            elif k in into:
                into[k].append(v)
            else:
                into[k] = [v]
    elif type(value) is list:
        for v in value:
            if type(v) is dict or type(v) is list:
                _flatten(v, into, key)
            elif key:
                into.setdefault(key, []).append(v)


def is_identity(value: str) -> bool:
    """Shaped like a record's id: letters, then digits (`ORD-48291`, `dev-1234`)."""
    return _ID_SHAPE.match(value) is not None


identity_match = _ID_SHAPE.match  # `is_identity` as a match (truthy or None), without a Python call per value


def _record(tool: str, obj: dict[str, Any], group: int) -> Record:
    fields: dict[str, list[Any]] = {}
    _flatten(obj, fields)
    identity = None
    for value in obj.values():  # the first id-shaped value (a loop: no generator per record)
        if isinstance(value, str) and _ID_SHAPE.match(value):
            identity = value
            break
    return Record(tool, identity, group, fields)


def records_of(tool: str, payload: Any, group: int = 0) -> list[Record]:
    """The records of one successful result's parsed payload (none when it is not an object)."""
    if not isinstance(payload, dict):
        return []
    top = {k: v for k, v in payload.items() if not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))}
    found = [_record(tool, top, group)]
    for value in payload.values():
        if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            found += [_record(tool, x, group) for x in value]
    return found


def list_lengths(payload: Any) -> list[int]:
    """Lengths of the lists in a parsed result: a reply may count them ("I found 3 orders")."""
    found: list[int] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            found.append(len(value))
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(payload)
    return found


# ---------------------------------------------------------------- enums


def _enums(schema: Any, into: dict[str, set[str]], key: str = "") -> None:
    if not isinstance(schema, dict):
        return
    values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    strings = {v for v in values if isinstance(v, str)}
    if key and strings:
        into.setdefault(key, set()).update(strings)
    for name, child in (schema.get("properties") or {}).items():
        _enums(child, into, name)
    for child in [schema.get("items")] + list(schema.get("anyOf", [])) + list(schema.get("oneOf", [])):
        _enums(child, into, key)


_FAMILIES: dict[int, tuple[Mapping[str, ToolSpec], dict[tuple[str, str], frozenset[str]]]] = {}


def enum_fields(tools: Mapping[str, ToolSpec]) -> dict[tuple[str, str], frozenset[str]]:
    """(tool, result field) -> the values its enum allows, from each tool's `returns` schema
    (computed once per pack). Per tool: `status` of a flight and of a parcel are two enums."""
    hit = _FAMILIES.get(id(tools))
    if hit is not None and hit[0] is tools:
        return hit[1]
    families: dict[tuple[str, str], frozenset[str]] = {}
    for spec in tools.values():
        found: dict[str, set[str]] = {}
        _enums(spec.returns, found)
        families.update({(spec.name, k): frozenset(v) for k, v in found.items() if len(v) > 1})
    if len(_FAMILIES) > 64:
        _FAMILIES.clear()
    _FAMILIES[id(tools)] = (tools, families)
    return families


# ---------------------------------------------------------------- names


def is_name(value: Any) -> bool:
    """Reads like a name: a capital or a CJK character first, no digits, 3-40 characters
    ("Desk Lamp", "Mia Thompson", 《天龙八部》; 北宋 with two)."""
    if not isinstance(value, str) or not 2 <= len(value) <= 40 or "\n" in value:
        return False
    if value.isascii() and len(value) < 3:
        return False
    return _NAME_LIKE.match(value) is not None and not any(c.isdigit() for c in value)


def keyed_names(tree: Any, into: dict[str, set[str]], prose: frozenset[str], key: str = "") -> dict[str, set[str]]:
    """name -> the field keys it is a value of, over a seeded state or a result (fields in
    `prose`, a note or a description, hold words, not names)."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k not in prose:
                keyed_names(v, into, prose, str(k))
    elif isinstance(tree, list):
        for v in tree:
            keyed_names(v, into, prose, key)
    elif key and is_name(tree):
        into.setdefault(tree, set()).add(key)
    return into
