"""The direct transport to OpenAI-compatible servers says on the wire what litellm says, and reads
every reply into what litellm's path reads: the same request, sent once through each, compared."""

from __future__ import annotations

import asyncio
import json

import pytest

from simulator.core.messages import AssistantMessage, SystemMessage, ToolCall, ToolMessage, UserMessage
from simulator.llm.client import LLMClient
from simulator.llm.openai_http import speaks
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai
from tests.fakes.fixtures import FAKE_OPENAI_KEY, QUICK
from tests.fakes.http_fake import Reply

LOOKUP = ToolSpec(
    name="lookup_order",
    description="Look up an order.",
    parameters={"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
)
CALL = ToolCall(id="call_9", name="lookup_order", arguments='{"order_id": "ORD-12345"}')
HISTORY = [SystemMessage(content="You help."), UserMessage(content="where is ORD-12345?"),
           AssistantMessage(tool_calls=(CALL,)),
           ToolMessage(tool_call_id="call_9", name="lookup_order", content='{"status": "shipped"}'),
           AssistantMessage(content="It has shipped."), UserMessage(content="谢谢！")]


def both(server, settings, messages, replies, **kw):
    """Send one request through litellm, then through the direct transport: the two requests as
    the server read them, and the two completions."""
    sent, done = [], []
    for direct in (False, True):
        server.push(*replies)
        client = LLMClient(cache=None, backoff=QUICK, direct=direct)
        done.append(asyncio.run(client.complete(settings, messages, **kw)))
        client.close()
        sent.append(server.requests[-1])
    return sent, done


@pytest.mark.parametrize("model", ["openai/fake-model", "hosted_vllm/Qwen/Qwen2.5-7B-Instruct"])
@pytest.mark.parametrize("options", [{}, {"temperature": 0.7, "max_tokens": 64, "seed": 3}])
def test_same_body_and_same_completion_as_litellm(openai_fake, model, options):
    settings = ModelSettings(model=model, api_base=openai_fake.base_url, **options)
    reply = openai.tool_calls(("lookup_order", {"order_id": "ORD-12345"}), content="Checking.", usage=(41, 7))
    (via_litellm, direct), (a, b) = both(openai_fake, settings, HISTORY, [reply, reply], tools=[LOOKUP])
    assert direct.body == via_litellm.body
    assert direct.path == via_litellm.path
    assert direct.headers.get("authorization") == via_litellm.headers.get("authorization")
    assert (b.message, b.usage, b.finish_reason, b.raw_content) == (a.message, a.usage, a.finish_reason, a.raw_content)


def test_response_format_and_plain_text(openai_fake):
    settings = ModelSettings(model="openai/fake-judge", api_base=openai_fake.base_url)
    fmt = {"type": "json_object"}
    reply = openai.text('{"pass": true}', usage=(5, 3))
    (via_litellm, direct), (a, b) = both(openai_fake, settings, HISTORY[:2], [reply, reply], response_format=fmt)
    assert direct.body == via_litellm.body and direct.body["response_format"] == fmt
    assert b == a


def test_arguments_sent_as_an_object_and_an_empty_reply(openai_fake):
    settings = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url)
    body = openai.completion_body(None, [{"id": "c1", "type": "function",
                                          "function": {"name": "lookup_order", "arguments": {"order_id": "ORD-1"}}}])
    (_, _), (a, b) = both(openai_fake, settings, HISTORY[:2], [Reply(body=body), Reply(body=body)], tools=[LOOKUP])
    assert b.message == a.message
    assert json.loads(b.message.tool_calls[0].arguments) == {"order_id": "ORD-1"}


def test_a_price_from_litellms_table_without_litellm(openai_fake):
    settings = ModelSettings(model="openai/gpt-4o-mini", api_base=openai_fake.base_url)
    reply = openai.text("x", usage=(1_000_000, 1_000))
    _, (a, b) = both(openai_fake, settings, HISTORY[:2], [reply, reply])
    assert a.usage.cost_usd and b.usage.cost_usd == pytest.approx(a.usage.cost_usd)


def test_only_servers_at_an_address_go_direct():
    assert speaks(ModelSettings(model="openai/x", api_base="http://127.0.0.1:8000/v1"))
    assert speaks(ModelSettings(model="hosted_vllm/org/x", api_base="http://127.0.0.1:8000/v1"))
    assert not speaks(ModelSettings(model="openai/gpt-4.1"))  # OpenAI's own API: litellm's parameter rules
    assert not speaks(ModelSettings(model="anthropic/claude", api_base="http://127.0.0.1:8000"))


def test_the_key_comes_from_the_named_variable(openai_fake, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-mine-0123456789abcdef")
    settings = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url, api_key_env="MY_KEY")
    (via_litellm, direct), _ = both(openai_fake, settings, HISTORY[:2], [openai.text("a"), openai.text("b")])
    assert direct.headers["authorization"] == via_litellm.headers["authorization"] == "Bearer sk-mine-0123456789abcdef"
    assert FAKE_OPENAI_KEY not in direct.headers["authorization"]
