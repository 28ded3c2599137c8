"""Orchestrator: termination reasons are recorded on the trace and nothing escapes."""

import asyncio
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from simulator.core.messages import AssistantMessage, ToolCall, UserMessage, tool_result
from simulator.core.records import Episode, RoleUsage
from simulator.simulate.agents.base import UserDefect
from simulator.simulate.episode import EpisodeContext
from simulator.simulate.orchestrator import MAX_TOOL_ROUNDS, simulate_episode
from simulator.spec import DomainConfig, Persona, Scenario
from simulator.spec.pack import Domain


class Env:
    def __init__(self):
        self.calls = 0
        self.today = date(2026, 3, 11)

    def call(self, call):
        self.calls += 1
        return tool_result(call, {"ok": True})

    def diff(self):
        return []


@dataclass
class Scripted:
    replies: list[Any]
    usage: RoleUsage = field(default_factory=RoleUsage)

    async def respond(self, messages):
        reply = self.replies.pop(0) if self.replies else self.replies_default()
        if isinstance(reply, Exception):
            raise reply
        return reply

    def replies_default(self):
        return AssistantMessage(tool_calls=(ToolCall(id="c", name="t"),))


def _ctx(max_turns=3):
    scenario = Scenario(id="s", category="positive", goal="g", turns=[{"say": ["hi"]}])
    episode = Episode(id="e1", scenario_id="s", persona_id="p", seed=1, category="positive", tool=None, language="en")
    domain = Domain(name="d", system_prompt="SYS", tools={}, config=DomainConfig(tools="x", system_prompt="SYS"))
    return EpisodeContext(episode=episode, scenario=scenario, persona=Persona(id="p", name="P"), domain=domain,
                          facts={"a": 1}, env=Env(), rng=random.Random(1), max_turns=max_turns)


def test_user_stop_ends_the_episode():
    ctx = _ctx()
    user = Scripted([UserMessage(content="hello"), UserMessage(content="thanks ###STOP###")])
    assistant = Scripted([AssistantMessage(tool_calls=(ToolCall(id="c1", name="t"),)), AssistantMessage(content="done")])
    trace = asyncio.run(simulate_episode(ctx, user, assistant))
    assert trace.termination == "user_stop" and trace.error is None
    assert [m.role for m in trace.messages] == ["system", "user", "assistant", "tool", "assistant", "user"]
    assert trace.messages[0].content == "SYS" and trace.facts == {"a": 1}


def test_max_turns_is_recorded():
    ctx = _ctx(max_turns=2)
    user = Scripted([UserMessage(content="a"), UserMessage(content="b"), UserMessage(content="c")])
    assistant = Scripted([AssistantMessage(content="x"), AssistantMessage(content="y")])
    trace = asyncio.run(simulate_episode(ctx, user, assistant))
    assert trace.termination == "max_turns" and "2 user turns" in trace.error
    assert sum(m.role == "user" for m in trace.messages) == 2


def test_user_defect_and_errors_become_terminations():
    defect = asyncio.run(simulate_episode(_ctx(), Scripted([UserDefect("empty_message")]), Scripted([])))
    assert defect.termination == "user_defect" and defect.error == "empty_message"
    boom = asyncio.run(simulate_episode(_ctx(), Scripted([UserMessage(content="hi")]), Scripted([RuntimeError("boom")])))
    assert boom.termination == "error" and "RuntimeError: boom" in boom.error


def test_endless_tool_calls_are_cut_off():
    ctx = _ctx()
    trace = asyncio.run(simulate_episode(ctx, Scripted([UserMessage(content="hi")]), Scripted([])))
    assert trace.termination == "error" and "ToolLoopError" in trace.error
    assert ctx.env.calls == MAX_TOOL_ROUNDS


def test_fake_values_avoid_ids_already_in_the_state(monkeypatch):
    import simulator.simulate.episode as episode

    values = iter(["ORD-11111", "ORD-11111", "ORD-22222"])
    monkeypatch.setattr(episode, "fake", lambda kind, rng: next(values))
    state = {"orders": [{"order_id": "ORD-11111"}]}
    assert episode._fresh_fake("order_id", state, random.Random(0)) == "ORD-22222"


def test_the_remembered_template_key_is_the_context_s_own(support_pack):
    """`template_key` answers from what it worked out for an earlier episode of the same scenario,
    language and opening variant: the same as each context's own `template_key`."""
    from simulator.simulate.orchestrator import template_key
    from tests.fakes.fixtures import episode_context

    seen = set()
    for scenario_id in support_pack.scenarios:
        for persona_id in support_pack.personas:
            for seed in range(4):
                ctx = episode_context(support_pack, scenario_id, persona_id, seed)
                assert template_key(ctx) == ctx.template_key
                seen.add(ctx.template_key)
    assert len(seen) > len(support_pack.scenarios)  # several languages and openings were met
