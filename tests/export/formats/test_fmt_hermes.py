import json
import re
from pathlib import Path

import fmt_cases as cases
import pytest

from simulator.export.formats import get_converter
from simulator.export.formats.tool_prompts import prompts

QWEN_LIKE = Path(__file__).parents[2] / "fixtures" / "chat_templates" / "qwen25_like.jinja"
TOOL_CALL = re.compile(r"<tool_call>\n(.*?)\n</tool_call>", re.DOTALL)
QWEN = prompts()["qwen2.5"]
HERMES = prompts()["hermes3"]


def convert(record, **options):
    converter = get_converter("hermes", **options)
    return converter.convert(record), converter


def chatml(messages):
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


@pytest.mark.parametrize("style", ["qwen2.5", "hermes3"])
def test_rows_are_plain_role_content_strings(style):
    row, _ = convert(cases.tool_error(), style=style)
    assert set(row) == {"messages"}
    for message in row["messages"]:
        assert set(message) == {"role", "content"}
        assert isinstance(message["content"], str)


def test_qwen_tools_are_appended_to_the_system_prompt():
    row, _ = convert(cases.parallel_calls())
    system = row["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith(cases.SYSTEM + QWEN["tools_header"])
    assert system["content"].endswith(QWEN["tools_footer"])
    listed = system["content"].split(QWEN["tools_header"])[1].split(QWEN["tools_footer"])[0].strip().split("\n")
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


def test_qwen_results_of_one_round_are_one_user_turn_wrapped_once():
    row, _ = convert(cases.parallel_calls())
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert row["messages"][3]["content"] == (
        '<tool_response>\n{"status": "shipped", "eta": "2025-03-02"}\n</tool_response>\n'
        '<tool_response>\n{"forecast": ["rain", "sun", "rain"]}\n</tool_response>'
    )


def test_hermes3_system_turns_tool_role_and_no_text_beside_calls():
    row, converter = convert(cases.parallel_calls(), style="hermes3")
    roles = [m["role"] for m in row["messages"]]
    assert roles == ["system", "system", "user", "assistant", "tool", "assistant"]
    prompt = row["messages"][0]["content"]
    assert prompt.startswith(HERMES["preamble"]) and prompt.endswith(HERMES["closing"])
    listed = prompt[len(HERMES["preamble"]):-len(HERMES["closing"])].split("\n{")
    functions = [json.loads(("{" if i else "") + line)["function"] for i, line in enumerate(listed)]
    assert [f["name"] for f in functions] == ["get_order", "get_weather"]
    assert functions[1]["description"].startswith("get_weather(city: str, days: int) - get weather.\n\n    Args:\n")
    assert functions[1]["parameters"] == cases.WEATHER["function"]["parameters"]
    assert row["messages"][1] == {"role": "system", "content": cases.SYSTEM}
    assert row["messages"][3]["content"].startswith("<tool_call>\n") and "Let me check both." not in row["messages"][3]["content"]
    assert row["messages"][4]["content"].count("<tool_response>") == 2
    assert converter.notes == {"assistant_text_dropped": 1}


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="style"):
        get_converter("hermes", style="ipython")


def test_malformed_arguments_skip_and_count():
    row, converter = convert(cases.malformed_arguments())
    assert row is None and converter.skipped == {"arguments_not_json_object": 1}


@pytest.mark.parametrize("make", [cases.single_call, cases.parallel_calls, cases.odd_arguments, cases.tool_error, cases.no_tool])
def test_qwen_text_equals_what_a_qwen25_template_renders(make):
    """Plain ChatML over the rows is byte-identical to a Qwen2.5-style template rendering the
    structured record (tests/export/trainers checks the real template through TRL)."""
    row, _ = convert(make())
    rendered = get_converter("chat-template", template=QWEN_LIKE).convert(make())
    assert chatml(row["messages"]) == rendered["text"]


def test_round_trip_through_datasets(tmp_path):
    converter = get_converter("hermes")
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert converter.converted == len(cases.all_records()) - 1
    cases.assert_round_trips(rows, tmp_path)
