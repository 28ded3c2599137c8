"""Real traces for the judge's tests: an offline episode of a shipped pack, then edited the way a
model would have got it wrong (a reply, a call), with the tool environment re-run so results and
the state stay what the edited calls really produce."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from simulator.core.messages import AssistantMessage, ToolCall
from simulator.core.records import Trace, Verdict
from simulator.judge import judge
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.environment import ToolEnvironment
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec.pack import Pack
from tests.fakes.fixtures import episode_context


def offline_trace(pack: Pack, scenario: str, persona: str = "formal_polite", seed: int = 7) -> Trace:
    ctx = episode_context(pack, scenario, persona, seed)
    return asyncio.run(simulate_episode(ctx, make_offline_user(ctx), make_offline_assistant(ctx)))


def replies(trace: Trace) -> list[int]:
    """Indexes of the assistant's text replies."""
    return [i for i, m in enumerate(trace.messages) if isinstance(m, AssistantMessage) and m.content]


def with_reply(trace: Trace, index: int, content: str, calls: tuple[ToolCall, ...] = ()) -> Trace:
    edited = trace.model_copy(deep=True)
    edited.messages[index] = AssistantMessage(content=content, tool_calls=calls)
    return edited


def with_call_args(pack: Pack, trace: Trace, call_index: int, **changes: Any) -> Trace:
    """The trace with one call's arguments changed (None removes one), every call re-run on a
    fresh environment so the results and the recorded state change follow."""
    edited = trace.model_copy(deep=True)
    env = ToolEnvironment(pack.domain, seed=trace.episode.seed, today=pack.today_of(trace))
    seen = 0
    for index, message in enumerate(edited.messages):
        if isinstance(message, AssistantMessage) and message.tool_calls:
            calls = []
            for call in message.tool_calls:
                if seen == call_index:
                    args = {k: v for k, v in {**json.loads(call.arguments), **changes}.items() if v is not None}
                    call = ToolCall(id=call.id, name=call.name, arguments=json.dumps(args))
                seen += 1
                calls.append(call)
            edited.messages[index] = AssistantMessage(content=message.content, tool_calls=tuple(calls))
            for offset, call in enumerate(calls, 1):
                edited.messages[index + offset] = env.call(call)
    edited.state_diff = env.diff()
    return edited


def failed(verdict: Verdict) -> dict[str, str]:
    return {c.name: c.reason for c in verdict.checks if not c.passed}


def judged(trace: Trace, pack: Pack) -> dict[str, str]:
    """The failed checks of a trace, name -> reason."""
    return failed(judge(trace, pack))
