"""JSON-Schema checks of tool specs and tool-call arguments, with readable messages.

Used in three places that must agree: the loader (is this schema valid at all?), the tool
environment (are these arguments good enough to run the sim?) and the judge's rule layer (did the
assistant call the tool correctly?). Validators are compiled once per schema object and reused,
because episodes validate thousands of calls against the same handful of schemas.

Formats (`email`, `date`, `uuid`, `ipv4`, ...) are checked with jsonschema's 2020-12
`FormatChecker`. `date-time`, `time` and `uri` would need optional packages there and silently
pass without them, so we check those three ourselves (RFC 3339 via `datetime.fromisoformat`, an
absolute URI via `urllib`) — an empty string must not pass as a timestamp.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from simulator.core.identity_memo import by_identity
from simulator.core.messages import ToolCall, known_arguments, remember_arguments
from simulator.spec.plain_schema import Check, compile_check
from simulator.spec.tools import ToolSpec

_RFC3339_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_RFC3339_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats constrain strings only
    if not _RFC3339_DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))  # ValueError: bad date
    return True


def _is_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339_TIME.match(value):
        return False
    time.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("mailto", "urn", "tel", "data"))


def _format_checker() -> FormatChecker:
    """The 2020-12 checker plus our own date-time / time / uri, on a copy (the library's checker
    is a shared global). Not the catch-all `FormatChecker()`: it also registers draft-3's `time`,
    which rejects valid RFC 3339 times such as `14:30:00Z`."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("time", raises=ValueError)(_is_time)
    checker.checks("uri", raises=ValueError)(_is_uri)
    return checker


_FORMAT_CHECKER = _format_checker()
_META_VALIDATOR = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)
# id(schema) -> (schema, validator). The schema is kept alive so its id cannot be reused by
# another object while the entry exists; the cap keeps property tests from growing it forever.
_CACHE_LIMIT = 2048
JSON_SCHEMA_TYPES = "array, boolean, integer, null, number, object, string"
_REQUIRED_NAME = re.compile(r"^(?P<name>'.*'|\".*\") is a required property$")


@by_identity(_CACHE_LIMIT)
def validator_for(schema: dict[str, Any] | bool) -> Draft202012Validator:
    """The compiled validator of a schema (assumed meta-valid), cached by object identity."""
    return Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)


