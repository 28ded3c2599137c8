"""What a JSON schema says about the values it allows, for matching results to parameters.

`output_fields` lists every scalar field a tool's `returns` schema defines (through nested objects,
array items and `anyOf`/`oneOf`/`allOf` branches, array items addressed as `0` like the
`{@tool.path}` templates); `types_fit` and `values_fit` say whether a value allowed by one schema
can be given to a parameter with another: an integer fits a number but not the other way round, an
enum parameter takes only an enum whose values it accepts, and a different `pattern` or `format`
contradicts. `simulator.load.tool_graph` builds its edges from these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutputField:
    """One scalar field of a result, e.g. `orders.0.order_id` with its schema."""

    path: str
    schema: dict[str, Any]
    name: str  # the last key: `order_id`
    parent: str | None  # the key holding it (`orders` for orders.0.order_id), if any


def resolve_ref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (`#/$defs/order`); anything else stays as it is."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part) if isinstance(target, dict) else None
    return target if isinstance(target, dict) else schema


def output_fields(returns: dict[str, Any] | None) -> list[OutputField]:
    """Every scalar field a `returns` schema defines, through nested objects, array items and
    `anyOf`/`oneOf`/`allOf` branches (first definition of a path wins)."""
    found: dict[str, OutputField] = {}
    if isinstance(returns, dict):
        _walk(returns, returns, [], found, depth=0)
    return list(found.values())


def _walk(schema: dict[str, Any], root: dict[str, Any], path: list[str], found: dict[str, OutputField], depth: int) -> None:
    if depth > 12:  # a recursive $ref
        return
    schema = resolve_ref(schema, root)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            if isinstance(branch, dict) and branch.get("type") != "null":
                _walk(branch, root, path, found, depth + 1)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, sub in properties.items():
            if isinstance(sub, dict):
                _walk(sub, root, path + [name], found, depth + 1)
        return
    items = schema.get("items")
    if isinstance(items, dict):
        _walk(items, root, path + ["0"], found, depth + 1)
        return
    says_something = any(k in schema for k in ("type", "enum", "const", "format", "pattern"))
    if not path or not says_something or types_of(schema) & {"object", "array"}:
        return
    dotted = ".".join(path)
    if dotted in found:
        return
    keys = [p for p in path if p != "0"]
    if path[-1] == "0":  # an element of a list of scalars: `device_ids.0` reads as a `device_id`
        found[dotted] = OutputField(dotted, schema, singular(keys[-1]), keys[-2] if len(keys) > 1 else None)
    else:
        found[dotted] = OutputField(dotted, schema, keys[-1], keys[-2] if len(keys) > 1 else None)


def types_of(schema: dict[str, Any]) -> set[str]:
    """JSON types a schema allows (null aside), inferred from enum/const when `type` is absent;
    empty when nothing says."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {t for t in declared if isinstance(t, str)}
    else:
        types = {_json_type(v) for v in _literals(schema) or []}
        for branch in schema.get("anyOf") or schema.get("oneOf") or []:
            if isinstance(branch, dict):
                types |= types_of(branch)
    return types - {"null"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "string")


def _literals(schema: dict[str, Any]) -> list[Any] | None:
    """The only values a schema allows (`enum` / `const`), or None."""
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return [v for v in enum if v is not None] if isinstance(enum, list) else None


def types_fit(out: set[str], param: set[str]) -> bool:
    """An integer fits a number parameter; a number does not fit an integer one."""
    if not out or not param:
        return True  # a side that says nothing does not contradict
    return bool(out & param) or ("integer" in out and "number" in param)


def values_fit(out: dict[str, Any], param: dict[str, Any]) -> bool:
    """Enum parameters take only enums they accept; patterns and formats must not contradict."""
    out_values, param_values = _literals(out), _literals(param)
    if param_values is not None:
        return out_values is not None and all(v in param_values for v in out_values)
    pattern = param.get("pattern")
    if isinstance(pattern, str):
        if out_values is not None:
            try:
                return all(isinstance(v, str) and re.search(pattern, v) for v in out_values)
            except re.error:
                return False
        if isinstance(out.get("pattern"), str) and out["pattern"] != pattern:
            return False
    out_format, param_format = out.get("format"), param.get("format")
    return not (out_format and param_format and out_format != param_format)


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


IDENTIFYING_FORMATS = frozenset({"email", "idn-email", "uuid", "uri", "iri", "hostname", "ipv4", "ipv6"})
_ID_NAME = re.compile(r"(^|_)(id|code|number|no|key|token|ref|sku)$")


def identifier_pattern(pattern: Any) -> bool:
    """`^ORD-\\d{5}$`, `^dev-[0-9]{4}$`: a pattern with a literal word in it names identifiers;
    a shape made of digits and separators (a clock time, a date) does not."""
    if not isinstance(pattern, str):
        return False
    literal = re.sub(r"\\.|\[[^\]]*\]|\{[^}]*\}", "", pattern)
    return re.search(r"[A-Za-z]{2,}", literal) is not None


def is_identifier(name: str, schema: dict[str, Any]) -> bool:
    """A parameter that names one thing (`order_id`, `flight_number`, a `^ORD-` pattern, an e-mail
    address) rather than an attribute the user knows anyway (a date, a city): the values worth
    carrying from one call's result into the next call."""
    return bool(
        _ID_NAME.search(name) or identifier_pattern(schema.get("pattern")) or schema.get("format") in IDENTIFYING_FORMATS
    )

