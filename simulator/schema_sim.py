"""The generic simulator behind schema-only tools (`tools.yaml`): realistic values from a schema.

`simulate(spec, args, seed)` walks the tool's `returns` schema and builds a value that validates
against it, choosing realistic content from property names (`email`, `city`, `order_id`,
`total`, `created_at`, ...) and echoing arguments of the same name (APIs echo the ids they are
given). The result is a pure function of (tool name, canonical arguments, seed): the same call in
an episode gets the same answer, and different arguments or seeds get different ones.

Supported keywords: type (and lists of types), properties/required/additionalProperties/
min-/maxProperties/dependentRequired, enum, const, minimum/maximum/exclusive*, multipleOf,
min-/maxLength, pattern (simple regexes; see `fakes.fake_from_pattern`), format (email, date,
date-time, time, uri, uuid, ipv4, ipv6, hostname, duration), items/prefixItems/min-/maxItems/
uniqueItems/contains, anyOf/oneOf (first branch that works), allOf (merged), `$ref` into the
schema itself (`#/$defs/...`). A value is re-drawn a few times when the whole result does not
validate; schemas beyond this subset get a best-effort value and a one-time warning.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import random
import string
from typing import Any

from simulator import fakes
from simulator.config import ToolSpec
from simulator.fakes import number_range_for, string_for_format, string_for_name
from simulator.validation import schema_errors, validator_for

log = logging.getLogger(__name__)

MAX_DEPTH = 6  # beyond it objects get only required properties and arrays only minItems
HARD_DEPTH = 24  # recursive schemas that require themselves this deep are unsatisfiable
ATTEMPTS = 4
_VERBS = (
    "get", "fetch", "find", "lookup", "search", "list", "check", "create", "add", "book", "make",
    "update", "set", "delete", "remove", "cancel", "send", "submit", "schedule", "reserve", "place",
)
_NUMERIC_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_warned: set[str] = set()


class _Impossible(Exception):
    """No value can satisfy a (sub)schema, e.g. `false` or an empty range."""


def _rng_for(name: str, args: dict[str, Any], seed: int) -> random.Random:
    canonical = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{name}\x00{canonical}\x00{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def tool_noun(tool: str) -> str:
    """`book_flight` → `flight`, `get_weather` → `weather`: the thing a tool is about."""
    parts = tool.replace("-", "_").replace(".", "_").lower().split("_")
    rest = parts[1:] if len(parts) > 1 and parts[0] in _VERBS else parts
    return "_".join(p for p in rest if p) or tool


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two schemas that must both hold (allOf, or a branch plus its parent's keywords)."""
    merged = {**base, **extra}
    if "properties" in base and "properties" in extra:
        merged["properties"] = {**base["properties"], **extra["properties"]}
    if "required" in base and "required" in extra:
        merged["required"] = list(dict.fromkeys(base["required"] + extra["required"]))
    if "type" in base and "type" in extra:
        left = base["type"] if isinstance(base["type"], list) else [base["type"]]
        right = extra["type"] if isinstance(extra["type"], list) else [extra["type"]]
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


