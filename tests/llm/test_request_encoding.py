"""A request encoded from its messages' kept encodings is the request encoded whole: the same
cache key (caches written before keep answering) and the same body on the wire."""

from __future__ import annotations

import json

import pytest

from simulator.core.messages import AssistantMessage, SystemMessage, ToolCall, ToolMessage, UserMessage
from simulator.llm.cache import request_key
from simulator.llm.openai_http import request_body
from simulator.llm.prompt_tools import to_prompt_messages
from simulator.llm.client import provider_message
from simulator.llm.request import RequestEncoder
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings

LOOKUP = ToolSpec(
    name="lookup_order",
    description="Look up an order — 查询订单.",
    parameters={"type": "object", "properties": {"order_id": {"type": "string", "pattern": "^ORD-\\d+$"},
                                                 "limit": {"type": "number", "maximum": 2.5}},
                "required": ["order_id"]},
)
REFUND = ToolSpec(name="refund", description="Refund.", parameters={"type": "object", "properties": {}})
HISTORY = [
    SystemMessage(content="You help.\nBe brief."),
    UserMessage(content='where is ORD-12345? "quoted" \\ back\tslash'),
    AssistantMessage(tool_calls=(ToolCall(id="call_9", name="lookup_order", arguments='{"order_id": "ORD-12345"}'),
                                 ToolCall(id="call_10", name="refund", arguments="{not json"))),
    ToolMessage(tool_call_id="call_9", name="lookup_order", content='{"status": "已发货"}'),
    ToolMessage(tool_call_id="call_10", name="refund", content='{"error": "bad"}', is_error=True),
    AssistantMessage(content="It has shipped.\u2028"),
    AssistantMessage(content=""),
    UserMessage(content="谢谢！🙂"),
]


def old_request(settings, messages, tools, response_format=None, salt=None):
    """The request dict exactly as the client built it before it was encoded in pieces."""
    prompt_tools = bool(tools) and settings.tool_format == "prompt"
    sent = to_prompt_messages(messages, tools) if prompt_tools else list(messages)
    object_arguments = settings.model.partition("/")[0] == "anthropic"
    return {
        "model": settings.model,
        "api_base": settings.api_base,
        "messages": [provider_message(m, object_arguments=object_arguments) for m in sent],
        "tools": [t.openai_tool() for t in tools] if tools and not prompt_tools else None,
        "response_format": response_format,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "seed": settings.seed,
        "tool_format": settings.tool_format if tools else None,
        "salt": salt,
    }, sent, (tools if tools and not prompt_tools else ()), object_arguments


SETTINGS = [
    ModelSettings(model="openai/fake", api_base="http://127.0.0.1:9/v1", temperature=0.0, seed=0),
    ModelSettings(model="hosted_vllm/qwen", api_base="http://h/v1", max_tokens=512, temperature=0.7),
    ModelSettings(model="openai/fake", api_base="http://h/v1", tool_format="prompt"),
    ModelSettings(model="anthropic/claude-x"),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.model}-{s.tool_format}")
@pytest.mark.parametrize("tools", [(), (LOOKUP,), (LOOKUP, REFUND)], ids=len)
@pytest.mark.parametrize("extra", [{}, {"response_format": {"type": "json_object", "schema": {"b": 1, "a": [1.5, None]}},
                                        "salt": "ep-7#2"}], ids=("plain", "format+salt"))
def test_key_and_body_are_the_whole_request_encoded(settings, tools, extra):
    encoder = RequestEncoder(provider_message)
    for cut in (1, 3, len(HISTORY)):  # a growing conversation: later requests reuse earlier messages' pieces
        expected, sent, sent_tools, object_arguments = old_request(settings, HISTORY[:cut], list(tools), **extra)
        params = {k: v for k, v in expected.items() if k not in ("messages", "tools")}
        encoded = encoder.encode(params, sent, list(sent_tools), object_arguments)
        assert encoded.key == request_key(expected)
        assert encoded.as_dict() == expected
        name = settings.model.partition("/")[2]
        assert encoded.body(name) == json.dumps(request_body(settings, expected), ensure_ascii=False).encode()


def test_equal_messages_built_apart_share_a_key_and_different_ones_do_not():
    encoder = RequestEncoder(provider_message)
    params = {"model": "openai/x", "api_base": None, "salt": None}
    first = encoder.encode(params, [SystemMessage(content="a"), UserMessage(content="b")], [LOOKUP], False)
    again = encoder.encode(params, [SystemMessage(content="a"), UserMessage(content="b")], [LOOKUP], False)
    other = encoder.encode(params, [UserMessage(content="a"), UserMessage(content="b")], [LOOKUP], False)
    empty = encoder.encode(params, [AssistantMessage(content=None)], [], False)
    blank = encoder.encode(params, [AssistantMessage(content="")], [], False)
    assert first.key == again.key != other.key
    assert empty.key == blank.key == request_key({**params, "messages": [{"role": "assistant", "content": ""}], "tools": None})
