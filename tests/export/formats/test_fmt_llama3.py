import json

import fmt_cases as cases
import pytest

from simulator.export.formats import get_converter
from simulator.export.formats.tool_prompts import prompts

WORDS = prompts()["llama3.1"]


def convert(record, **options):
    converter = get_converter("llama3", **options)
    return converter.convert(record), converter


def test_single_call_record_field_by_field():
    row, _ = convert(cases.single_call())
    assert set(row) == {"messages"}
    messages = row["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "ipython", "assistant"]
    assert all(set(m) == {"role", "content"} and isinstance(m["content"], str) for m in messages)
    assert messages[2]["content"] == '{"name": "initiate_refund", "parameters": {"order_id": "ORD-48291", "reason": "defective"}}'
    # Llama 3.1's template writes a string result through tojson: a JSON string literal.
    assert json.loads(json.loads(messages[3]["content"])) == {"refund_id": "RF-1031", "status": "pending"}
    assert messages[4]["content"] == "Your refund RF-1031 for ORD-48291 is on its way."


def test_system_turn_is_the_templates_with_the_environment_line():
    row, _ = convert(cases.single_call())
    assert row["messages"][0]["content"] == (
        "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + cases.SYSTEM
    )
    row, _ = convert(cases.single_call(), date_string="14 Mar 2026")
    assert "Today Date: 14 Mar 2026\n\n" in row["messages"][0]["content"]


def test_tools_lead_the_first_user_message_by_default():
    row, _ = convert(cases.single_call())
    user = row["messages"][1]["content"]
    assert user.startswith(WORDS["tools_in_user"])
    assert json.dumps(cases.REFUND, indent=4) + "\n\n" in user
    assert user.endswith("\n\nI need a refund for ORD-48291, it arrived broken")


def test_tools_in_the_system_turn_when_asked():
    row, _ = convert(cases.single_call(), tools_in_user_message=False)
    system = row["messages"][0]["content"]
    assert WORDS["tools_in_system"] in system and system.endswith(cases.SYSTEM)
    assert row["messages"][1]["content"] == "I need a refund for ORD-48291, it arrived broken"


def test_no_tools_means_no_environment_line_and_no_preamble():
    row, _ = convert(cases.no_tools_at_all())
    assert row["messages"][0]["content"] == "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + cases.SYSTEM
    assert row["messages"][1]["content"] == "Hi!"


def test_sequential_calls_are_kept_one_per_turn():
    row, _ = convert(cases.tool_error())
    calls = [json.loads(m["content"]) for m in row["messages"] if m["role"] == "assistant" and m["content"].startswith("{")]
    assert calls == [
        {"name": "get_order", "parameters": {"order_id": "ORD-9999"}},
        {"name": "get_order", "parameters": {"order_id": "ORD-99990"}},
    ]
    assert row["messages"][5]["role"] == "ipython"


def test_parallel_calls_split_into_single_call_turns_each_with_its_result():
    row, converter = convert(cases.parallel_calls())
    roles = [m["role"] for m in row["messages"]]
    assert roles == ["system", "user", "assistant", "ipython", "assistant", "ipython", "assistant"]
    assert json.loads(row["messages"][2]["content"])["name"] == "get_order"
    assert json.loads(json.loads(row["messages"][3]["content"])) == {"status": "shipped", "eta": "2025-03-02"}
    assert json.loads(row["messages"][4]["content"])["name"] == "get_weather"
    assert json.loads(json.loads(row["messages"][5]["content"])) == {"forecast": ["rain", "sun", "rain"]}
    assert not any("</tool_response>" in m["content"] for m in row["messages"])
    assert converter.notes == {"parallel_calls_split": 1, "assistant_text_dropped": 1}


def test_parallel_calls_skip_and_count_when_asked():
    converter = get_converter("llama3", parallel_calls="skip")
    assert converter.convert(cases.parallel_calls()) is None
    assert converter.convert(cases.single_call()) is not None
    assert converter.skipped == {"parallel_tool_calls": 1}
    assert converter.notes == {}  # the skipped record's dropped text is not counted


def test_keeping_parallel_calls_is_not_an_option():
    with pytest.raises(ValueError, match="parallel_calls"):
        get_converter("llama3", parallel_calls="keep")


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
    assert converter.skipped == {"arguments_not_json_object": 1}
    cases.assert_round_trips(rows, tmp_path)
