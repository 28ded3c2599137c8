import json

import fmt_cases as cases
import pytest

from simulator.export.formats import get_converter
from simulator.export.formats.sharegpt import (
    PARALLEL_OBSERVATION_SEPARATOR,
    check_positions,
)


def convert(record):
    converter = get_converter("sharegpt")
    return converter.convert(record), converter


def test_single_call_record_field_by_field():
    row, _ = convert(cases.single_call())
    assert set(row) == {"conversations", "system", "tools"}
    assert row["system"] == cases.SYSTEM
    assert [turn["from"] for turn in row["conversations"]] == ["human", "function_call", "observation", "gpt"]
    assert all(set(turn) == {"from", "value"} for turn in row["conversations"])
    assert row["conversations"][0]["value"] == "I need a refund for ORD-48291, it arrived broken"
    call = json.loads(row["conversations"][1]["value"])
    assert call == {"name": "initiate_refund", "arguments": {"order_id": "ORD-48291", "reason": "defective"}}
    assert json.loads(row["conversations"][2]["value"]) == {"refund_id": "RF-1031", "status": "pending"}
    assert row["conversations"][3]["value"] == "Your refund RF-1031 for ORD-48291 is on its way."


def test_tools_is_a_json_string_of_bare_functions():
    row, _ = convert(cases.single_call())
    assert isinstance(row["tools"], str)
    tools = json.loads(row["tools"])
    assert tools == [cases.REFUND["function"]]
    assert set(tools[0]) == {"name", "description", "parameters"}


def test_record_without_tools_gets_an_empty_list():
    row, _ = convert(cases.no_tools_at_all())
    assert row["tools"] == "[]"
    assert [turn["from"] for turn in row["conversations"]] == ["human", "gpt"]


@pytest.mark.parametrize("make", [cases.single_call, cases.parallel_calls, cases.odd_arguments, cases.tool_error, cases.no_tool])
def test_positions_follow_llama_factory_rule(make):
    """human/observation at odd positions (1st, 3rd, ...), gpt/function_call at even, even count."""
    row, _ = convert(make())
    turns = [turn["from"] for turn in row["conversations"]]
    assert len(turns) % 2 == 0
    assert all(role in ("human", "observation") for role in turns[0::2])
    assert all(role in ("gpt", "function_call") for role in turns[1::2])


def test_parallel_calls_are_one_function_call_turn_with_a_list_and_one_observation():
    row, converter = convert(cases.parallel_calls())
    turns = row["conversations"]
    assert [turn["from"] for turn in turns] == ["human", "function_call", "observation", "gpt"]
    assert json.loads(turns[1]["value"]) == [
        {"name": "get_order", "arguments": {"order_id": "ORD-11111"}},
        {"name": "get_weather", "arguments": {"city": "Zürich", "days": 3}},
    ]
    first, second = turns[2]["value"].split(PARALLEL_OBSERVATION_SEPARATOR)
    assert json.loads(first) == {"status": "shipped", "eta": "2025-03-02"}
    assert json.loads(second) == {"forecast": ["rain", "sun", "rain"]}
    assert converter.notes["assistant_text_dropped"] == 1


def test_arguments_keep_their_json_types():
    row, _ = convert(cases.odd_arguments())
    calls = [json.loads(t["value"]) for t in row["conversations"] if t["from"] == "function_call"]
    assert calls[0]["arguments"] == {"order_id": 48291}
    assert calls[1]["arguments"] == {"items": [{"sku": "A-1", "qty": 2}], "express": True, "note": None}


def test_malformed_arguments_skip_and_count():
    row, converter = convert(cases.malformed_arguments())
    assert row is None
    assert converter.skipped == {"arguments_not_json_object": 1}
    assert converter.converted == 0


def test_broken_alternation_skips_and_counts():
    record = cases.no_tool()
    record["messages"].insert(2, cases.user("and on Sundays?"))  # two human turns in a row
    row, converter = convert(record)
    assert row is None
    assert converter.skipped["roles_do_not_alternate"] == 1


def test_check_positions_rejects_odd_count():
    with pytest.raises(Exception, match="roles_do_not_alternate"):
        check_positions([{"from": "human", "value": "hi"}])


def test_dataset_info_json_has_one_entry_per_split(tmp_path):
    converter = get_converter("sharegpt")
    (tmp_path / "train.jsonl").write_text("")
    (tmp_path / "validation.jsonl").write_text("")
    written = converter.extra_files(tmp_path, {"train": tmp_path / "train.jsonl", "validation": tmp_path / "validation.jsonl"})
    assert written == [tmp_path / "dataset_info.json"]
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert set(info) == {"toolsim_train", "toolsim_validation"}
    entry = info["toolsim_train"]
    assert entry["file_name"] == "train.jsonl"
    assert entry["formatting"] == "sharegpt"
    assert entry["columns"] == {"messages": "conversations", "system": "system", "tools": "tools"}
    assert entry["tags"]["function_tag"] == "function_call"
    assert entry["tags"]["observation_tag"] == "observation"


def test_dataset_info_from_a_list_of_paths_uses_file_stems(tmp_path):
    converter = get_converter("sharegpt", dataset_prefix="acme")
    converter.extra_files(tmp_path, [tmp_path / "test.jsonl"])
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert list(info) == ["acme_test"]
    assert info["acme_test"]["file_name"] == "test.jsonl"


def test_round_trip_through_datasets(tmp_path):
    converter = get_converter("sharegpt")
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert len(rows) == len(cases.all_records()) - 1  # only the malformed record skips
    cases.assert_round_trips(rows, tmp_path)
