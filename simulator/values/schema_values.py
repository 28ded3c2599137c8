"""The recursive walk behind the schema sim: one valid, realistic value per JSON Schema keyword.

`ValueBuilder.value(schema)` resolves `$ref`s and `allOf`, honours `const` and `enum`, echoes a
call argument of the same name when it fits (APIs echo the ids they are given), tries `oneOf`/
`anyOf` branches in order, and otherwise hands the (declared or inferred) type to one `make_*`
method. Content comes from the property name via `simulator.values.field_values`, strings matching a
`pattern` from `simulator.values.fake_patterns`, and numbers from `simulator.values.schema_numbers`.

Kept apart from `simulator.values.schema_sim`, whose public functions only seed a builder, retry, and
report: this is the part that grows with every keyword supported.
"""

from __future__ import annotations

import copy
import json
import random
import string
from datetime import date
from typing import Any

from simulator.spec.validation import validator_for
from simulator.values.fake_patterns import PatternTooComplex, fake_from_pattern
from simulator.values.fakes import WORDS, fake_word
from simulator.values.field_values import (
    date_near,
    is_date_name,
    is_timestamp_name,
    number_range_for,
    string_for_format,
    string_for_name,
)
from simulator.values.schema_numbers import Unsatisfiable, integer_for, number_for

MAX_DEPTH = 6  # beyond it objects get only required properties and arrays only minItems
HARD_DEPTH = 24  # recursive schemas that require themselves this deep are unsatisfiable
_NUMERIC_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def _without(schema: dict[str, Any], keyword: str) -> dict[str, Any]:
    """`schema` minus one keyword: what else must hold once that keyword is dealt with."""
    return {k: v for k, v in schema.items() if k != keyword}


def _types(declared: str | list[str]) -> list[str]:
    """A `type` keyword as a list, whether it names one type or several."""
    return declared if isinstance(declared, list) else [declared]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two schemas that must both hold (allOf, or a branch plus its parent's keywords)."""
    merged = {**base, **extra}
    if "properties" in base and "properties" in extra:
        merged["properties"] = {**base["properties"], **extra["properties"]}
    if "required" in base and "required" in extra:
        merged["required"] = list(dict.fromkeys(base["required"] + extra["required"]))
    if "type" in base and "type" in extra:
        left, right = _types(base["type"]), _types(extra["type"])
        both = [t for t in left if t in right or (t == "integer" and "number" in right)]
        both += [t for t in right if t == "integer" and "number" in left and t not in both]
        merged["type"] = both if len(both) != 1 else both[0]
    return merged


def _infer_type(schema: dict[str, Any], name: str | None) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list):
        non_null = [t for t in declared if t != "null"]
        return non_null[0] if non_null else "null"
    keys = schema.keys()
    if keys & {"properties", "required", "additionalProperties", "minProperties", "patternProperties"}:
        return "object"
    if keys & {"items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"}:
        return "array"
    if keys & {"minLength", "maxLength", "pattern", "format"}:
        return "string"
    numeric = [schema[k] for k in _NUMERIC_KEYWORDS if k in schema]
    if numeric:
        return "integer" if all(isinstance(v, int) for v in numeric) else "number"
    return _type_for_name(name)


def _type_for_name(name: str | None) -> str:
    """A bare `{}` property still deserves a plausible type: `count` is a number, `is_open` a flag."""
    key = name or ""
    if key.lower().startswith(("is_", "has_", "can_")):
        return "boolean"
    if key == "id" or key.endswith(("_id", "Id")):
        return "string"
    hint = number_range_for(key)
    if hint is not None:
        return "integer" if hint[2] in ("count", "int") else "number"
    return "string"


