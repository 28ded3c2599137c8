"""The AST-style check of one call's arguments against the answer key (BFCL's `simple_function_checker`,
on JSON-Schema tools and toolsim's answer keys).

In order, as BFCL does, the first failure is the reason:
1. every parameter the schema requires is present, and every argument the answer key does not
   mark optional;
2. no argument is unexpected: each is in the answer key, or is the schema's `default` for a
   parameter the reference left out (saying the default out loud is not a mistake);
3. each value has its parameter's JSON type — an integer is accepted for a `number`, nothing
   else is converted (`"5"` is not `5`, `1` is not `true`);
4. each value is one of the acceptable values (`simulator.export.answers.values_match`: strings
   case-, space- and punctuation-insensitive, numbers by value, lists as multisets, every scalar
   of an object compared), or any non-empty string for a free-text argument.

Alongside the verdict it counts arguments for per-argument precision and recall: `given` (what
the model passed), `right` (given and acceptable, or a schema default), `expected` (what the
reference passed) and `found` (expected and given with an acceptable value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.export.answers import CallAnswer, strictly_equal, values_match
from simulator.spec import ToolSpec

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "null": (type(None),),
}


@dataclass
class ArgCheck:
    ok: bool
    reason: str = ""
    given: int = 0
    right: int = 0
    expected: int = 0
    found: int = 0
    problems: list[str] = field(default_factory=list)


def has_type(value: Any, schema: dict[str, Any] | None) -> bool:
    """Whether `value` has the parameter's JSON type (no type given: anything goes)."""
    kind = (schema or {}).get("type")
    if kind is None:
        return True
    kinds = kind if isinstance(kind, list) else [kind]
    for name in kinds:
        allowed = _JSON_TYPES.get(name)
        if allowed is None:
            return True  # a type we do not know: not ours to fail
        if isinstance(value, bool) and bool not in allowed:
            continue
        if isinstance(value, allowed):
            return True
    return False


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def check_arguments(args: dict[str, Any], answer: CallAnswer, spec: ToolSpec | None) -> ArgCheck:
    """The AST check of one call to `answer.tool` (names already match)."""
    properties = (spec.parameters.get("properties") or {}) if spec is not None else {}
    required = spec.required if spec is not None else []
    check = ArgCheck(ok=True, given=len(args), expected=len(answer.reference))

    def fail(reason: str) -> None:
        check.problems.append(reason)
        if check.ok:
            check.ok, check.reason = False, reason

    for name in required:
        if name not in args:
            fail(f"missing required argument {name!r}")
    for name, key in answer.args.items():
        if name not in args and not key.optional and name not in required:
            fail(f"missing argument {name!r}")
    for name, value in args.items():
        schema = properties.get(name) if isinstance(properties.get(name), dict) else None
        key = answer.args.get(name)
        if key is None:
            if schema is not None and "default" in schema and strictly_equal(value, schema["default"]):
                check.right += 1
                continue
            fail(f"unexpected argument {name!r}")
            continue
        if not has_type(value, schema):
            fail(f"{name}: expected {(schema or {}).get('type')}, got {_type_name(value)} {value!r}")
            continue
        if key.free_text:
            good = isinstance(value, str) and bool(value.strip())
        else:
            good = any(values_match(value, wanted) for wanted in key.values)
        if good:
            check.right += 1
            check.found += name in answer.reference
        else:
            shown = ", ".join(repr(v) for v in key.values[:4]) + (" …" if len(key.values) > 4 else "")
            fail(f"{name}={value!r}, expected one of [{shown}]")
    return check


def exact_match(args: dict[str, Any], answer: CallAnswer) -> bool:
    """The call's arguments are the reference's, key for key and value for value (no normalising)."""
    return strictly_equal(args, answer.reference)