class _Builder:
    """One walk over a `returns` schema with one rng and one set of arguments to echo."""

    def __init__(self, root: Any, args: dict[str, Any], rng: random.Random, tool: str) -> None:
        self.root = root
        self.args = args
        self.rng = rng
        self.tool = tool
        self.root_validator = validator_for(root)

    def fits(self, schema: Any, value: Any) -> bool:
        return self.root_validator.evolve(schema=schema).is_valid(value)

    def resolve(self, ref: str) -> Any:
        """The subschema a local JSON-pointer `$ref` (`#/$defs/item`) points at."""
        if not ref.startswith("#"):
            raise _Impossible(f"only local $ref is supported, got {ref!r}")
        target: Any = self.root
        try:
            for part in [p for p in ref[1:].split("/") if p]:
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else target[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise _Impossible(f"unresolvable $ref {ref!r}") from None
        return target

    def value(self, schema: Any, name: str | None = None, depth: int = 0, echo: bool = True) -> Any:
        if depth > HARD_DEPTH or schema is False:
            raise _Impossible("unsatisfiable schema")
        if schema is True:
            schema = {}
        hops = 0
        while isinstance(schema, dict) and "$ref" in schema:  # refs may point at refs
            hops += 1
            if hops > HARD_DEPTH:
                raise _Impossible("a $ref cycle")
            target = self.resolve(schema["$ref"])
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = _merge(target, rest) if isinstance(target, dict) else target
        if schema is True or schema is False:
            return self.value(schema, name, depth + 1, echo)
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
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
            rest = {k: v for k, v in schema.items() if k != "enum"}
            options = [v for v in schema["enum"] if self.fits(rest, v)] or list(schema["enum"])
            if not options:
                raise _Impossible("empty enum")
            return copy.deepcopy(self.rng.choice(options))
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                return self.branch(schema, keyword, name, depth, echo)
        kind = _infer_type(schema, name)
        maker = getattr(self, f"make_{kind}", None)
        if maker is None:
            raise _Impossible(f"unknown type {kind!r}")
        return maker(schema, name, depth, echo)

    def branch(self, schema: dict[str, Any], keyword: str, name: str | None, depth: int, echo: bool) -> Any:
        """The first branch whose value satisfies the whole schema (for oneOf: exactly one branch)."""
        rest = {k: v for k, v in schema.items() if k != keyword}
        candidate: Any = None
        found = False
        for option in schema[keyword]:
            if option is False:
                continue
            combined = _merge(rest, option if isinstance(option, dict) else {})
            for _ in range(3):
                try:
                    candidate = self.value(combined, name, depth + 1, echo)
                except _Impossible:
                    break
                found = True
                if self.fits(schema, candidate):
                    return candidate
        if not found:
            raise _Impossible(f"no {keyword} branch can be generated")
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
                    raise _Impossible(f"required {key!r} is not allowed")
                out[key] = self.value(props.get(key, extra_schema), key, depth + 1, echo)
        if extra_schema is not False:
            target = schema.get("minProperties", 0)
            while len(out) < target:
                key = next(w for w in (fakes.fake_word(self.rng), *fakes.WORDS, f"field_{len(out)}") if w not in out)
                out[key] = self.value(extra_schema, key, depth + 1, echo)
        limit = schema.get("maxProperties")
        if limit is not None:
            for key in [k for k in reversed(list(out)) if k not in wanted]:
                if len(out) <= limit:
                    break
                del out[key]
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
                    text = fakes.fake_from_pattern(pattern, self.rng)
                except fakes.PatternTooComplex:
                    break
                if len(text) >= low and (high is None or len(text) <= high):
                    return text
        text = None
        if "format" in schema:
            text = string_for_format(schema["format"], self.rng)
        if text is None:
            text = string_for_name(name, self.rng, self.tool) or fakes.fake_word(self.rng)
        if high is not None and len(text) > high:
            text = text[:high].rstrip() if len(text[:high].rstrip()) >= low else text[:high]
        while len(text) < low:
            text += self.rng.choice(string.ascii_lowercase)
        return text

    def make_integer(self, schema: dict, name: str | None, depth: int, echo: bool) -> int:
        low, high = _schema_range(schema, integer=True)
        lo, hi = _preferred_range(low, high, name, integer=True)
        step = schema.get("multipleOf")
        if step is None:
            return self.rng.randint(lo, hi)
        if float(step).is_integer():
            return self._integer_multiple(int(step), lo, hi, low, high)
        for a, b in ((lo, hi), (low, min(high, low + 5000)) if low != -math.inf else (hi - 5000, hi)):
            matches = [v for v in range(a, b + 1) if _is_multiple(v, step)]
            if matches:
                return self.rng.choice(matches)
        raise _Impossible("no integer multiple of the step in range")

    def _integer_multiple(self, step: int, lo: int, hi: int, low: float, high: float) -> int:
        """A multiple of `step` in the preferred range, else the one nearest to it in the schema's."""
        first, last = math.ceil(lo / step), math.floor(hi / step)
        if first <= last:
            return self.rng.randint(first, last) * step
        if first * step <= high:
            return first * step
        if last * step >= low:
            return last * step
        raise _Impossible("no multiple of the step in range")

    def make_number(self, schema: dict, name: str | None, depth: int, echo: bool) -> float | int:
        low, high = _schema_range(schema, integer=False)
        lo, hi = _preferred_range(low, high, name, integer=False)
        step = schema.get("multipleOf")
        if step is not None:
            wide = (max(low, lo - 1000 * step), min(high, hi + 1000 * step))
            for a, b in ((lo, hi), wide):
                first, last = math.ceil(a / step), math.floor(b / step)
                candidates = [round(k * step, 10) for k in range(first, min(last, first + 5000) + 1)]
                candidates = [c for c in candidates if low <= c <= high and _is_multiple(c, step)]
                if candidates:
                    return self.rng.choice(candidates)
            raise _Impossible("no multiple of the step in range")
        hint = number_range_for(name)
        if hint is not None and hint[2] == "money" and hi - lo >= 1:
            value = fakes.fake_amount(self.rng, lo, hi)
        else:
            value = round(self.rng.uniform(lo, hi), 2)
        return value if lo <= value <= hi else (lo + hi) / 2


def _schema_range(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    """The schema's inclusive range (possibly infinite), exclusive bounds moved inwards: to the
    next integer, or by a cent for numbers (by less when the range is narrower than that)."""
    low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if integer:
        if ex_low is not None:
            low = max(low, math.floor(ex_low) + 1)
        if ex_high is not None:
            high = min(high, math.ceil(ex_high) - 1)
        low = math.ceil(low) if low != -math.inf else low
        high = math.floor(high) if high != math.inf else high
    else:
        outer_low = max(low, ex_low) if ex_low is not None else low
        outer_high = min(high, ex_high) if ex_high is not None else high
        nudge = min(0.01, (outer_high - outer_low) / 4) if outer_high != math.inf and outer_low != -math.inf else 0.01
        if ex_low is not None:
            low = max(low, ex_low + nudge)
        if ex_high is not None:
            high = min(high, ex_high - nudge)
    if low > high:
        raise _Impossible("empty numeric range")
    return low, high


def _preferred_range(low: float, high: float, name: str | None, integer: bool) -> tuple[Any, Any]:
    """The name's realistic range (`quantity` 1–5, `total` 5–500, else 1–100) clipped to the
    schema's; the schema's own range (at most 100 wide) when the two barely overlap."""
    hint = number_range_for(name)
    want_low, want_high = (hint[0], hint[1]) if hint else (1, 100)
    lo, hi = max(low, want_low), min(high, want_high)
    if lo >= hi and low < high:
        lo = low if low != -math.inf else high - 100
        hi = high if high != math.inf else lo + 100
    if integer:
        lo, hi = math.ceil(lo), math.floor(hi)
        if lo > hi:
            raise _Impossible("empty integer range")
    return lo, hi


def _is_multiple(value: float, step: float) -> bool:
    """The same test jsonschema applies (float division must give an exact integer)."""
    if isinstance(step, float):
        quotient = value / step
        return int(quotient) == quotient
    return value % step == 0


def _default_result(spec: ToolSpec, args: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Without a `returns` schema: an acknowledgement that names a new id and echoes the call."""
    noun = tool_noun(spec.name)
    prefix = "".join(c for c in noun.upper() if c.isalpha())[:3] or "ID"
    result: dict[str, Any] = {"status": "ok", f"{noun}_id": f"{prefix}-{fakes.digits(rng, 6)}"}
    result.update(copy.deepcopy(args))
    return result


def simulate(spec: ToolSpec, args: dict[str, Any], seed: int) -> Any:
    """A realistic result of calling `spec` with `args`, valid against `spec.returns` when given."""
    rng = _rng_for(spec.name, args, seed)
    if spec.returns is None:
        return _default_result(spec, args, rng)
    builder = _Builder(spec.returns, args, rng, spec.name)
    validator = validator_for(spec.returns)
    value: Any = None
    for _ in range(ATTEMPTS):
        try:
            value = builder.value(spec.returns)
        except _Impossible as exc:
            _warn_once(spec.name, f"cannot generate a result: {exc}")
            return {"status": "ok"}
        if validator.is_valid(value):
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
        builder = _Builder(spec.returns, {}, random.Random(seed), spec.name)
        try:
            value = builder.value(spec.returns)
        except _Impossible as exc:
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
