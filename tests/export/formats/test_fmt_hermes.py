import json
import re
from pathlib import Path

import fmt_cases as cases
import pytest

from simulator.export.formats import get_converter
from simulator.export.formats.hermes import TOOLS_FOOTER, TOOLS_HEADER

QWEN_LIKE = Path(__file__).parents[2] / "fixtures" / "chat_templates" / "qwen25_like.jinja"
TOOL_CALL = re.compile(r"<tool_call>\n(.*?)\n</tool_call>", re.DOTALL)


def convert(record, **options):
    converter = get_converter("hermes", **options)
    return converter.convert(record), converter


def chatml(messages):
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


def test_rows_are_plain_role_content_strings():
    row, _ = convert(cases.tool_error())
    assert set(row) == {"messages"}
    for message in row["messages"]:
        assert set(message) == {"role", "content"}
        assert isinstance(message["content"], str)


def test_tools_are_appended_to_the_system_prompt():
    row, _ = convert(cases.parallel_calls())
    system = row["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith(cases.SYSTEM + "\n\n" + TOOLS_HEADER)
    assert system["content"].endswith(TOOLS_FOOTER)
    listed = system["content"].split(TOOLS_HEADER)[1].split(TOOLS_FOOTER)[0].strip().split("\n")
    assert [json.loads(line) for line in listed] == [cases.ORDER, cases.WEATHER]


def test_record_without_tools_keeps_its_system_prompt():
    row, _ = convert(cases.no_tools_at_all())
    assert row["messages"][0] == {"role": "system", "content": cases.SYSTEM}


def test_assistant_calls_are_tool_call_blocks_after_the_text():
    row, _ = convert(cases.parallel_calls())
    content = row["messages"][2]["content"]
    assert content.startswith("Let me check both.\n<tool_call>\n")
    assert [json.loads(block) for block in TOOL_CALL.findall(content)] == [
        {"name": "get_order", "arguments": {"order_id": "ORD-11111"}},
        {"name": "get_weather", "arguments": {"city": "Zürich", "days": 3}},
    ]
    assert '{"name": "get_weather", "arguments": {"city": "Zürich", "days": 3}}' in content  # name first, HF tojson spacing


def test_results_of_one_round_are_one_message_of_tool_response_blocks():
    row, _ = convert(cases.parallel_calls())
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant", "tool", "assistant"]
    assert row["messages"][3]["content"] == (
        '<tool_response>\n{"status": "shipped", "eta": "2025-03-02"}\n</tool_response>\n'
        '<tool_response>\n{"forecast": ["rain", "sun", "rain"]}\n</tool_response>'
    )


def test_tool_role_user_follows_qwen_convention():
    row, _ = convert(cases.single_call(), tool_role="user")
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant", "user", "assistant"]


def test_unknown_tool_role_is_refused():
    with pytest.raises(ValueError, match="tool_role"):
        get_converter("hermes", tool_role="ipython")


def test_malformed_arguments_skip_and_count():
    row, converter = convert(cases.malformed_arguments())
    assert row is None and converter.skipped == {"arguments_not_json_object": 1}


@pytest.mark.parametrize("make", [cases.single_call, cases.parallel_calls, cases.odd_arguments, cases.tool_error, cases.no_tool])
def test_user_role_text_equals_what_a_qwen25_template_renders(make):
    """With tool_role="user", plain ChatML over our messages is byte-identical to a Qwen2.5-style
    template rendering the structured record."""
    row, _ = convert(make(), tool_role="user")
    rendered = get_converter("chat-template", template=QWEN_LIKE).convert(make())
    assert chatml(row["messages"]) == rendered["text"]


def test_round_trip_through_datasets(tmp_path):
    converter = get_converter("hermes")
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert converter.converted == len(cases.all_records()) - 1
    cases.assert_round_trips(rows, tmp_path)
