import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.core.messages import ToolCall
from simulator.spec import ToolSpec
from simulator.spec.validation import (
    argument_errors,
    format_path,
    parse_arguments,
    schema_errors,
    schema_problems,
    validator_for,
)

REFUND = ToolSpec(
    name="initiate_refund",
    description="Refund an order",
    parameters={
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "pattern": r"^ORD-\d{5}$"},
            "reason": {"type": "string", "enum": ["defective", "other"]},
            "amount": {"type": "number", "exclusiveMinimum": 0},
            "email": {"type": "string", "format": "email"},
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
            "items": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["order_id", "reason"],
        "additionalProperties": False,
    },
)


def errors(**args):
    return argument_errors(REFUND, args)


def test_valid_arguments_have_no_errors():
    assert errors(order_id="ORD-12345", reason="defective", amount=5.5, email="a@b.co") == []


def test_pattern_message_names_the_argument_and_shows_the_pattern_once_escaped():
    assert errors(order_id="ORD-12", reason="other") == [r"order_id: 'ORD-12' does not match '^ORD-\d{5}$'"]


def test_missing_required_argument():
    assert errors(order_id="ORD-12345") == ["missing required argument 'reason'"]


def test_unexpected_arguments_are_each_named():
    assert errors(order_id="ORD-12345", reason="other", note="x", tip=1) == [
        "unexpected argument 'note'", "unexpected argument 'tip'",
    ]


@pytest.mark.parametrize("args,expected", [
    ({"reason": "broken"}, "reason: 'broken' is not one of ['defective', 'other']"),
    ({"amount": 0}, "amount: 0 is less than or equal to the minimum of 0"),
    ({"amount": "5"}, "amount: '5' is not of type 'number'"),
    ({"email": "not-an-email"}, "email: 'not-an-email' is not a 'email'"),
    ({"address": {}}, "address: missing required property 'city'"),
    ({"address": {"city": "X", "zip": "1"}}, "address: unexpected property 'zip'"),
    ({"items": [1, "two"]}, "items[1]: 'two' is not of type 'integer'"),
])
def test_readable_messages(args, expected):
    assert errors(**{"order_id": "ORD-12345", "reason": "other", **args}) == [expected]


def test_all_problems_are_reported_not_just_the_first():
    found = errors(order_id="x", reason="y", amount=-1)
    assert len(found) == 3 and {f.split(":")[0] for f in found} == {"order_id", "reason", "amount"}


def test_schema_errors_work_on_any_schema_and_root_messages_have_no_path():
    assert schema_errors({"type": "object"}, []) == ["[] is not of type 'object'"]


def test_validators_are_compiled_once_per_schema_object():
    schema = {"type": "string"}
    assert validator_for(schema) is validator_for(schema)
    assert validator_for(schema) is not validator_for({"type": "string"})


def test_format_path():
    assert format_path(["items", 0, "sku"]) == "items[0].sku"
    assert format_path([]) == ""


# ---------------------------------------------------------------- schema problems

def test_valid_schema_has_no_problems():
    assert schema_problems(REFUND.parameters) == []
    assert schema_problems(True) == []


def test_schema_problems_are_readable_and_complete():
    problems = schema_problems({
        "type": "object",
        "properties": {"a": {"type": "strin"}, "b": {"type": "string", "pattern": "["}},
        "required": "a",
    })
    assert len(problems) == 3
    assert any(p.startswith("properties.a.type: 'strin' is not a JSON Schema type") for p in problems)
    assert "properties.b.pattern: '[' is not a 'regex'" in problems
    assert "required: 'a' is not of type 'array'" in problems


def test_a_schema_must_be_an_object():
    assert schema_problems(["type"]) == ["a schema must be an object or a boolean, got list"]


# ---------------------------------------------------------------- parse_arguments

@pytest.mark.parametrize("raw,expected", [
    ('{"order_id": "ORD-12345"}', ({"order_id": "ORD-12345"}, None)),
    ("{}", ({}, None)),
    ("[1]", (None, "arguments must be a JSON object, got an array")),
    ('"x"', (None, "arguments must be a JSON object, got a string")),
    ("3", (None, "arguments must be a JSON object, got a number")),
    ("null", (None, "arguments must be a JSON object, got null")),
])
def test_parse_arguments(raw, expected):
    assert parse_arguments(ToolCall(id="c1", name="t", arguments=raw)) == expected


@pytest.mark.parametrize("raw", ["{order_id: 1}", "", '{"a": 1'])
def test_parse_arguments_reports_bad_json(raw):
    value, problem = parse_arguments(ToolCall(id="c1", name="t", arguments=raw))
    assert value is None and problem.startswith("arguments are not valid JSON: ")


# ---------------------------------------------------------------- properties

