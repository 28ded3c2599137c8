"""A quick yes to "is this value plainly valid for this schema?", before jsonschema is asked.

Every tool call is validated against its tool's parameters when it runs, and a jsonschema
`iter_errors` pass costs more than running a customer-support sim (it walks the schema through
generic keyword functions and builds a validator per level). Almost every call an offline episode
makes is valid, and tool schemas use a handful of keywords, so `plainly_valid` compiles each schema
once into a small Python predicate and answers True only when it is sure jsonschema would find no
error. Anything else — a keyword it does not know, a value type it does not handle, an invalid
value — answers False, and the caller runs jsonschema as before: error messages still come from
jsonschema alone, so nothing a trace says can change.

The predicate mirrors jsonschema 2020-12 keyword by keyword (type, enum/const of strings, pattern
with `re.search`, min/maxLength with `len`, the four number bounds, format through the same
`FormatChecker`, properties/required/additionalProperties, items/min/maxItems); keep it that way:
a keyword is supported only where its meaning is copied exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

Check = Callable[[Any], bool]

# What jsonschema 2020-12 validates with and this module does not copy: a schema using any of these
# is left to jsonschema. Keywords jsonschema does not know (`description`, a YAML slip such as a
# stray `e.g. AAPL.:` key) are annotations to it, and to us.
_HANDLED = frozenset({
    "type", "enum", "const", "pattern", "minLength", "maxLength", "format", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "required", "additionalProperties",
    "minProperties", "maxProperties", "items", "minItems", "maxItems", "uniqueItems",
})
_NOT_COPIED = frozenset(Draft202012Validator.VALIDATORS) - _HANDLED
_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
# The JSON type of each Python type a parsed JSON document holds. Others (a float under an
# integer-only type, a tuple, a Decimal) are left to jsonschema.
_KIND = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array",
         type(None): "null"}


def _always(value: Any) -> bool:
    return True


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def compile_check(schema: Any, formats: FormatChecker) -> Check | None:
    """The predicate of `schema`, or None when it uses anything this module does not copy."""
    if schema is True:
        return _always
    if not isinstance(schema, dict) or not _NOT_COPIED.isdisjoint(schema):
        return None
    types = schema.get("type")
    allowed = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else None
    if types is not None and (allowed is None or not allowed <= _JSON_TYPES):
        return None
    if allowed is not None and "number" in allowed:
        allowed.add("integer")  # an int is a number; a float under integer alone stays with jsonschema
    fmt = schema.get("format")
    if fmt is not None and not isinstance(fmt, str):
        return None
    strings = _string_check(schema)
    numbers = _number_check(schema)
    members = _members(schema)
    if strings is None or numbers is None or members is False:
        return None
    objects = _object_check(schema, formats)
    arrays = _array_check(schema, formats)
    if objects is None or arrays is None:
        return None

    def check(value: Any) -> bool:
        kind = _KIND.get(type(value))
        if kind is None or (allowed is not None and kind not in allowed):
            return False
        if members is not None and (kind != "string" or value not in members):
            return False
        if fmt is not None and not formats.conforms(value, fmt):  # formats apply to every type
            return False
        if kind == "string":
            return strings(value)
        if kind == "integer" or kind == "number":
            return numbers(value)
        if kind == "object":
            return objects(value)
        if kind == "array":
            return arrays(value)
        return True

    return check


def _members(schema: dict[str, Any]) -> frozenset[str] | None | bool:
    """The strings `enum`/`const` allow (None: no such keyword; False: not all strings)."""
    allowed: frozenset[str] | None = None
    if "enum" in schema:
        enum = schema["enum"]
        if not isinstance(enum, list) or not all(type(e) is str for e in enum):
            return False
        allowed = frozenset(enum)
    if "const" in schema:
        if type(schema["const"]) is not str:
            return False
        allowed = frozenset({schema["const"]}) & allowed if allowed is not None else frozenset({schema["const"]})
    return allowed


def _bound(schema: dict[str, Any], keyword: str) -> float | int | None | bool:
    value = schema.get(keyword)
    if value is None:
        return None
    return value if _number(value) else False


def _string_check(schema: dict[str, Any]) -> Check | None:
    pattern = schema.get("pattern")
    low, high = _bound(schema, "minLength"), _bound(schema, "maxLength")
    if low is False or high is False or (pattern is not None and not isinstance(pattern, str)):
        return None
    if low is None and high is None and pattern is None:
        return _always
    try:
        search = re.compile(pattern).search if pattern is not None else None
    except re.error:
        return None

    def check(value: str) -> bool:
        if low is not None and len(value) < low:
            return False
        if high is not None and len(value) > high:
            return False
        return search is None or search(value) is not None

    return check


def _number_check(schema: dict[str, Any]) -> Check | None:
    bounds = [_bound(schema, k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")]
    if any(b is False for b in bounds):
        return None
    low, high, above, below, step = bounds
    if low is None and high is None and above is None and below is None and step is None:
        return _always

    def check(value: int | float) -> bool:
        if (
            (low is not None and value < low) or (high is not None and value > high)
            or (above is not None and value <= above) or (below is not None and value >= below)
        ):
            return False
        if step is None:
            return True
        try:  # jsonschema's multipleOf: a float step divides, an int step takes the remainder
            return int(value / step) == value / step if isinstance(step, float) else not value % step
        except (OverflowError, ValueError, ZeroDivisionError):
            return False  # jsonschema's exact fallback (or its error) decides

    return check


def _object_check(schema: dict[str, Any], formats: FormatChecker) -> Check | None:
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        return None
    checks = {name: compile_check(sub, formats) for name, sub in properties.items()}
    extra_check = None if extra is False else compile_check(extra, formats)
    if any(c is None for c in checks.values()) or (extra is not False and extra_check is None):
        return None
    fewest, most = _bound(schema, "minProperties"), _bound(schema, "maxProperties")
    if fewest is False or most is False:
        return None
    if not checks and not required and extra_check is _always and fewest is None and most is None:
        return _always

    def check(value: dict[str, Any]) -> bool:
        if (fewest is not None and len(value) < fewest) or (most is not None and len(value) > most):
            return False
        for name in required:
            if name not in value:
                return False
        for name, member in value.items():
            member_check = checks.get(name, extra_check)
            if member_check is None or not member_check(member):
                return False
        return True

    return check


def _array_check(schema: dict[str, Any], formats: FormatChecker) -> Check | None:
    items = compile_check(schema["items"], formats) if "items" in schema else _always
    low, high = _bound(schema, "minItems"), _bound(schema, "maxItems")
    if items is None or low is False or high is False:
        return None

    unique = bool(schema.get("uniqueItems"))

    def check(value: list[Any]) -> bool:
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return False
        if unique and not (all(type(v) is str for v in value) and len(set(value)) == len(value)):
            return False  # strings are unique when a set keeps them all; anything else: jsonschema's `uniq`
        return items is _always or all(items(v) for v in value)

    return check
