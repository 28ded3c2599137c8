"""Turn pydantic validation errors into `file:line: where: what` problems a YAML author can act on.

Pydantic's wording is written for Python programmers ("Input should be a valid dictionary or
instance of StateQuery", "Extra inputs are not permitted"). Authors of scenario files think in YAML
keys, so each error is rewritten: the location becomes `scenarios[3].turns[0].say`, the line comes
from `yaml_lines`, and the common error types get plain sentences (`unknown field 'persona'`,
`missing field 'goal'`, `must be one of positive, negative, ...`, `expected a number, got 'abc'`).
"""

from __future__ import annotations

import datetime
import difflib
import types
import typing
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator.core.errors import Problem
from simulator.core.yaml_lines import Loc, YamlDocument, format_loc

M = TypeVar("M", bound=BaseModel)

EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "none_required": "expected nothing (null)",
}
EXPECTED_MODEL = {
    "LocalizedText": "expected text, a list of texts, or a mapping of language (en, zh) to texts",
}
BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
BOUND_CTX = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}


def validate(model: type[M], value: Any, doc: YamlDocument, base: Loc = ()) -> tuple[M | None, list[Problem]]:
    """Validate `value` (found at `base` in `doc`) as `model`: the instance, or None and every problem."""
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, model, base)


def problems_from(exc: ValidationError, doc: YamlDocument, model: type[BaseModel], base: Loc = ()) -> list[Problem]:
    errors = exc.errors(include_url=False)
    misspelt = _misspelt_fields(errors, model)
    problems = []
    for error in errors:
        if error["type"] == "missing" and tuple(error["loc"]) in misspelt:
            continue  # `categry: x` reads as one mistake, "did you mean 'category'?", not two
        loc = base + tuple(error["loc"])
        where, message = describe_error(error, model)
        label = format_loc(base + where)
        problems.append(doc.problem(loc, f"{label}: {message}" if label else message))
    return problems


def describe_error(
    error: ErrorDetails, model: type[BaseModel] | None = None, from_yaml: bool = True
) -> tuple[Loc, str]:
    """The location to name in the message and a readable sentence for one pydantic error.
    `from_yaml`: the value was written in YAML (so `yes` or `2024-01-01` may need quotes)."""
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    got = f", got {describe_value(error['input'])}"
    instead = f" (got {describe_value(error['input'])})"
    if kind == "extra_forbidden":
        name = loc[-1]
        return loc[:-1], f"unknown field {name!r}{_suggestion(name, model, loc[:-1])}"
    if kind == "missing":
        return loc[:-1], f"missing field {loc[-1]!r}"
    if "[key]" in loc:  # a dict key of the wrong type: name the key, not a value
        key_loc = loc[: loc.index("[key]")]
        return key_loc[:-1], f"key {describe_value(key_loc[-1])}: {EXPECTED.get(kind, error['msg'])}"
    if kind in ("model_type", "model_attributes_type") and ctx.get("class_name") in EXPECTED_MODEL:
        return loc, EXPECTED_MODEL[ctx["class_name"]] + got
    if kind in EXPECTED:
        hint = _quote_hint(error["input"]) if kind == "string_type" and from_yaml else ""
        return loc, EXPECTED[kind] + got + hint
    if kind == "literal_error":
        options = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return loc, f"must be one of {options}{instead}"
    if kind == "string_pattern_mismatch":
        return loc, f"must match the pattern {ctx.get('pattern')}{instead}"
    if kind in BOUNDS:
        return loc, f"must be {BOUNDS[kind]} {ctx.get(BOUND_CTX[kind])}{instead}"
    if kind == "too_short":
        n = ctx.get("min_length")
        return loc, f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return loc, f"takes at most {ctx.get('max_length')} items"
    if kind in ("value_error", "assertion_error"):
        return loc, str(ctx.get("error", error["msg"]))
    return loc, error["msg"]


def describe_value(value: Any) -> str:
    """A value as the author wrote it in YAML, short enough for one line."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _quote_hint(value: Any) -> str:
    if isinstance(value, (bool, int, float, datetime.date)):
        return " (YAML read it as a non-text value; put it in quotes)"
    return ""


def _misspelt_fields(errors: list[ErrorDetails], model: type[BaseModel]) -> set[Loc]:
    """Locations of missing fields that an unknown field next to them is a misspelling of."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    found = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            close = _closest_field(loc[-1], model, loc[:-1])
            if close and loc[:-1] + (close,) in missing:
                found.add(loc[:-1] + (close,))
    return found


def _closest_field(name: Any, model: type[BaseModel] | None, loc: Loc) -> str | None:
    owner = _model_at(model, loc) if model else None
    if owner is None or not isinstance(name, str):
        return None
    close = difflib.get_close_matches(name, list(owner.model_fields), n=1)
    return close[0] if close else None


def _suggestion(name: Any, model: type[BaseModel] | None, loc: Loc) -> str:
    close = _closest_field(name, model, loc)
    if close:
        return f" (did you mean {close!r}?)"
    owner = _model_at(model, loc) if model else None
    return f" (known fields: {', '.join(owner.model_fields)})" if owner else ""


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the value at `loc` (to list its fields), when it is one."""
    current: Any = model
    for part in loc:
        current = _unwrap_optional(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) is list and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict and isinstance(part, str):
            current = typing.get_args(current)[1]
        else:
            return None
    current = _unwrap_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation
