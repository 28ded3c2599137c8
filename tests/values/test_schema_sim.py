import json
import re
import uuid
from datetime import date, datetime
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from simulator.spec import ToolSpec
from simulator.values.schema_sim import returns_problems, simulate, tool_noun

# Stricter than the installed jsonschema, which skips date-time/time/uri without optional packages.
CHECKER = FormatChecker(formats=("email", "date", "uuid", "ipv4", "ipv6"))
CHECKER.checks("date-time", raises=ValueError)(lambda v: not isinstance(v, str) or bool(datetime.fromisoformat(v)))
CHECKER.checks("time")(lambda v: not isinstance(v, str) or bool(re.fullmatch(r"\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", v)))
CHECKER.checks("uri")(lambda v: not isinstance(v, str) or bool(urlparse(v).scheme and urlparse(v).netloc))


def spec(returns=None, name="get_thing"):
    return ToolSpec(name=name, description="test tool", returns=returns)


def assert_valid(schema, value):
    errors = list(Draft202012Validator(schema, format_checker=CHECKER).iter_errors(value))
    assert not errors, (value, [e.message for e in errors])


ORDER = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "pattern": r"^ORD-\d{5}$"},
        "email": {"type": "string", "format": "email"},
        "customer_name": {"type": "string"},
        "total": {"type": "number", "minimum": 0},
        "quantity": {"type": "integer", "minimum": 1},
        "status": {"enum": ["processing", "shipped"]},
        "created_at": {"type": "string", "format": "date-time"},
        "note": {"type": ["string", "null"]},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}, "minItems": 1, "maxItems": 3},
    },
    "required": ["order_id"],
    "additionalProperties": False,
    "$defs": {"line": {"type": "object", "properties": {"sku": {"type": "string"}, "price": {"type": "number"}}}},
}


def test_realistic_values_from_property_names_and_all_properties_filled():
    value = simulate(spec(ORDER), {}, seed=1)
    assert_valid(ORDER, value)
    assert set(value) == set(ORDER["properties"])
    assert re.match(r"^[A-Z][a-z]+ [A-Z]", value["customer_name"])
    assert 5 <= value["total"] <= 500 and 1 <= value["quantity"] <= 5
    assert value["lines"][0]["sku"].startswith("SKU-")


def test_arguments_of_the_same_name_are_echoed_when_they_fit():
    value = simulate(spec(ORDER), {"order_id": "ORD-48291", "status": "shipped", "quantity": 0}, seed=1)
    assert value["order_id"] == "ORD-48291" and value["status"] == "shipped"
    assert value["quantity"] >= 1  # 0 breaks minimum: not echoed


def test_echo_reaches_nested_objects_but_only_the_first_array_element():
    schema = {"type": "object", "properties": {"orders": {
        "type": "array", "minItems": 3, "maxItems": 3,
        "items": {"type": "object", "properties": {"order_id": {"type": "string"}}},
    }}}
    orders = simulate(spec(schema), {"order_id": "ORD-11111"}, seed=0)["orders"]
    assert orders[0]["order_id"] == "ORD-11111"
    assert all(o["order_id"] != "ORD-11111" for o in orders[1:])


def test_deterministic_and_sensitive_to_arguments_and_seed():
    base = simulate(spec(ORDER), {"email": "a@b.co"}, seed=3)
    assert simulate(spec(ORDER), {"email": "a@b.co"}, seed=3) == base
    assert simulate(spec(ORDER), {"email": "x@b.co"}, seed=3) != base
    assert simulate(spec(ORDER), {"email": "a@b.co"}, seed=4) != base
    assert simulate(spec(ORDER, name="other_tool"), {"email": "a@b.co"}, seed=3) != base


def test_argument_key_order_does_not_matter():
    assert simulate(spec(ORDER), {"a": 1, "b": 2}, 0) == simulate(spec(ORDER), {"b": 2, "a": 1}, 0)


def test_without_returns_a_plausible_acknowledgement_echoing_the_call():
    value = simulate(spec(None, name="book_flight"), {"origin": "SFO", "seats": 2}, seed=0)
    assert value["status"] == "ok" and re.match(r"^FLI-\d{6}$", value["flight_id"])
    assert value["origin"] == "SFO" and value["seats"] == 2


@pytest.mark.parametrize("tool,noun", [("book_flight", "flight"), ("get_weather", "weather"), ("weather", "weather"), ("lookup_order", "order")])
def test_tool_noun(tool, noun):
    assert tool_noun(tool) == noun


@pytest.mark.parametrize("schema", [
    {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    {"anyOf": [{"type": "string", "maxLength": 0}, {"type": "integer"}], "not": {"type": "string"}},
    {"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": True, "minItems": 3},
    {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 100}, "contains": {"minimum": 99}},
    {"type": "array", "prefixItems": [{"type": "string", "format": "uuid"}, {"type": "boolean"}], "items": False},
    {"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 7},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
    {"type": "number", "minimum": 1, "maximum": 3, "multipleOf": 0.25},
    {"type": "string", "minLength": 40},
    {"type": "object", "properties": {"email": {"type": "string", "maxLength": 4}}},
    {"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer"}},
    {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "maxProperties": 1, "required": ["b"]},
    {"type": "object", "properties": {"a": {"type": "integer"}}, "dependentRequired": {"a": ["b"]}},
    {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}}, {"required": ["b"]}]},
    {"type": "object", "properties": {"when": {"type": "string", "format": "time"}, "site": {"format": "uri"}}},
    {"$defs": {"node": {"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}, "$ref": "#/$defs/node"},
    {"type": "string", "pattern": r"^[A-Z]{3}-\d{2,4}$", "maxLength": 6},
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"type": "integer", "minimum": 5}}, "$ref": "#/$defs/a"},
])
def test_supported_keywords(schema):
    for seed in range(10):
        assert_valid(schema, simulate(spec(schema), {}, seed))
    assert returns_problems(spec(schema)) == []


def test_an_unsupported_pattern_is_reported_by_returns_problems():
    problems = returns_problems(spec({"type": "string", "pattern": r"^(?=a)\w+$"}))
    assert problems and "does not match" in problems[0]


def test_a_ref_cycle_is_reported_not_looped_forever():
    cycle = {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    assert "$ref cycle" in returns_problems(spec(cycle))[0]


def test_an_unsatisfiable_schema_is_reported_and_simulate_degrades():
    impossible = {"type": "object", "properties": {"x": False}, "required": ["x"], "additionalProperties": False}
    assert "cannot generate" in returns_problems(spec(impossible))[0]
    assert simulate(spec(impossible), {}, 0) == {"status": "ok"}


# ---------------------------------------------------------------- property-based

NAMES = ["email", "name", "city", "order_id", "total", "count", "created_at", "status", "description",
         "url", "phone", "price", "id", "title", "code", "rating", "tags", "value", "data", "zz", "x1"]
PATTERNS = [r"^ORD-\d{5}$", r"^[A-Z]{2,3}$", r"^[a-z]+(-[a-z0-9]+)*$", r"^(red|green|blue)-\d$", r"\d{3}"]
FORMATS = ["email", "date", "date-time", "uuid", "ipv4", "uri", "time"]


@st.composite
def string_schema(draw):
    """(schema, entropic): entropic when 20 seeds are all but certain to give 2+ values."""
    variant = draw(st.sampled_from(["plain", "pattern", "format"]))
    if variant == "pattern":
        return {"type": "string", "pattern": draw(st.sampled_from(PATTERNS))}, True
    if variant == "format":
        return {"type": "string", "format": draw(st.sampled_from(FORMATS))}, True
    schema: dict = {"type": "string"}
    low = draw(st.none() | st.integers(0, 12))
    high = draw(st.none() | st.integers(low or 0, 30))
    if low is not None:
        schema["minLength"] = low
    if high is not None:
        schema["maxLength"] = high
    return schema, high is None or high >= 3


@st.composite
def integer_schema(draw):
    schema: dict = {"type": "integer"}
    low = draw(st.integers(-10**6, 10**6))
    width = draw(st.integers(0, 10**4))
    step = draw(st.none() | st.integers(1, 9))
    if draw(st.booleans()):
        schema["minimum"] = low
    else:
        schema["exclusiveMinimum"] = low - 1
    if draw(st.booleans()):
        schema["maximum"] = low + width + (step or 1) * 2
    if step:
        schema["multipleOf"] = step
    high = schema.get("maximum", low + 10**6)
    return schema, (high - low) >= 20 * (step or 1)


@st.composite
def number_schema(draw):
    schema: dict = {"type": "number"}
    low = draw(st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)))
    width = draw(st.floats(0.5, 1e4))
    schema["exclusiveMinimum" if draw(st.booleans()) else "minimum"] = low
    schema["exclusiveMaximum" if draw(st.booleans()) else "maximum"] = round(low + width, 3)
    if draw(st.booleans()):
        schema["multipleOf"] = draw(st.sampled_from([0.5, 0.25, 2.5, 1]))
        schema["maximum"] = round(low + width + 5, 3)
        schema.pop("exclusiveMaximum", None)
    return schema, True


SCALARS = st.none() | st.booleans() | st.integers(-100, 100) | st.text(max_size=6)


@st.composite
def leaf_schema(draw):
    kind = draw(st.sampled_from(["string", "integer", "number", "boolean", "null", "enum", "const", "typelist"]))
    if kind == "string":
        return draw(string_schema())
    if kind == "integer":
        return draw(integer_schema())
    if kind == "number":
        return draw(number_schema())
    if kind == "boolean":
        return {"type": "boolean"}, True
    if kind == "null":
        return {"type": "null"}, False
    if kind == "enum":
        options = draw(st.lists(SCALARS, min_size=1, max_size=5, unique_by=lambda v: json.dumps(v)))
        return {"enum": options}, len(options) >= 2
    if kind == "const":
        return {"const": draw(SCALARS)}, False
    inner, entropic = draw(string_schema() | integer_schema())
    return {**inner, "type": [inner["type"], "null"]}, entropic


