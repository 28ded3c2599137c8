import json

import fmt_cases as cases

from simulator.export.formats import get_converter
from simulator.export.formats.llama3 import TOOLS_PREAMBLE


def convert(record):
    converter = get_converter("llama3")
    return converter.convert(record), converter


def test_single_call_record_field_by_field():
    row, _ = convert(cases.single_call())
    assert set(row) == {"messages"}
    messages = row["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "ipython", "assistant"]
    assert all(set(m) == {"role", "content"} and isinstance(m["content"], str) for m in messages)
    assert json.loads(messages[2]["content"]) == {
        "name": "initiate_refund",
        "parameters": {"order_id": "ORD-48291", "reason": "defective"},
    }
    assert messages[2]["content"].startswith('{"name": "initiate_refund", "parameters": ')
    assert json.loads(messages[3]["content"]) == {"refund_id": "RF-1031", "status": "pending"}
    assert messages[4]["content"] == "Your refund RF-1031 for ORD-48291 is on its way."


def test_tools_precede_the_system_prompt_as_indented_json():
    row, _ = convert(cases.single_call())
    system = row["messages"][0]["content"]
    assert system.startswith(TOOLS_PREAMBLE)
    assert system.endswith("\n\n" + cases.SYSTEM)
    assert json.dumps(cases.REFUND, indent=4) in system
    assert '"parameters": dictionary of argument name and its value' in system


def test_no_tools_means_no_preamble():
    row, _ = convert(cases.no_tools_at_all())
    assert row["messages"][0] == {"role": "system", "content": cases.SYSTEM}


def test_sequential_calls_are_kept_one_per_turn():
    row, _ = convert(cases.tool_error())
    calls = [json.loads(m["content"]) for m in row["messages"] if m["role"] == "assistant" and m["content"].startswith("{")]
    assert calls == [
        {"name": "get_order", "parameters": {"order_id": "ORD-9999"}},
        {"name": "get_order", "parameters": {"order_id": "ORD-99990"}},
    ]
    assert json.loads(row["messages"][5]["content"]) == {"error": "order ORD-9999 not found"}
    assert row["messages"][5]["role"] == "ipython"


def test_parallel_calls_skip_and_count():
    converter = get_converter("llama3")
    assert converter.convert(cases.parallel_calls()) is None
    assert converter.convert(cases.single_call()) is not None
    assert converter.skipped == {"parallel_tool_calls": 1}
    assert converter.converted == 1
    assert converter.notes == {}  # the skipped record's dropped text is not counted


def test_assistant_text_beside_a_call_is_dropped_and_noted():
    record = cases.single_call()
    record["messages"][2]["content"] = "One moment."
    row, converter = convert(record)
    assert "One moment." not in row["messages"][2]["content"]
    assert converter.notes == {"assistant_text_dropped": 1}


def test_malformed_arguments_skip_and_count():
    row, converter = convert(cases.malformed_arguments())
    assert row is None and converter.skipped == {"arguments_not_json_object": 1}


def test_round_trip_through_datasets(tmp_path):
    converter = get_converter("llama3")
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert converter.skipped == {"parallel_tool_calls": 1, "arguments_not_json_object": 1}
    cases.assert_round_trips(rows, tmp_path)
