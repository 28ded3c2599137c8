"""What keeps a schema-only tool's results consistent with the conversation they answer.

The schema sim (`schema_sim.simulate`) draws a result from the `returns` schema and the call's
arguments alone. A conversation knows more: the user said "my lisinopril", and an earlier result
said what DOC-123 is called. `ResultEcho` (one per episode) rewrites a drawn result so that

1. a field named like a categorical argument (a parameter with an `enum`: `specialty`,
   `status`) says the argument in *every* item of a list — a search for cardiologists lists
   cardiologists, not one cardiologist and two dermatologists;
2. a field named like one of the episode's facts (its slots: what the user knows) says that
   fact — the medication named is the one returned. Only outside lists: a list holds other
   things than the one the user means (the user's `name` is not every doctor's);
3. an object that carries an identifier seen before (`DOC-123`, `RX-4821`) repeats what the
   earlier result said about it (`name`, `medication`), also under the linked name
   (`doctor_name` for the `name` of the object whose `doctor_id`/`id` it is). Identifiers
   themselves are never copied: `appointment_id` belongs to the new object.

Arguments win over facts, facts over memory, memory over the draw; a change that would break
the `returns` schema is not made. Results of Python sims and of a tool model are left alone.
An argument spelt in camelCase also matches the field spelt in snake_case (`orderId` echoes into
`order_id`, as APIs imported from OpenAPI often have it: `with_aliases`).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from simulator.spec.tools import ToolSpec
from simulator.spec.validation import validator_for

_ID_FIELD = re.compile(r"(^|_)(id|code|number|no|ref|sku)$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def with_aliases(args: Mapping[str, Any]) -> Mapping[str, Any]:
    """The arguments, plus each camelCase one under its snake_case name (`orderId` → `order_id`)
    unless that name is an argument itself. The same mapping when there is nothing to add."""
    aliases = {}
    for key, value in args.items():
        if any(c.isupper() for c in key):
            snake = _CAMEL.sub("_", key).lower()
            if snake != key and snake not in args:
                aliases[snake] = value
    return {**aliases, **args} if aliases else args
Scalar = (str, int, float, bool)


def _is_id(name: str) -> bool:
    return bool(_ID_FIELD.search(name))


def _said(value: Any) -> Any:
    """A fact as a result would carry it: a choice entry or a date by its code, else as is;
    None for what a field cannot hold (lists, mappings without a code)."""
    if isinstance(value, dict):
        value = value.get("code")
    return value if isinstance(value, Scalar) and value is not None else None


def _objects(value: Any, in_list: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every object of a result, with whether it sits in a list (at any depth)."""
    if isinstance(value, dict):
        yield value, in_list
        for child in value.values():
            yield from _objects(child, in_list)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child, True)


def _identifiers(obj: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in obj.items() if _is_id(k) and isinstance(v, (str, int)) and not isinstance(v, bool)]


class ResultEcho:
    """One episode's memory for schema-only results: its facts, and what results said per identifier."""

    def __init__(self, facts: Mapping[str, Any] | None = None) -> None:
        self.facts = {k: v for k, v in ((k, _said(v)) for k, v in (facts or {}).items()) if v is not None}
        self.known: dict[Any, dict[str, Any]] = {}  # identifier value -> field -> value

    def apply(self, spec: ToolSpec, args: Mapping[str, Any], value: Any) -> Any:
        """`value` made consistent with the call, the facts and earlier results (in place)."""
        if not isinstance(value, dict):
            return value
        changes = list(self._changes(spec, args, value))
        if changes:
            self._commit(spec, value, changes)
        self._remember(value, args)
        return value

    def _changes(self, spec: ToolSpec, args: Mapping[str, Any], value: dict[str, Any]) -> Iterator[tuple[dict, str, Any]]:
        properties = spec.parameters.get("properties", {}) if isinstance(spec.parameters, dict) else {}
        categorical = {k: v for k, v in args.items()
                       if isinstance(properties.get(k), dict) and "enum" in properties[k] and isinstance(v, Scalar)}
        for obj, in_list in _objects(value):
            remembered = self._remembered(obj)
            for key, current in list(obj.items()):
                if not isinstance(current, Scalar) or current is None:
                    continue
                if key in args:
                    wanted = args[key] if key in categorical or not in_list else current
                elif key in self.facts and not in_list:
                    wanted = self.facts[key]
                elif key in remembered and not _is_id(key):
                    wanted = remembered[key]
                else:
                    continue
                if wanted != current or type(wanted) is not type(current):
                    yield obj, key, wanted

    def _remembered(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """What earlier results said about the identifiers this object carries: `name` of DOC-1
        also reads as `doctor_name` in an object holding `doctor_id: DOC-1`."""
        found: dict[str, Any] = {}
        for key, ident in _identifiers(obj):
            fields = self.known.get(ident)
            if not fields:
                continue
            prefix = key[: -len("id")] if key.endswith("_id") else ""
            for name, v in fields.items():
                found.setdefault(name, v)
                if prefix and not name.startswith(prefix):
                    found.setdefault(prefix + name, v)
        return found

    def _commit(self, spec: ToolSpec, value: dict[str, Any], changes: list[tuple[dict, str, Any]]) -> None:
        """Make the changes that keep the result valid against `returns` (all at once when they
        do, else one by one)."""
        validator = validator_for(spec.returns) if spec.returns is not None else None
        old = [(obj, key, obj[key]) for obj, key, _ in changes]
        for obj, key, wanted in changes:
            obj[key] = wanted
        if validator is None or validator.is_valid(value):
            return
        for obj, key, previous in old:
            obj[key] = previous
        for obj, key, wanted in changes:
            previous = obj[key]
            obj[key] = wanted
            if not validator.is_valid(value):
                obj[key] = previous

    def _remember(self, value: dict[str, Any], args: Mapping[str, Any]) -> None:
        """Record each object's scalar fields under its own identifiers (first word wins): those
        the call did not pass, when there are any — `book_appointment(doctor_id)` answers about a
        new appointment, not about the doctor — else all (`check_prescription(rx_id)` answers
        about that prescription). `doctor_name` is also remembered as the `name` of `doctor_id`."""
        passed = {v for v in args.values() if isinstance(v, (str, int)) and not isinstance(v, bool)}
        for obj, _ in _objects(value):
            idents = _identifiers(obj)
            own = [(k, v) for k, v in idents if v not in passed]
            idents = own or idents
            if not idents:
                continue
            scalars = {k: v for k, v in obj.items() if isinstance(v, Scalar) and v is not None and not _is_id(k)}
            for key, ident in idents:
                entry = self.known.setdefault(ident, {})
                prefix = key[: -len("id")] if key.endswith("_id") else ""
                for name, v in scalars.items():
                    entry.setdefault(name, v)
                    if prefix and name.startswith(prefix) and len(name) > len(prefix):
                        entry.setdefault(name[len(prefix):], v)