@st.composite
def node_schema(draw, depth, defs):
    kinds = ["leaf", "leaf", "object", "array", "anyOf", "oneOf"] + (["ref"] if defs else [])
    kind = draw(st.sampled_from(kinds if depth < 3 else ["leaf"]))
    if kind == "leaf":
        return draw(leaf_schema())
    if kind == "ref":
        index = draw(st.integers(0, len(defs) - 1))
        return {"$ref": f"#/$defs/d{index}"}, defs[index][1]
    if kind == "object":
        names = draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
        children = [draw(node_schema(depth + 1, defs)) for _ in names]
        schema = {"type": "object", "properties": {n: c[0] for n, c in zip(names, children)}}
        schema["required"] = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        extra = draw(st.sampled_from(["absent", "false", "schema"]))
        if extra == "false":
            schema["additionalProperties"] = False
        elif extra == "schema":
            schema["additionalProperties"] = {"type": "integer"}
            schema["minProperties"] = len(names) + draw(st.integers(0, 2))
        return schema, any(c[1] for c in children)
    if kind == "array":
        if draw(st.booleans()):  # a tuple
            members = [draw(leaf_schema()) for _ in range(draw(st.integers(1, 3)))]
            schema = {"type": "array", "prefixItems": [m[0] for m in members], "items": False}
            schema["minItems"] = draw(st.integers(0, len(members)))
            return schema, any(m[1] for m in members)
        item, entropic = draw(node_schema(depth + 1, defs))
        low = draw(st.integers(0, 2))
        schema = {"type": "array", "items": item, "minItems": low}
        if draw(st.booleans()):
            schema["maxItems"] = draw(st.integers(max(low, 1), 5))
        if item.get("type") == "string" and set(item) == {"type", "pattern"} or item.get("format") in ("uuid", "email"):
            schema["uniqueItems"] = True
        return schema, entropic
    if kind == "anyOf":
        branches = [draw(node_schema(depth + 1, defs)) for _ in range(draw(st.integers(1, 3)))]
        return {"anyOf": [b[0] for b in branches]}, all(b[1] for b in branches)
    # oneOf over distinct JSON types, so that any value matches exactly one branch
    types = draw(st.lists(st.sampled_from(["string", "integer", "boolean", "null", "array", "object"]), min_size=1, max_size=3, unique=True))
    makers = {
        "string": string_schema(), "integer": integer_schema(), "boolean": st.just(({"type": "boolean"}, True)),
        "null": st.just(({"type": "null"}, False)), "array": st.just(({"type": "array", "items": {"type": "integer"}, "minItems": 1}, True)),
        "object": st.just(({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}, True)),
    }
    branches = [draw(makers[t]) for t in types]
    return {"oneOf": [b[0] for b in branches]}, all(b[1] for b in branches)


@st.composite
def returns_schema(draw):
    """(schema, entropic) with up to two `$defs` the schema may `$ref`."""
    defs = [draw(leaf_schema()) for _ in range(draw(st.integers(0, 2)))]
    schema, entropic = draw(node_schema(0, defs))
    if defs:
        schema = {**schema, "$defs": {f"d{i}": d[0] for i, d in enumerate(defs)}}
    return schema, entropic


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(returns_schema(), st.integers(0, 2**31))
@pytest.mark.slow
def test_generated_values_validate(case, seed):
    schema, _ = case
    assert Draft202012Validator.check_schema(schema) is None
    assert_valid(schema, simulate(spec(schema), {}, seed))


@PROPERTY_SETTINGS
@given(returns_schema(), st.dictionaries(st.sampled_from(NAMES), SCALARS | st.lists(SCALARS, max_size=3), max_size=5))
@pytest.mark.slow
def test_values_stay_valid_whatever_the_arguments_echo(case, args):
    schema, _ = case
    assert_valid(schema, simulate(spec(schema), args, seed=7))


@PROPERTY_SETTINGS
@given(returns_schema(), st.integers(0, 2**31))
@pytest.mark.slow
def test_same_inputs_same_value(case, seed):
    schema, _ = case
    assert simulate(spec(schema), {"q": 1}, seed) == simulate(spec(schema), {"q": 1}, seed)


@PROPERTY_SETTINGS
@given(returns_schema())
@pytest.mark.slow
def test_different_seeds_usually_give_different_values(case):
    schema, entropic = case
    values = {json.dumps(simulate(spec(schema), {}, seed), sort_keys=True) for seed in range(20)}
    if entropic:
        assert len(values) > 1


def test_formats_are_really_formatted():
    schema = {"type": "object", "properties": {f.replace("-", "_"): {"type": "string", "format": f} for f in FORMATS}}
    value = simulate(spec(schema), {}, 0)
    uuid.UUID(value["uuid"])
    date.fromisoformat(value["date"])
    assert_valid(schema, value)
