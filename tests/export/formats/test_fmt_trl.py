import copy
import json

import fmt_cases as cases
import pytest

from simulator.export.formats import (
    get_converter,
    to_chat_template_messages,
    to_chat_template_tools,
)


def convert(record):
    converter = get_converter("trl")
    return converter.convert(record), converter


def test_columns_are_messages_and_a_list_of_tools():
    """TRL passes `tools` to apply_chat_template as it is: a JSON string fails in TRL 0.24."""
    row, _ = convert(cases.single_call())
    assert set(row) == {"messages", "tools"}
    assert row["tools"] == [cases.REFUND]


def test_arguments_are_objects_so_templates_render_them_once():
    record = cases.parallel_calls()
    row, _ = convert(record)
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant", "tool", "tool", "assistant"]
    assistant = row["messages"][2]
    assert assistant["content"] == "Let me check both."
    arguments = [c["function"]["arguments"] for c in assistant["tool_calls"]]
    assert arguments == [{"order_id": "ORD-11111"}, {"city": "Zürich", "days": 3}]
    assert [c["id"] for c in assistant["tool_calls"]] == ["call_a", "call_b"]


def test_messages_carry_only_their_own_keys():
    """Llama 3.1's template tests `'tool_calls' in message`: no padding keys. A call-only turn
    has an empty `content` (TRL 0.24 wants one on the first message of a DPO completion)."""
    row, _ = convert(cases.single_call())
    assert [sorted(m) for m in row["messages"]] == [
        ["content", "role"], ["content", "role"], ["content", "role", "tool_calls"],
        ["content", "name", "role", "tool_call_id"], ["content", "role"],
    ]
    assert row["messages"][2]["content"] == ""


def test_parallel_calls_split_or_skip_when_asked():
    converter = get_converter("trl", parallel_calls="split")
    row = converter.convert(cases.parallel_calls())
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert [len(m.get("tool_calls", [])) for m in row["messages"]] == [0, 0, 1, 0, 1, 0, 0]
    assert [m["tool_call_id"] for m in row["messages"] if m["role"] == "tool"] == ["call_a", "call_b"]
    assert converter.notes == {"parallel_calls_split": 1}
    skipping = get_converter("trl", parallel_calls="skip")
    assert skipping.convert(cases.parallel_calls()) is None and skipping.skipped == {"parallel_tool_calls": 1}


def test_malformed_arguments_skip_and_count():
    """A string that is not a JSON object cannot be rendered once by any template."""
    row, converter = convert(cases.malformed_arguments())
    assert row is None and converter.skipped == {"arguments_not_json_object": 1}


def test_tool_messages_get_the_name_of_the_call_they_answer():
    row, _ = convert(cases.parallel_calls())
    tool_messages = [m for m in row["messages"] if m["role"] == "tool"]
    assert [(m["tool_call_id"], m["name"]) for m in tool_messages] == [("call_a", "get_order"), ("call_b", "get_weather")]
    assert json.loads(tool_messages[0]["content"]) == {"status": "shipped", "eta": "2025-03-02"}


def test_converter_does_not_mutate_the_record():
    record = cases.parallel_calls()
    before = copy.deepcopy(record)
    convert(record)
    assert record == before


def test_to_chat_template_messages_parses_canonical_string_arguments():
    record = cases.odd_arguments()
    messages = to_chat_template_messages(record)
    arguments = [c["function"]["arguments"] for m in messages for c in m.get("tool_calls", [])]
    assert arguments == [{"order_id": 48291}, {"items": [{"sku": "A-1", "qty": 2}], "express": True, "note": None}]
    assert isinstance(record["messages"][2]["tool_calls"][0]["function"]["arguments"], str)  # record left untouched


def test_to_chat_template_messages_drops_keys_arrow_padded_with_null():
    """datasets < 5 loads every message with every key seen in the column, null where absent."""
    row, _ = convert(cases.single_call())
    every_key = {"role": None, "content": None, "tool_calls": None, "tool_call_id": None, "name": None}
    padded = {"messages": [every_key | m for m in row["messages"]]}
    messages = to_chat_template_messages(padded)
    assert "tool_calls" not in messages[1] and "tool_call_id" not in messages[1] and "name" not in messages[1]
    assert messages[3]["tool_call_id"] == "call_1" and messages[3]["name"] == "initiate_refund"
    assert messages[2]["tool_calls"][0]["function"]["arguments"] == {"order_id": "ORD-48291", "reason": "defective"}


def test_to_chat_template_messages_refuses_malformed_arguments():
    with pytest.raises(ValueError, match="not a JSON object"):
        to_chat_template_messages(cases.malformed_arguments())


def test_to_chat_template_tools():
    row, _ = convert(cases.parallel_calls())
    assert to_chat_template_tools(row) == [cases.ORDER, cases.WEATHER]
    assert to_chat_template_tools(convert(cases.no_tools_at_all())[0]) is None


def test_round_trip_through_datasets_keeps_every_value(tmp_path):
    """Arguments with different keys and types across rows, tools with different schemas,
    messages with different key sets: all load back unchanged, with no padded nulls."""
    converter = get_converter("trl")
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert converter.skipped == {"arguments_not_json_object": 1}
    cases.assert_round_trips(rows, tmp_path)


def test_loaded_rows_render_like_the_originals(tmp_path):
    converter = get_converter("trl")
    rows = [converter.convert(record) for record in cases.all_records()[:-1]]
    loaded = cases.load_back(rows, tmp_path)
    assert [to_chat_template_messages(r) for r in loaded] == [to_chat_template_messages(r) for r in rows]
    assert [to_chat_template_tools(r) for r in loaded] == [to_chat_template_tools(r) for r in rows]
