import json

import fmt_cases as cases
import pytest

from simulator.export.formats import get_converter


def convert(record, **options):
    converter = get_converter("instruction", **options)
    return converter.convert(record), converter


def test_single_turn_reply_field_by_field():
    row, _ = convert(cases.no_tool())
    assert row == {
        "instruction": "What are your opening hours?",
        "output": "We are open 9–17, Monday to Friday.",
        "system": cases.SYSTEM,
        "tools": json.dumps([cases.REFUND, cases.ORDER], ensure_ascii=False),
    }


def test_record_without_system_or_tools_gets_empty_strings():
    record = cases.no_tools_at_all()
    record["messages"] = record["messages"][1:]
    row, _ = convert(record)
    assert row["system"] == "" and row["tools"] == "[]"
    assert row["instruction"] == "Hi!" and row["output"] == "Hello — how can I help?"


def test_single_turn_tool_use_outputs_the_call_in_tool_call_tags():
    row, _ = convert(cases.single_call())
    assert row["instruction"] == "I need a refund for ORD-48291, it arrived broken"
    assert row["output"] == (
        '<tool_call>\n{"name": "initiate_refund", "arguments": {"order_id": "ORD-48291", "reason": "defective"}}\n</tool_call>'
    )
    assert json.loads(row["tools"]) == [cases.REFUND]


def test_parallel_calls_output_one_block_each_and_note_the_dropped_text():
    row, converter = convert(cases.parallel_calls())
    assert row["output"] == (
        '<tool_call>\n{"name": "get_order", "arguments": {"order_id": "ORD-11111"}}\n</tool_call>\n'
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Zürich", "days": 3}}\n</tool_call>'
    )
    assert converter.notes == {"assistant_text_dropped": 1}


def test_writes_llamafactorys_alpaca_dataset_info(tmp_path):
    converter = get_converter("instruction")
    (tmp_path / "train.jsonl").write_text("{}\n")
    [info_path] = converter.extra_files(tmp_path, {"train": tmp_path / "train.jsonl"})
    info = json.loads(info_path.read_text())
    assert info == {"toolsim_train": {
        "file_name": "train.jsonl", "formatting": "alpaca",
        "columns": {"prompt": "instruction", "response": "output", "system": "system", "tools": "tools"},
    }}


def test_skip_mode_keeps_only_plain_replies():
    converter = get_converter("instruction", tool_calls="skip")
    assert converter.convert(cases.single_call()) is None
    assert converter.convert(cases.no_tool()) is not None
    assert converter.skipped == {"has_tool_calls": 1}


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="tool_calls"):
        get_converter("instruction", tool_calls="all")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (cases.tool_error, "multi_turn"),
        (cases.odd_arguments, "multi_step_tool_calls"),
        (cases.malformed_arguments, "arguments_not_json_object"),
    ],
)
def test_records_that_are_not_one_request_and_one_answer_skip_with_their_reason(make, reason):
    row, converter = convert(make())
    assert row is None
    assert converter.skipped == {reason: 1}


def test_record_without_user_message_skips():
    row, converter = convert({"messages": [cases.system(), cases.say("Hello?")], "tools": []})
    assert row is None and converter.skipped == {"no_user_message": 1}


def test_round_trip_through_datasets(tmp_path):
    converter = get_converter("instruction")
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert converter.converted == 4  # single_call, parallel_calls, no_tool, no_tools_at_all
    assert sum(converter.skipped.values()) == 3
    cases.assert_round_trips(rows, tmp_path)
