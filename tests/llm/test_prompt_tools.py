"""The `<tool_call>` fallback for models without native tool calling."""

from __future__ import annotations

import asyncio
import json

from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.llm.prompt_tools import parse_reply, to_prompt_messages
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai

STATUS = ToolSpec(
    name="check_status",
    description="Delivery status of one order.",
    parameters={"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
)


def test_parse_text_only():
    assert parse_reply("  Just text.  ") == AssistantMessage(content="Just text.")


def test_parse_several_calls_and_text():
    reply = (
        'Checking both.\n<tool_call>\n{"name": "check_status", "arguments": {"order_id": "ORD-1"}}\n</tool_call>\n'
        '<tool_call>{"name": "check_status", "arguments": {"order_id": "ORD-2"}}</tool_call>'
    )
    message = parse_reply(reply, first_call_number=3)
    assert message.content == "Checking both."
    assert [(c.id, c.name, json.loads(c.arguments)) for c in message.tool_calls] == [
        ("call_3", "check_status", {"order_id": "ORD-1"}),
        ("call_4", "check_status", {"order_id": "ORD-2"}),
    ]


def test_malformed_block_is_kept_as_a_call():
    message = parse_reply('<tool_call>{"name": "check_status", "arguments": {"order_id": "ORD-1",}}</tool_call>')
    (call,) = message.tool_calls
    assert call.name == "check_status"
    assert call.parsed_arguments() is None and "ORD-1" in call.arguments
    assert message.content is None


def test_unclosed_block_and_string_arguments():
    (call,) = parse_reply('<tool_call>{"name": "check_status", "arguments": "{\\"order_id\\": \\"ORD-7\\"}"}').tool_calls
    assert call.parsed_arguments() == {"order_id": "ORD-7"}


def test_conversation_is_rewritten_as_plain_turns():
    call = ToolCall(id="call_1", name="check_status", arguments='{"order_id": "ORD-1"}')
    history = [
        SystemMessage(content="You help."),
        UserMessage(content="status of ORD-1?"),
        AssistantMessage(content="One moment.", tool_calls=(call,)),
        ToolMessage(tool_call_id="call_1", name="check_status", content='{"status": "shipped"}'),
    ]
    out = to_prompt_messages(history, [STATUS])
    assert [m.role for m in out] == ["system", "user", "assistant", "user"]
    assert out[0].content.startswith("You help.") and '"name": "check_status"' in out[0].content
    assert "<tool_call>" in out[2].content and "One moment." in out[2].content
    assert out[3].content.startswith("<tool_response>") and '"shipped"' in out[3].content
    assert parse_reply(out[2].content).tool_calls[0].parsed_arguments() == {"order_id": "ORD-1"}


def test_prompt_format_end_to_end(openai_fake, llm_client):
    settings = ModelSettings(model="openai/no-tools-model", api_base=openai_fake.base_url, tool_format="prompt")
    openai_fake.push(openai.text('<tool_call>{"name": "check_status", "arguments": {"order_id": "ORD-5"}}</tool_call>'))
    history = [SystemMessage(content="You help."), UserMessage(content="where is ORD-5?")]
    message = asyncio.run(llm_client.complete(settings, history, tools=[STATUS])).message
    assert message.tool_calls[0].name == "check_status" and message.tool_calls[0].id == "call_1"
    body = openai_fake.requests[-1].body
    assert "tools" not in body, "prompt format must not send native tools"
    assert "<tool_call>" in body["messages"][0]["content"]
