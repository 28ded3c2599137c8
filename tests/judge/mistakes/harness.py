"""Play a pack with the scripted assistant over real HTTP and judge every trace.

Each episode's assistant is an `LLMAssistant` (litellm → 127.0.0.1 → `FakeOpenAIServer`), so the
traces go through the same client, message conversion and tool environment as a model's would;
the server answers each request with the episode's `ScriptedAssistant` (found by the model name,
one per episode). The user is the offline user and the judge is `simulator.judge.judge`, as in
`toolsim run`.

    played = run_harness(pack, n=200, rate=0.3)
    print(figures(played).table())
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from simulator.core.records import Episode, Trace, Verdict
from simulator.judge import judge
from simulator.llm.client import LLMClient
from simulator.llm.limits import CallLimits
from simulator.llm.retry import Backoff
from simulator.plan.episodes import plan_round
from simulator.plan.targets import compute_targets
from simulator.simulate.agents.llm_assistant import LLMAssistant
from simulator.simulate.agents.offline import make_offline_user
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec.models import ModelSettings
from simulator.spec.pack import Pack
from tests.fakes.openai_server import FakeOpenAIServer, Reply, Request, text, tool_calls
from tests.judge.mistakes.brain import Mistake, ScriptedAssistant, provider_to_messages
from tests.judge.mistakes.inject import MAKERS

FAKE_KEY = "sk-fake-harness-key-0123456789"


@dataclass
class Played:
    trace: Trace
    verdict: Verdict
    mistakes: list[Mistake]

    @property
    def accepted(self) -> bool:
        return self.verdict.decision == "accept"

    @property
    def kinds(self) -> set[str]:
        return {m.kind for m in self.mistakes}


def plan(pack: Pack, n: int, seed: int = 0) -> list[Episode]:
    """`n` episodes with the pack's own mix, as `toolsim run --n` would plan its first round."""
    t = compute_targets(pack, n)
    return plan_round(pack, dict(t.cells), t.min_multi_turn, run_seed=seed, round_index=0,
                      categories=t.categories or None, languages=t.languages or None)[:n]


class _Brains:
    """The server's responder: the brain of the episode the request's model name names."""

    def __init__(self) -> None:
        self.brains: dict[str, ScriptedAssistant] = {}

    def __call__(self, request: Request) -> Reply:
        body: dict[str, Any] = request.body
        brain = self.brains[body["model"]]
        message = brain.next_message(provider_to_messages(body["messages"]))
        if message.tool_calls:
            return tool_calls(*[(c.name, c.arguments) for c in message.tool_calls], content=message.content)
        return text(message.content or "")


async def _play(pack: Pack, episodes: list[Episode], rate: float, seed: int, server: FakeOpenAIServer,
                brains: _Brains, concurrency: int) -> list[Played]:
    client = LLMClient(cache=None, limits=CallLimits(concurrency=concurrency * 2), backoff=Backoff(base=0.01, cap=0.05))
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, episode: Episode) -> Played:
        async with gate:
            name = f"ep{index}"
            brains.brains[name] = brain = ScriptedAssistant(prepare_episode(pack, episode), pack, rate, seed)
            ctx = prepare_episode(pack, episode)
            settings = ModelSettings(model=f"openai/{name}", api_base=server.base_url, retries=0, timeout=30)
            assistant = LLMAssistant(ctx, settings, client)
            trace = await simulate_episode(ctx, make_offline_user(ctx), assistant,
                                           {"user": "offline", "assistant": "scripted"})
            del brains.brains[name]
            return Played(trace, judge(trace, pack), brain.mistakes)

    try:
        return list(await asyncio.gather(*(one(i, e) for i, e in enumerate(episodes))))
    finally:
        await client.aclose()  # its HTTP connections belong to this loop


def run_harness(pack: Pack, n: int, rate: float, seed: int = 0, concurrency: int = 4) -> list[Played]:
    """Plan `n` episodes of the pack, play them with mistakes at `rate` per message, judge them."""
    os.environ.setdefault("OPENAI_API_KEY", FAKE_KEY)  # litellm wants a key; the server is local
    brains = _Brains()
    with FakeOpenAIServer() as server:
        server.responder = brains
        return asyncio.run(_play(pack, plan(pack, n, seed), rate, seed, server, brains, concurrency))


@dataclass
class Figures:
    """What the judge let through, overall and per mistake class."""

    traces: int = 0
    accepted: int = 0
    clean: int = 0
    clean_accepted: int = 0
    sole: Counter = field(default_factory=Counter)  # traces whose only mistake class is this one
    sole_accepted: Counter = field(default_factory=Counter)
    having: Counter = field(default_factory=Counter)  # traces with a mistake of this class (among others)
    having_accepted: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)  # accepted mistakes, for reading

    @property
    def precision(self) -> float:
        """Share of accepted traces that are mistake-free."""
        return self.clean_accepted / self.accepted if self.accepted else 1.0

    @property
    def clean_loss(self) -> float:
        """Share of mistake-free traces the judge rejected."""
        return 1 - self.clean_accepted / self.clean if self.clean else 0.0

    def accept_rate(self, kind: str) -> float | None:
        return self.sole_accepted[kind] / self.sole[kind] if self.sole[kind] else None


def figures(played: list[Played]) -> Figures:
    f = Figures()
    for p in played:
        f.traces += 1
        f.accepted += p.accepted
        kinds = p.kinds
        if not kinds:
            f.clean += 1
            f.clean_accepted += p.accepted
        elif len(kinds) == 1:
            (kind,) = kinds
            f.sole[kind] += 1
            f.sole_accepted[kind] += p.accepted
        for kind in kinds:
            f.having[kind] += 1
            f.having_accepted[kind] += p.accepted
        if kinds and p.accepted:
            for m in p.mistakes:
                f.examples.setdefault(m.kind, []).append(f"{p.trace.id}: {m.detail}")
    return f


KINDS = tuple(MAKERS)
__all__ = ["KINDS", "Figures", "Played", "figures", "plan", "run_harness"]