PATTERNS = [r"^ORD-\d{5}$", r"^[A-Z]{2}$", r"^[a-z]+(-[a-z]+)*$"]


@st.composite
def property_and_value(draw):
    """A parameter schema and a value it accepts."""
    kind = draw(st.sampled_from(["enum", "pattern", "email", "integer", "number", "boolean", "array"]))
    if kind == "enum":
        options = draw(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5, unique=True))
        return {"type": "string", "enum": options}, draw(st.sampled_from(options))
    if kind == "pattern":
        pattern = draw(st.sampled_from(PATTERNS))
        return {"type": "string", "pattern": pattern}, draw(st.from_regex(pattern, fullmatch=True))
    if kind == "email":
        return {"type": "string", "format": "email"}, draw(st.emails())
    if kind == "integer":
        low = draw(st.integers(-1000, 1000))
        high = draw(st.integers(low, low + 1000))
        return {"type": "integer", "minimum": low, "maximum": high}, draw(st.integers(low, high))
    if kind == "number":
        low = draw(st.floats(-1e6, 1e6))
        return {"type": "number", "exclusiveMinimum": low}, draw(
            st.floats(low, low + 1e6, exclude_min=True, allow_nan=False)
        )
    if kind == "boolean":
        return {"type": "boolean"}, draw(st.booleans())
    values = draw(st.lists(st.text(max_size=5), min_size=1, max_size=4))
    return {"type": "array", "items": {"type": "string"}, "minItems": 1}, values


@st.composite
def tool_and_arguments(draw):
    names = draw(st.lists(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True), min_size=1, max_size=6, unique=True))
    properties, args = {}, {}
    for name in names:
        properties[name], args[name] = draw(property_and_value())
    required = draw(st.lists(st.sampled_from(names), unique=True))
    spec = ToolSpec(
        name="tool",
        description="generated",
        parameters={"type": "object", "properties": properties, "required": required, "additionalProperties": False},
    )
    return spec, args


WRONG_TYPE = {"string": 12, "integer": "12", "number": "1.5", "boolean": "yes", "array": {"a": 1}}


@given(tool_and_arguments())
@pytest.mark.slow
def test_valid_generated_arguments_are_accepted(case):
    spec, args = case
    assert schema_problems(spec.parameters) == []
    assert argument_errors(spec, args) == []


@given(tool_and_arguments(), st.data())
@pytest.mark.slow
def test_dropping_a_required_argument_is_rejected(case, data):
    spec, args = case
    if spec.required:
        name = data.draw(st.sampled_from(spec.required))
        del args[name]
        assert f"missing required argument '{name}'" in argument_errors(spec, args)


@given(tool_and_arguments(), st.data())
@pytest.mark.slow
def test_a_wrongly_typed_argument_is_rejected(case, data):
    spec, args = case
    name = data.draw(st.sampled_from(sorted(args)))
    args[name] = WRONG_TYPE[spec.parameters["properties"][name]["type"]]
    assert any(e.startswith(f"{name}: ") for e in argument_errors(spec, args))


@given(tool_and_arguments(), st.data())
@pytest.mark.slow
def test_a_value_outside_the_enum_is_rejected(case, data):
    spec, args = case
    enums = [n for n, s in spec.parameters["properties"].items() if "enum" in s]
    if enums:
        name = data.draw(st.sampled_from(enums))
        args[name] = "".join(spec.parameters["properties"][name]["enum"]) + "!"
        assert any(e.startswith(f"{name}: ") and "is not one of" in e for e in argument_errors(spec, args))


@given(tool_and_arguments())
@pytest.mark.slow
def test_an_unknown_argument_is_rejected(case):
    spec, args = case
    args["zz_unknown"] = 1
    assert "unexpected argument 'zz_unknown'" in argument_errors(spec, args)


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=4))
def test_parse_arguments_round_trips_objects(args):
    assert parse_arguments(ToolCall(id="c", name="t", arguments=json.dumps(args))) == (args, None)


def test_date_time_time_and_uri_formats_are_really_checked():
    from simulator.spec.validation import schema_errors

    assert schema_errors({"type": "string", "format": "date-time"}, "2026-11-21T10:00:00Z") == []
    assert schema_errors({"type": "string", "format": "date-time"}, "") != []
    assert schema_errors({"type": "string", "format": "date-time"}, "2026-13-40T10:00:00Z") != []
    assert schema_errors({"type": "string", "format": "time"}, "14:30:00Z") == []
    assert schema_errors({"type": "string", "format": "time"}, "half past two") != []
    assert schema_errors({"type": "string", "format": "uri"}, "https://example.com/a") == []
    assert schema_errors({"type": "string", "format": "uri"}, "not a uri") != []
