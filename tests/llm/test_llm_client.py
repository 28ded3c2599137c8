"""The client over real HTTP against local fakes: conversion both ways, usage and cost, the
cache, retries, timeouts, secrets, and the Anthropic route."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.llm.cache import ResponseCache
from simulator.llm.client import LLMClient
from simulator.llm.limits import CallLimits
from simulator.llm.retry import LLMCallError
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings
from tests.fakes import anthropic_server as anthropic
from tests.fakes import openai_server as openai
from tests.fakes.fixtures import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY, QUICK
from tests.fakes.http_fake import Reply

LOOKUP = ToolSpec(
    name="lookup_order",
    description="Look up an order.",
    parameters={"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
)
HELLO = [SystemMessage(content="You help."), UserMessage(content="hi")]


def run(coro):
    return asyncio.run(coro)


def test_text_reply_usage_and_request_shape(openai_fake, openai_settings, llm_client):
    openai_fake.push(openai.text("Hello there", usage=(30, 4)))
    done = run(llm_client.complete(openai_settings, HELLO))
    assert done.message == AssistantMessage(content="Hello there")
    assert (done.usage.calls, done.usage.input_tokens, done.usage.output_tokens) == (1, 30, 4)
    assert done.cached is False and done.usage.cached_calls == 0
    sent = openai_fake.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == "fake-model"  # provider prefix stripped by litellm
    assert sent.body["messages"] == [{"role": "system", "content": "You help."}, {"role": "user", "content": "hi"}]
    assert sent.headers["authorization"] == f"Bearer {FAKE_OPENAI_KEY}"


def test_history_with_tool_calls_is_sent_in_openai_shape(openai_fake, openai_settings, llm_client):
    call = ToolCall(id="call_9", name="lookup_order", arguments='{"order_id": "ORD-12345"}')
    history = [
        *HELLO,
        AssistantMessage(tool_calls=(call,)),
        ToolMessage(tool_call_id="call_9", name="lookup_order", content='{"status": "shipped"}'),
    ]
    run(llm_client.complete(openai_settings, history, tools=[LOOKUP]))
    body = openai_fake.requests[-1].body
    assert body["messages"][2]["tool_calls"] == [
        {"id": "call_9", "type": "function", "function": {"name": "lookup_order", "arguments": '{"order_id": "ORD-12345"}'}}
    ]
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "call_9", "content": '{"status": "shipped"}'}
    assert body["tools"] == [LOOKUP.openai_tool()]


def test_tool_calls_come_back_verbatim_even_when_malformed(openai_fake, openai_settings, llm_client):
    openai_fake.push(openai.tool_calls(("lookup_order", {"order_id": "ORD-1"}), ("no_such_tool", '{"x": ')))
    message = run(llm_client.complete(openai_settings, HELLO, tools=[LOOKUP])).message
    assert [(c.name, c.arguments) for c in message.tool_calls] == [
        ("lookup_order", '{"order_id": "ORD-1"}'),
        ("no_such_tool", '{"x": '),
    ]
    assert message.tool_calls[0].id != message.tool_calls[1].id


def test_cost_from_own_prices_or_none(openai_fake, llm_client):
    priced = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url, price_in=2.0, price_out=10.0)
    openai_fake.push(openai.text("x", usage=(1000, 100)))
    assert run(llm_client.complete(priced, HELLO)).usage.cost_usd == pytest.approx((1000 * 2 + 100 * 10) / 1e6)
    unpriced = ModelSettings(model="openai/fake-model-unknown-to-litellm", api_base=openai_fake.base_url)
    assert run(llm_client.complete(unpriced, HELLO)).usage.cost_usd is None


def test_cost_from_litellm_table_when_it_knows_the_model(openai_fake, llm_client):
    known = ModelSettings(model="openai/gpt-4o-mini", api_base=openai_fake.base_url)
    openai_fake.push(openai.text("x", usage=(1_000_000, 0)))
    cost = run(llm_client.complete(known, HELLO)).usage.cost_usd
    assert cost is not None and 0 < cost < 10  # gpt-4o-mini input is cents per million tokens


def test_cache_hit_makes_no_request(tmp_path, openai_fake, openai_settings):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    llm_client = LLMClient(cache=cache, backoff=QUICK)
    openai_fake.push(openai.tool_calls(("lookup_order", {"order_id": "ORD-12345"}), usage=(50, 9)))
    first = run(llm_client.complete(openai_settings, HELLO, tools=[LOOKUP]))
    assert openai_fake.calls == 1
    second = run(llm_client.complete(openai_settings, HELLO, tools=[LOOKUP]))
    assert openai_fake.calls == 1, "a cache hit must not reach the server"
    assert second.cached and second.message == first.message
    assert (second.usage.cached_calls, second.usage.input_tokens, second.usage.cost_usd) == (1, 50, 0.0)
    # Anything that changes the answer changes the key.
    run(llm_client.complete(openai_settings.model_copy(update={"temperature": 0.3}), HELLO, tools=[LOOKUP]))
    run(llm_client.complete(openai_settings, HELLO, tools=[LOOKUP], cache_salt="sample-2"))
    run(llm_client.complete(openai_settings, HELLO))
    assert openai_fake.calls == 4
    # A new llm_client over the same file (a resumed run) still hits.
    again = LLMClient(cache=ResponseCache(tmp_path / "cache.sqlite"))
    assert run(again.complete(openai_settings, HELLO, tools=[LOOKUP])).cached
    assert openai_fake.calls == 4


def test_cache_file_never_holds_the_key(tmp_path, openai_fake, openai_settings):
    llm_client = LLMClient(cache=ResponseCache(tmp_path / "c.sqlite"))
    run(llm_client.complete(openai_settings, HELLO))
    llm_client.cache.close()
    for path in tmp_path.iterdir():
        assert FAKE_OPENAI_KEY.encode() not in path.read_bytes()


def test_identical_requests_in_flight_share_one_call(openai_fake, openai_settings, llm_client):
    openai_fake.responder = lambda request: Reply(body=openai.completion_body("shared"), delay=0.2)

    async def both():
        return await asyncio.gather(llm_client.complete(openai_settings, HELLO), llm_client.complete(openai_settings, HELLO))

    a, b = run(both())
    assert a.message == b.message == AssistantMessage(content="shared")
    assert openai_fake.calls == 1
    assert sorted([a.cached, b.cached]) == [False, True]  # one paid call, counted once


def test_429_retry_after_is_honoured(openai_fake, openai_settings, llm_client):
    openai_fake.push(openai.error_reply(429, "slow down", retry_after=0.4), openai.text("finally"))
    start = time.monotonic()
    done = run(llm_client.complete(openai_settings, HELLO))
    assert done.message.content == "finally"
    assert openai_fake.calls == 2
    assert time.monotonic() - start >= 0.4  # backoff alone (QUICK) would wait ~10 ms


def test_500_is_retried_then_succeeds(openai_fake, openai_settings, llm_client):
    openai_fake.push(openai.error_reply(500, "boom"), openai.error_reply(503, "busy"), openai.text("ok now"))
    assert run(llm_client.complete(openai_settings, HELLO)).message.content == "ok now"
    assert openai_fake.calls == 3


def test_retries_exhausted_raise_llm_call_error(openai_fake, openai_settings, llm_client):
    openai_fake.responder = lambda request: openai.error_reply(500, "still broken")
    with pytest.raises(LLMCallError) as caught:
        run(llm_client.complete(openai_settings, HELLO))
    assert caught.value.kind == "server" and caught.value.attempts == 3
    assert openai_fake.calls == 3  # 1 + settings.retries (2)


def test_client_errors_are_not_retried(openai_fake, openai_settings, llm_client):
    openai_fake.push(openai.error_reply(400, "bad request"))
    with pytest.raises(LLMCallError) as caught:
        run(llm_client.complete(openai_settings, HELLO))
    assert caught.value.kind == "client" and openai_fake.calls == 1


def test_timeout_becomes_a_recorded_failure(openai_fake, llm_client):
    """The reply would come after 20 s: had the 0.3 s timeout not cut the attempts short, the call
    would succeed instead of failing (no clock is read here: a loaded machine changes nothing)."""
    settings = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url, timeout=0.3, retries=1)
    openai_fake.responder = lambda request: Reply(body=openai.completion_body("late"), delay=20.0)
    with pytest.raises(LLMCallError) as caught:
        run(llm_client.complete(settings, HELLO))
    assert caught.value.kind == "timeout" and caught.value.attempts == 2 and openai_fake.calls == 2


def test_keys_never_appear_in_errors(openai_fake, openai_settings, llm_client):
    openai_fake.push(openai.error_reply(401, f"Incorrect API key provided: {FAKE_OPENAI_KEY}"))
    with pytest.raises(LLMCallError) as caught:
        run(llm_client.complete(openai_settings, HELLO))
    assert caught.value.kind == "auth"
    assert FAKE_OPENAI_KEY not in str(caught.value)
    assert "[REDACTED]" in str(caught.value)


def test_anthropic_route(anthropic_fake, llm_client):
    settings = ModelSettings(model="anthropic/claude-fake", api_base=anthropic_fake.url, max_tokens=256)
    anthropic_fake.push(anthropic.tool_use(("lookup_order", {"order_id": "ORD-12345"}), content="Let me check.", usage=(40, 8)))
    done = run(llm_client.complete(settings, HELLO, tools=[LOOKUP]))
    assert done.message.content == "Let me check."
    assert [(c.name, json.loads(c.arguments)) for c in done.message.tool_calls] == [("lookup_order", {"order_id": "ORD-12345"})]
    assert (done.usage.input_tokens, done.usage.output_tokens) == (40, 8)
    sent = anthropic_fake.requests[-1]
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == FAKE_ANTHROPIC_KEY
    assert sent.body["system"][0]["text"] == "You help."
    assert sent.body["tools"][0]["name"] == "lookup_order" and sent.body["max_tokens"] == 256


def test_anthropic_history_with_tool_results(anthropic_fake, llm_client):
    settings = ModelSettings(model="anthropic/claude-fake", api_base=anthropic_fake.url)
    call = ToolCall(id="toolu_1", name="lookup_order", arguments='{"order_id": "ORD-12345"}')
    history = [*HELLO, AssistantMessage(tool_calls=(call,)),
               ToolMessage(tool_call_id="toolu_1", name="lookup_order", content='{"status": "shipped"}')]
    anthropic_fake.push(anthropic.text("It has shipped."))
    assert run(llm_client.complete(settings, history, tools=[LOOKUP])).message.content == "It has shipped."
    blocks = [b for m in anthropic_fake.requests[-1].body["messages"] for b in m["content"] if isinstance(b, dict)]
    assert {"tool_use", "tool_result"} <= {b["type"] for b in blocks}


def test_hosted_vllm_route(openai_fake, llm_client):
    settings = ModelSettings(model="hosted_vllm/Qwen/Qwen2.5-7B-Instruct", api_base=openai_fake.base_url)
    run(llm_client.complete(settings, HELLO))
    assert openai_fake.requests[-1].path == "/v1/chat/completions"
    assert openai_fake.requests[-1].body["model"] == "Qwen/Qwen2.5-7B-Instruct"


def test_concurrency_limit_holds(openai_fake, openai_settings):
    llm_client = LLMClient(limits=CallLimits(concurrency=3))
    openai_fake.responder = lambda request: Reply(body=openai.completion_body("x"), delay=0.1)

    async def many():
        await asyncio.gather(*(llm_client.complete(openai_settings, [UserMessage(content=f"q{i}")]) for i in range(9)))

    run(many())
    assert openai_fake.calls == 9 and llm_client.limits.peak_in_flight == 3


def test_anthropic_accepts_a_history_with_malformed_arguments(anthropic_fake, llm_client):
    """Anthropic takes arguments as an object: a malformed string from an earlier turn is wrapped."""
    settings = ModelSettings(model="anthropic/claude-fake", api_base=anthropic_fake.url)
    call = ToolCall(id="toolu_1", name="lookup_order", arguments='{"order_id": ')
    history = [*HELLO, AssistantMessage(tool_calls=(call,)),
               ToolMessage(tool_call_id="toolu_1", name="lookup_order", content='{"error": "bad JSON"}', is_error=True)]
    assert run(llm_client.complete(settings, history, tools=[LOOKUP])).message.content == "ok"
    (use,) = [b for m in anthropic_fake.requests[-1].body["messages"] for b in m["content"] if b.get("type") == "tool_use"]
    assert use["input"] == {"unparsed_arguments": '{"order_id": '}


def test_create_for_a_run(tmp_path, openai_fake, openai_settings):
    llm_client = LLMClient.create(cache_path=tmp_path / "llm-cache.sqlite", concurrency=4, rpm=6000)
    run(llm_client.complete(openai_settings, HELLO))
    run(llm_client.complete(openai_settings, HELLO))
    llm_client.close()
    assert openai_fake.calls == 1 and llm_client.limits.concurrency == 4
    assert LLMClient.create(cache_path=None).cache is None  # --no-cache


def test_dropped_connection_is_retried(openai_fake, openai_settings, llm_client):
    openai_fake.push(Reply(drop=True), openai.text("back"))
    assert run(llm_client.complete(openai_settings, HELLO)).message.content == "back"
    assert openai_fake.calls == 2