def _singular(name: str | None) -> str | None:
    if not name:
        return name
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("ses", "xes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


class ValueBuilder:
    """One walk over a `returns` schema with one rng and one set of arguments to echo.

    `value` raises `Unsatisfiable` when no value can be built (`false`, an empty range, a `$ref`
    cycle); `simulator.values.schema_sim` turns that into a warning or a `returns_problems` line."""

    def __init__(self, root: Any, args: dict[str, Any], rng: random.Random, tool: str,
                 today: date | None = None) -> None:
        self.root = root
        self.args = args
        self.rng = rng
        self.tool = tool
        self.today = today  # dates and times are drawn around it (the episode's simulated day)
        self.root_validator = validator_for(root)

    def fits(self, schema: Any, value: Any) -> bool:
        return self.root_validator.evolve(schema=schema).is_valid(value)

    def resolve(self, ref: str) -> Any:
        """The subschema a local JSON-pointer `$ref` (`#/$defs/item`) points at."""
        if not ref.startswith("#"):
            raise Unsatisfiable(f"only local $ref is supported, got {ref!r}")
        target: Any = self.root
        try:
            for part in [p for p in ref[1:].split("/") if p]:
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else target[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise Unsatisfiable(f"unresolvable $ref {ref!r}") from None
        return target

    def value(self, schema: Any, name: str | None = None, depth: int = 0, echo: bool = True) -> Any:
        if depth > HARD_DEPTH or schema is False:
            raise Unsatisfiable("unsatisfiable schema")
        if schema is True:
            schema = {}
        hops = 0
        while isinstance(schema, dict) and "$ref" in schema:  # refs may point at refs
            hops += 1
            if hops > HARD_DEPTH:
                raise Unsatisfiable("a $ref cycle")
            target = self.resolve(schema["$ref"])
            rest = _without(schema, "$ref")
            schema = _merge(target, rest) if isinstance(target, dict) else target
        if schema is True or schema is False:
            return self.value(schema, name, depth + 1, echo)
        if "allOf" in schema:
            merged = _without(schema, "allOf")
            for part in schema["allOf"]:
                part = self.resolve(part["$ref"]) if isinstance(part, dict) and "$ref" in part else part
                if isinstance(part, dict):
                    merged = _merge(merged, part)
            schema = merged
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if echo and name and name in self.args and self.fits(schema, self.args[name]):
            return copy.deepcopy(self.args[name])
        if "enum" in schema:
            rest = _without(schema, "enum")
            options = [v for v in schema["enum"] if self.fits(rest, v)] or list(schema["enum"])
            if not options:
                raise Unsatisfiable("empty enum")
            return copy.deepcopy(self.rng.choice(options))
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                return self.branch(schema, keyword, name, depth, echo)
        kind = _infer_type(schema, name)
        maker = getattr(self, f"make_{kind}", None)
        if maker is None:
            raise Unsatisfiable(f"unknown type {kind!r}")
        return maker(schema, name, depth, echo)

    def branch(self, schema: dict[str, Any], keyword: str, name: str | None, depth: int, echo: bool) -> Any:
        """The first branch whose value satisfies the whole schema (for oneOf: exactly one branch)."""
        rest = _without(schema, keyword)
        candidate: Any = None
        found = False
        for option in schema[keyword]:
            if option is False:
                continue
            combined = _merge(rest, option if isinstance(option, dict) else {})
            for _ in range(3):
                try:
                    candidate = self.value(combined, name, depth + 1, echo)
                except Unsatisfiable:
                    break
                found = True
                if self.fits(schema, candidate):
                    return candidate
        if not found:
            raise Unsatisfiable(f"no {keyword} branch can be generated")
        return candidate

    # ------------------------------------------------------------ one maker per JSON type

    def make_null(self, schema: dict, name: str | None, depth: int, echo: bool) -> None:
        return None

    def make_boolean(self, schema: dict, name: str | None, depth: int, echo: bool) -> bool:
        key = (name or "").lower()
        if key in ("success", "ok", "available", "valid", "verified", "enabled", "active", "confirmed"):
            return self.rng.random() < 0.9
        return self.rng.random() < 0.5

    def make_object(self, schema: dict, name: str | None, depth: int, echo: bool) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        required: list[str] = list(schema.get("required", []))
        extra_schema = schema.get("additionalProperties", True)
        shallow = depth >= MAX_DEPTH
        out: dict[str, Any] = {}
        for key, sub in props.items():
            if sub is False or (shallow and key not in required):
                continue
            out[key] = self.value(sub, key, depth + 1, echo)
        dependent = schema.get("dependentRequired", {})
        wanted = required + [d for k, deps in dependent.items() if k in out for d in deps]
        for key in wanted:
            if key not in out:
                if key not in props and extra_schema is False:
                    raise Unsatisfiable(f"required {key!r} is not allowed")
                out[key] = self.value(props.get(key, extra_schema), key, depth + 1, echo)
        if extra_schema is not False:
            target = schema.get("minProperties", 0)
            while len(out) < target:
                key = next(w for w in (fake_word(self.rng), *WORDS, f"field_{len(out)}") if w not in out)
                out[key] = self.value(extra_schema, key, depth + 1, echo)
        limit = schema.get("maxProperties")
        if limit is not None:
            for key in [k for k in reversed(list(out)) if k not in wanted]:
                if len(out) <= limit:
                    break
                del out[key]
        _url_on_its_domain(out)
        return out

    def make_array(self, schema: dict, name: str | None, depth: int, echo: bool) -> list[Any]:
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", max(low, 3))
        prefix: list[Any] = schema.get("prefixItems", [])
        items = schema.get("items", True)
        if items is False:
            high = min(high, len(prefix))
        count = low if depth >= MAX_DEPTH else self.rng.randint(min(max(low, 1), high), min(high, max(low, 3)))
        if "enum" in (items if isinstance(items, dict) else {}) and schema.get("uniqueItems"):
            count = min(count, max(low, len(items["enum"])))
        element = _singular(name)
        out: list[Any] = []
        seen: set[str] = set()
        for index in range(count):
            sub = prefix[index] if index < len(prefix) else items
            for attempt in range(12):
                value = self.value(sub, element, depth + 1, echo and index == 0 and attempt == 0)
                key = json.dumps(value, sort_keys=True, default=str)
                if not schema.get("uniqueItems") or key not in seen:
                    break
            else:
                if len(out) >= low:
                    break
            seen.add(key)
            out.append(value)
        contains = schema.get("contains")
        if contains is not None and not any(self.fits(contains, v) for v in out):
            made = self.value(contains, element, depth + 1, False)
            out[:1] = [made] if out and len(out) >= high else [made, *out[:1]]
        return out

    def make_string(self, schema: dict, name: str | None, depth: int, echo: bool) -> str:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        pattern = schema.get("pattern")
        if pattern is not None:
            for _ in range(8):
                try:
                    text = fake_from_pattern(pattern, self.rng)
                except PatternTooComplex:
                    break
                if len(text) >= low and (high is None or len(text) <= high):
                    return text
        text = None
        if self.today is not None and (schema.get("format") in ("date", "date-time") or is_date_name(name)):
            text = date_near(name, self.today, self.rng, with_time=schema.get("format") == "date-time"
                             or (schema.get("format") is None and is_timestamp_name(name)))
        if text is None and "format" in schema:
            text = string_for_format(schema["format"], self.rng)
        if text is None:
            text = string_for_name(name, self.rng, self.tool) or fake_word(self.rng)
        if high is not None and len(text) > high:
            text = text[:high].rstrip() if len(text[:high].rstrip()) >= low else text[:high]
        while len(text) < low:
            text += self.rng.choice(string.ascii_lowercase)
        return text

    def make_integer(self, schema: dict, name: str | None, depth: int, echo: bool) -> int:
        return integer_for(schema, name, self.rng)

    def make_number(self, schema: dict, name: str | None, depth: int, echo: bool) -> float | int:
        return number_for(schema, name, self.rng)


_FAKE_URL_HOST = "https://www.example.com/"


def _url_on_its_domain(obj: dict[str, Any]) -> None:
    """A search hit's drawn `url` on the `domain` drawn beside it (reddit.com, not example.com)."""
    url, domain = obj.get("url"), obj.get("domain")
    if (isinstance(url, str) and url.startswith(_FAKE_URL_HOST) and isinstance(domain, str)
            and "." in domain and " " not in domain):
        obj["url"] = f"https://{domain}/{url[len(_FAKE_URL_HOST):]}"
