"""The LLM assistant in a whole episode against a scripted model (no HTTP: the wire is tested in
test_llm_assistant.py): it sees the domain's prompt and tools, its calls reach the real tool sims,
a malformed call comes back as an error result it can recover from."""

from __future__ import annotations

import asyncio
import json

from simulator import ScriptedClient, tool_call
from simulator.core.messages import ToolMessage
from simulator.simulate.agents.llm_assistant import make_llm_assistant
from simulator.simulate.agents.offline import make_offline_user
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec import ModelSettings
from tests.fakes.fixtures import episode_context

SETTINGS = ModelSettings(model="scripted/assistant")


def test_a_scripted_model_recovers_from_its_own_bad_call(support_pack):
    ctx = episode_context(support_pack, "refund_delivered_order", "formal_polite")
    order_id, reason = ctx.facts["order_id"], ctx.facts["reason"]["code"]

    def model(request):
        results = [m for m in request.messages if isinstance(m, ToolMessage)]
        if not results:
            return tool_call("initiate_refund", order_id=order_id.lower(), reason=reason)  # breaks the pattern
        if len(results) == 1:
            return tool_call("initiate_refund", order_id=order_id, reason=reason)
        return f"Your refund for {order_id} is on its way."

    client = ScriptedClient(model)
    assistant = make_llm_assistant(ctx, SETTINGS, client)
    trace = asyncio.run(simulate_episode(ctx, make_offline_user(ctx), assistant))

    assert trace.termination == "user_stop", trace.error
    results = [m for m in trace.messages if isinstance(m, ToolMessage)]
    assert [r.is_error for r in results] == [True, False]
    assert "invalid arguments" in results[0].content and "refund_id" in results[1].content
    assert [json.loads(args)["order_id"] for _, args in trace.tool_calls()] == [order_id.lower(), order_id]
    first = client.requests[0]
    assert first.messages[0].content == ctx.system_prompt and {t.name for t in first.tools} == set(ctx.domain.tools)
    assert assistant.usage.calls == len(client.requests) == 3
