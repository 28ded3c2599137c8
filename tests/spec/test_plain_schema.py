"""The plain-schema predicate must never say yes where jsonschema finds an error (it would let a
bad call run), and should say yes to what jsonschema accepts, or it buys nothing."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from simulator.load.loader import load_pack
from simulator.spec.plain_schema import compile_check
from simulator.spec.validation import _FORMAT_CHECKER, schema_errors

ROOT = Path(__file__).resolve().parents[2]


def jsonschema_valid(schema, value) -> bool:
    return not any(Draft202012Validator(schema, format_checker=_FORMAT_CHECKER).iter_errors(value))


def check(schema):
    return compile_check(schema, _FORMAT_CHECKER)


STRINGS = st.sampled_from(["", "a", "ORD-12345", "ORD-1234", "x@y.com", "not an email", "2026-02-30",
                           "2026-03-04", "ab c", "Ünïcode", "US", "us", "defective"])
# Floats with a fraction only: jsonschema counts 2.0 as an integer, the predicate leaves it to jsonschema.
NUMBERS = st.integers(-5, 5) | st.sampled_from([-2.5, -0.5, 0.25, 1.5, 3.75])
SCALARS = STRINGS | NUMBERS | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=3),
    max_leaves=8,
)


def leaf_schemas():
    types = st.sampled_from(["string", "number", "integer", "boolean", "null", "object", "array"])
    return st.fixed_dictionaries({}, optional={
        "type": types | st.lists(types, min_size=1, max_size=3, unique=True),
        "enum": st.lists(STRINGS, min_size=1, max_size=3),
        "const": STRINGS,
        "pattern": st.sampled_from([r"^ORD-\d{5}$", r"[a-z]", r"^[A-Z]{2}$"]),
        "minLength": st.integers(0, 3),
        "maxLength": st.integers(0, 9),
        "format": st.sampled_from(["email", "date", "date-time", "uri"]),
        "minimum": NUMBERS,
        "maximum": NUMBERS,
        "exclusiveMinimum": NUMBERS,
        "exclusiveMaximum": NUMBERS,
        "multipleOf": st.sampled_from([2, 0.5, 0.25, 3]),
        "minItems": st.integers(0, 2),
        "maxItems": st.integers(0, 3),
        "uniqueItems": st.booleans(),
        "minProperties": st.integers(0, 2),
        "maxProperties": st.integers(0, 3),
        "description": st.just("annotation only"),
        "e.g. AAPL.": st.none(),  # a YAML slip: jsonschema ignores keys it does not know
        "default": SCALARS,
    })


SCHEMAS = st.recursive(
    leaf_schemas(),
    lambda inner: st.fixed_dictionaries(
        {"type": st.just("object")},
        optional={
            "properties": st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
            "required": st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=2),
            "additionalProperties": st.booleans() | inner,
        },
    ) | st.fixed_dictionaries({"type": st.just("array")}, optional={"items": inner, "minItems": st.integers(0, 2)}),
    max_leaves=6,
)


@given(SCHEMAS, VALUES)
@pytest.mark.slow
def test_the_predicate_agrees_with_jsonschema(schema, value):
    predicate = check(schema)
    assert predicate is not None  # every keyword generated here is one it copies
    valid = jsonschema_valid(schema, value)
    assert valid or not predicate(value)  # never a yes where jsonschema finds an error
    if "uniqueItems" not in repr(schema):  # unique non-strings are left to jsonschema's `uniq`
        assert predicate(value) == valid


@pytest.mark.parametrize("schema", [
    {"type": "object", "patternProperties": {"^x": {}}},
    {"anyOf": [{"type": "string"}]},
    {"enum": [1, 2]},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": "object", "properties": {"a": False}},
    {"$ref": "#/$defs/x", "$defs": {"x": {}}},
    {"type": "string", "pattern": "("},
])
def test_keywords_it_does_not_copy_leave_the_schema_to_jsonschema(schema):
    assert check(schema) is None


def test_an_integral_float_for_an_integer_is_left_to_jsonschema():
    predicate = check({"type": "integer"})
    assert predicate(3) and not predicate(3.0)
    assert schema_errors({"type": "integer"}, 3.0) == []  # jsonschema decides: 3.0 is an integer


def test_invalid_arguments_still_get_jsonschema_messages():
    schema = {"type": "object", "properties": {"order_id": {"type": "string", "pattern": r"^ORD-\d{5}$"}},
              "required": ["order_id"], "additionalProperties": False}
    assert schema_errors(schema, {"order_id": "ORD-12345"}) == []
    assert schema_errors(schema, {"order_id": "ORD-1"}) == ["order_id: 'ORD-1' does not match '^ORD-\\d{5}$'"]
    assert schema_errors(schema, {}) == ["missing required argument 'order_id'"]


@pytest.mark.parametrize("pack", ["customer_support", "office", "smart_home", "travel", "wuxia", "generalist"])
def test_every_tool_of_the_shipped_packs_gets_a_predicate(pack):
    tools = load_pack(ROOT / "scenarios" / f"{pack}.yaml").domain.tools
    compiled = [name for name, spec in tools.items() if check(spec.parameters) is not None]
    assert len(compiled) == len(tools), f"{pack}: only {compiled} of {sorted(tools)}"