def format_path(parts: Iterable[Any]) -> str:
    """`items[0].sku` for a path of ('items', 0, 'sku'); empty for the root."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def schema_problems(schema: Any) -> list[str]:
    """Every way `schema` breaks the JSON Schema 2020-12 meta-schema (bad types, invalid regex
    patterns, misspelt keyword values), as `<path>: <message>` lines. Empty when valid."""
    if not isinstance(schema, (dict, bool)):
        return [f"a schema must be an object or a boolean, got {type(schema).__name__}"]
    problems = size_problems(schema)
    if problems:
        return problems  # (a schema nested too deep would also overflow the meta-schema check)
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):  # not JSON (a set, nan): checked below without the cache
        return _meta_problems(schema)
    return list(_cached_meta_problems(key))


@functools.lru_cache(maxsize=4096)
def _cached_meta_problems(key: str) -> tuple[str, ...]:
    """The meta-schema check is the slow part of loading a pack (15 ms a schema); the same schemas
    come back on every load of a process (tests, `toolsim expand`), so results are kept."""
    return tuple(_meta_problems(json.loads(key)))


def _meta_problems(schema: Any) -> list[str]:
    problems = []
    for error in sorted(_META_VALIDATOR.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path]):
        path = [str(p) for p in error.absolute_path]
        message = error.message
        names_a_type = path and path[-1] == "type" and (len(path) < 2 or path[-2] != "properties")
        if names_a_type and error.validator == "anyOf":
            message = f"{error.instance!r} is not a JSON Schema type (use one of {JSON_SCHEMA_TYPES})"
        problems.append(f"{'.'.join(path)}: {message}" if path else message)
    return problems


# The generic sim builds values that honour these, so a schema asking for ten million items would
# hang every call; real APIs stay far below.
SIZE_LIMITS = {"minItems": 1_000, "minProperties": 1_000, "minLength": 10_000, "maxItems": 1_000_000,
               "maxProperties": 1_000_000, "maxLength": 10_000_000}
MAX_SCHEMA_DEPTH = 32
MAX_PATTERN_REPEAT = 1_000
_REPEAT = re.compile(r"\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")


def size_problems(schema: Any) -> list[str]:
    """Sizes a tool sim could not honour in reasonable time: `minItems` and friends over
    `SIZE_LIMITS`, a `pattern` repeating more than `MAX_PATTERN_REPEAT` times, nesting deeper than
    `MAX_SCHEMA_DEPTH`, or a schema that contains itself (possible from Python)."""
    problems: list[str] = []
    stack: list[tuple[Any, tuple[str, ...], frozenset[int]]] = [(schema, (), frozenset())]
    while stack:
        node, path, above = stack.pop()
        where = ".".join(path)
        label = f"{where}: " if where else ""
        if isinstance(node, (dict, list)):
            if id(node) in above:
                problems.append(f"{label}the schema contains itself")
                continue
            if len(path) > MAX_SCHEMA_DEPTH * 2:  # two path parts per schema level (properties.x)
                problems.append(f"{label}nested more than {MAX_SCHEMA_DEPTH} levels deep")
                continue
            inner = above | {id(node)}
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                stack.append((value, path + (str(key),), inner))
        if not isinstance(node, dict):
            continue
        for keyword, limit in SIZE_LIMITS.items():
            value = node.get(keyword)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > limit:
                problems.append(f"{label}{keyword} {value} is over the limit of {limit:,}")
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            counts = [int(n) for match in _REPEAT.finditer(pattern) for n in match.groups() if n]
            if len(pattern) > 10_000 or any(n > MAX_PATTERN_REPEAT for n in counts):
                problems.append(f"{label}pattern repeats more than {MAX_PATTERN_REPEAT:,} times or is over "
                                "10,000 characters")
    return sorted(problems)


def _extra_keys(error: ValidationError) -> list[str]:
    declared = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    patterns = error.schema.get("patternProperties", {}) if isinstance(error.schema, dict) else {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [
        k for k in instance
        if k not in declared and not any(re.search(p, k) for p in patterns)
    ]


def _describe(error: ValidationError) -> list[str]:
    """One or more readable messages for a jsonschema error, naming the argument at fault."""
    path = list(error.absolute_path)
    where = format_path(path)
    if error.validator == "required":
        match = _REQUIRED_NAME.match(error.message)
        name = match.group("name") if match else error.message
        return [f"missing required argument {name}" if not path else f"{where}: missing required property {name}"]
    if error.validator == "additionalProperties" and error.validator_value is False:
        extras = _extra_keys(error) or ["?"]
        noun = "argument" if not path else "property"
        prefix = f"{where}: " if path else ""
        return [f"{prefix}unexpected {noun} '{k}'" for k in extras]
    message = error.message
    if error.validator == "pattern":  # jsonschema repr()s the pattern, doubling every backslash
        message = f"{error.instance!r} does not match '{error.validator_value}'"
    return [f"{where}: {message}" if where else message]


@by_identity(_CACHE_LIMIT)
def _plain_check(schema: dict[str, Any] | bool) -> Check | None:
    """The schema's `plainly_valid` predicate (None when it has none), compiled once per schema
    object and cached like `validator_for`."""
    return compile_check(schema, _FORMAT_CHECKER)


def schema_errors(schema: dict[str, Any] | bool, instance: Any) -> list[str]:
    """Readable problems of `instance` against `schema` (empty when valid). A value the schema's
    plain predicate accepts skips jsonschema (see `simulator.spec.plain_schema`)."""
    check = _plain_check(schema)
    if check is not None and check(instance):
        return []
    errors = sorted(
        validator_for(schema).iter_errors(instance),
        key=lambda e: ([str(p) for p in e.absolute_path], e.message),
    )
    messages: list[str] = []
    for error in errors:
        for message in _describe(error):
            if message not in messages:
                messages.append(message)
    return messages


_CHECKED: dict[tuple[int, str], tuple[dict[str, Any], list[str]]] = {}
_CHECKED_LIMIT = 4096


def argument_errors(spec: ToolSpec, args: dict[str, Any], raw: str | None = None) -> list[str]:
    """Why `args` are not acceptable to `spec` (e.g. `order_id: 'ORD-12' does not match
    '^ORD-\\d{5}$'`, `missing required argument 'reason'`); empty when they are.

    With `raw` (the call's arguments as sent, which `args` were parsed from) the answer is kept
    for a while: the tool environment checks a call when it runs it and the judge checks it
    again right after, and a JSON Schema validation costs more than the rest of judging a call."""
    if raw is None:
        return schema_errors(spec.parameters, args)
    key = (id(spec.parameters), raw)
    hit = _CHECKED.get(key)
    if hit is not None and hit[0] is spec.parameters:
        return list(hit[1])
    errors = schema_errors(spec.parameters, args)
    if len(_CHECKED) >= _CHECKED_LIMIT:
        _CHECKED.clear()
    _CHECKED[key] = (spec.parameters, errors)
    return list(errors)


def parse_arguments(call: ToolCall) -> tuple[dict[str, Any] | None, str | None]:
    """The call's arguments as a dict, or None and why not.

    An empty string is rejected like any other non-JSON: fine-tuning data should teach `{}`.
    """
    known = known_arguments(call.arguments)  # the assistant wrote them, or the environment parsed them
    if known is not None:
        return known, None
    try:
        value = json.loads(call.arguments)
    except (ValueError, TypeError) as exc:
        return None, f"arguments are not valid JSON: {exc}"
    if type(value) is dict:
        remember_arguments(call.arguments, value.copy())
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(value), "a number"
        )
        return None, f"arguments must be a JSON object, got {kind}"
    return value, None
