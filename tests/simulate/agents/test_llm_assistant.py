"""The LLM assistant in whole episodes: the offline user talks to a scripted fake model over
real HTTP, the real tool environment answers its calls."""

from __future__ import annotations

import asyncio
import json

from simulator.core.messages import AssistantMessage, ToolMessage
from simulator.simulate.agents.llm_assistant import make_llm_assistant
from simulator.simulate.agents.offline import make_offline_user
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai
from tests.fakes.fixtures import episode_context
from tests.fakes.http_fake import Request


def _after_tools(request: Request) -> bool:
    return bool(request.messages) and request.messages[-1]["role"] == "tool"


def _play(ctx, settings, llm_client):
    assistant = make_llm_assistant(ctx, settings, llm_client)
    trace = asyncio.run(simulate_episode(ctx, make_offline_user(ctx), assistant, {"assistant": settings.model}))
    return trace, assistant


def test_refund_episode_with_a_tool_call(support_pack, openai_fake, llm_client):
    ctx = episode_context(support_pack, "refund_delivered_order", "formal_polite")
    order_id, reason = ctx.facts["order_id"], ctx.facts["reason"]["code"]

    def model(request: Request):
        if _after_tools(request):
            return openai.text(f"Your refund for {order_id} is on its way.")
        return openai.tool_calls(("initiate_refund", {"order_id": order_id, "reason": reason}))

    openai_fake.responder = model
    settings = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url)
    trace, assistant = _play(ctx, settings, llm_client)

    assert trace.termination == "user_stop", trace.error
    calls = trace.tool_calls()
    assert calls[0][0] == "initiate_refund" and json.loads(calls[0][1])["order_id"] == order_id
    results = [m for m in trace.messages if isinstance(m, ToolMessage)]
    assert results and not results[0].is_error and "refund_id" in results[0].content
    # The model saw the domain's system prompt and tools, and the real tool result came back to it.
    first, after = openai_fake.requests[0].body, next(r.body for r in openai_fake.requests if _after_tools(r))
    assert first["messages"][0] == {"role": "system", "content": ctx.domain.system_prompt}
    assert {t["function"]["name"] for t in first["tools"]} == set(ctx.domain.tools)
    assert after["messages"][-1]["content"] == results[0].content
    assert assistant.usage.calls == openai_fake.calls >= 2 and assistant.stats.tool_calls == 1


def test_parallel_calls_in_one_turn(support_pack, openai_fake, llm_client):
    ctx = episode_context(support_pack, "parallel_status_and_orders", "formal_polite")

    def model(request: Request):
        if _after_tools(request):
            return openai.text("Here is both.")
        return openai.tool_calls(
            ("check_status", {"order_id": ctx.facts["order_id"]}), ("lookup_order", {"email": ctx.facts["email"]})
        )

    openai_fake.responder = model
    settings = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url)
    trace, assistant = _play(ctx, settings, llm_client)

    turn = next(m for m in trace.messages if isinstance(m, AssistantMessage) and m.tool_calls)
    assert [c.name for c in turn.tool_calls] == ["check_status", "lookup_order"]
    answered = [m.tool_call_id for m in trace.messages if isinstance(m, ToolMessage)]
    assert answered[:2] == [c.id for c in turn.tool_calls]
    assert assistant.stats.parallel_turns >= 1


def test_bad_calls_reach_the_environment_and_the_model_recovers(support_pack, openai_fake, llm_client):
    ctx = episode_context(support_pack, "status_of_shipped_order", "formal_polite")
    order_id = ctx.facts["order_id"]
    replies = iter([
        openai.tool_calls(("track_parcel", {"order_id": order_id}), ("check_status", '{"order_id": ')),
        openai.tool_calls(("check_status", {"order_id": order_id})),
    ])

    def model(request: Request):
        if _after_tools(request) and request.messages[-1]["content"].find("error") < 0:
            return openai.text(f"Order {order_id} is on its way.")
        return next(replies, openai.text("Done."))

    openai_fake.responder = model
    settings = ModelSettings(model="openai/fake-model", api_base=openai_fake.base_url)
    trace, assistant = _play(ctx, settings, llm_client)

    errors = [m for m in trace.messages if isinstance(m, ToolMessage) and m.is_error]
    assert len(errors) == 2 and "unknown tool" in errors[0].content
    assert assistant.stats.unknown_tool == 1 and assistant.stats.malformed_arguments == 1
    assert assistant.stats.attempts_after_error == 1
    assert [name for name, _ in trace.tool_calls()] == ["track_parcel", "check_status", "check_status"]


def test_prompt_format_fallback_episode(support_pack, openai_fake, llm_client):
    ctx = episode_context(support_pack, "status_of_shipped_order", "formal_polite")
    order_id = ctx.facts["order_id"]

    def model(request: Request):
        last = request.messages[-1]["content"]
        if "<tool_response>" in last:
            return openai.text(f"Order {order_id} is on its way.")
        return openai.text(
            f'Let me check.\n<tool_call>\n{{"name": "check_status", "arguments": {{"order_id": "{order_id}"}}}}\n</tool_call>'
        )

    openai_fake.responder = model
    settings = ModelSettings(model="openai/plain-model", api_base=openai_fake.base_url, tool_format="prompt")
    trace, _ = _play(ctx, settings, llm_client)

    assert trace.termination == "user_stop", trace.error
    assert trace.tool_calls()[0] == ("check_status", json.dumps({"order_id": order_id}))
    assert any(isinstance(m, ToolMessage) and not m.is_error for m in trace.messages)
    assert all("tools" not in r.body for r in openai_fake.requests)
    assert any("<tool_response>" in r.messages[-1]["content"] for r in openai_fake.requests)
