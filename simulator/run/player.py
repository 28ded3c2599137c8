"""Play and judge one episode: the work every executor does, in the runner's process or a worker's.

A `Player` holds what playing needs — the pack, the agent settings and the LLM client (its
cache and limits) — and is built once per process: by the runner for the in-process executor,
by each worker process and each Ray actor for theirs. `play` gives a `Played` (the two JSONL
lines and the outcome); the same episode gives the same bytes wherever it is played, which is
what keeps a dataset identical whatever the executor.
"""

from __future__ import annotations

import asyncio
from typing import Any

from simulator.core.messages import SystemMessage
from simulator.core.records import Episode, RoleUsage, Trace, Verdict
from simulator.judge import judge, needs_model, with_model
from simulator.run.outcome import Played
from simulator.simulate.agents.factory import AgentFactory, AgentSettings
from simulator.simulate.environment import release_seeded
from simulator.simulate.episode import ScenarioError, prepare_episode
from simulator.simulate.orchestrator import describe_exception, simulate_episode
from simulator.spec.pack import Pack


class Player:
    def __init__(self, pack: Pack, agents: AgentSettings, client: Any = None, live: Any = None) -> None:
        self.pack = pack
        self.agents = agents
        self.client = client  # None when every role is offline
        self.live = live  # the run's `LiveTools` when some tool is answered live (in process only)
        self.factory = AgentFactory(agents, client)
        self.described = agents.describe()

    def failed_trace(self, episode: Episode, error: str) -> Trace:
        return Trace(
            id=episode.id,
            episode=episode,
            messages=[SystemMessage(content=self.pack.domain.system_prompt)],
            termination="error",
            error=error,
        )

    async def trace(self, episode: Episode) -> Trace:
        try:
            ctx = prepare_episode(self.pack, episode)
            user, assistant = self.factory.user(ctx), self.factory.assistant(ctx)
            ctx.tool_model = self.factory.tool_model(ctx)
            ctx.live = self.live.for_episode(episode.id) if self.live is not None else None
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:  # noqa: BLE001 - a scenario that cannot be played (a sim's seeder
            # raising its own BaseException too) is recorded, not fatal. It says why in its own words;
            # where in toolsim that was noticed would only distract (any other exception keeps its place).
            error = f"ScenarioError: {exc}" if isinstance(exc, ScenarioError) else describe_exception(exc)
            return self.failed_trace(episode, error)
        trace = await simulate_episode(ctx, user, assistant, self.described)
        if ctx.tool_model is not None:
            trace.usage["tool"] = ctx.tool_model.usage
        if ctx.live is not None:
            trace.usage["live"] = ctx.live.usage
        return trace

    async def judge(self, trace: Trace) -> Verdict:
        """Rules first; the judge model only sees traces the rules accepted (and costs nothing else)."""
        verdict = judge(trace, self.pack)
        agents = self.agents
        if agents.judges and needs_model(verdict):
            from simulator.judge.model import Rubric, judge_with_model

            usage = RoleUsage()
            rubric = Rubric(dict(agents.rubric)) if agents.rubric else None
            judgement = await judge_with_model(trace, self.pack, agents.judges, self.client, rubric,
                                               agents.judge_threshold, samples=agents.judge_samples, usage=usage)
            verdict = with_model(verdict, judgement, agents.judge_threshold)
            trace.usage["judge"] = usage
        return verdict

    async def play(self, episode: Episode) -> Played:
        trace = await self.trace(episode)
        verdict = await self.judge(trace)
        # Nothing reads the episode's seeded state after its judge (a mistake twin, which shares
        # the seed, seeds it again: the same state).
        release_seeded(self.pack.domain, episode.seed, self.pack.today_of(trace))
        return Played.of(trace, verdict)

    async def lost(self, episode: Episode, error: str) -> Played:
        """The record of an episode no worker could finish (each one playing it died)."""
        trace = self.failed_trace(episode, error)
        return Played.of(trace, judge(trace, self.pack))
