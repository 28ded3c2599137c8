"""Run a pack end to end: plan → simulate → judge → curate → export, resumably.

Every finished episode is appended to `traces.jsonl` and `verdicts.jsonl` at once. The runner
plans in rounds: after each round it curates what was accepted (exact and near dedupe, quota
selection — the same `Curator` the publisher uses) and plans again for the tool, category and
language cells left short, until the targets are met or a budget (episodes, USD) is spent.
Planning is deterministic, so a rerun after a crash plans the same episodes and skips those
already on disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from simulator.core.messages import SystemMessage
from simulator.core.records import Episode, RoleUsage, Trace, Verdict
from simulator.core.rundir import JsonlAppender, RunDir
from simulator.curate.curator import Curator
from simulator.judge import judge, needs_model, with_model
from simulator.plan.episodes import plan_round
from simulator.plan.targets import Targets, compute_targets
from simulator.run.publish import publish_dataset
from simulator.run.state import RunResult, RunState, judged_traces
from simulator.simulate.agents.factory import AgentFactory, AgentSettings
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import describe_exception, simulate_episode
from simulator.spec.pack import Pack
from simulator.spec.snapshot import write_snapshot

MAX_ROUNDS = 8


@dataclass
class RunOptions:
    out: Path
    n: int | None = None
    seed: int | None = None
    force: bool = False
    concurrency: int = 16
    max_episodes: int | None = None
    samples_per_episode: int = 1
    max_cost: float | None = None  # USD; overrides generation.max_cost
    near_dup_threshold: float | None = None  # overrides generation.dedupe.near_threshold
    agents: AgentSettings = field(default_factory=AgentSettings)
    rpm: float | None = None  # LLM requests started per minute
    cache_path: Path | None = None  # LLM response cache (sqlite); None = no cache


ProgressHook = Callable[[int, int], None]  # (finished, planned)


def fingerprint(pack: Pack, options: RunOptions) -> str:
    """What must match for a rerun to resume rather than start over."""
    payload = {
        "file": pack.file.model_dump(mode="json"),
        "personas": {k: p.model_dump(mode="json") for k, p in sorted(pack.personas.items())},
        "tools": {k: t.model_dump(mode="json") for k, t in pack.domain.tools.items()},
        "n": options.n,
        "seed": options.seed,
        "samples": options.samples_per_episode,
        "agents": options.agents.describe(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class Runner:
    def __init__(self, pack: Pack, options: RunOptions, progress: ProgressHook | None = None) -> None:
        self.pack = pack
        self.options = options
        self.progress = progress
        self.run_dir = RunDir(options.out)
        self.seed = options.seed if options.seed is not None else pack.file.generation.seed
        self.targets: Targets = compute_targets(pack, options.n)
        self.client = None if options.agents.is_offline() else self._make_client()
        self.factory = AgentFactory(options.agents, self.client)
        self.state = RunState()
        self.budget = options.max_episodes or pack.file.generation.max_episodes or (
            3 * self.targets.total * options.samples_per_episode
        )
        self.planned = 0
        gen = pack.file.generation
        self.max_cost = options.max_cost if options.max_cost is not None else gen.max_cost
        near = options.near_dup_threshold if options.near_dup_threshold is not None else gen.dedupe.near_threshold
        self.curator = Curator(self.targets, near, gen.dedupe.leak_threshold)
        self.stop_reason = "targets met"

    def _make_client(self) -> Any:
        from simulator.llm.client import LLMClient

        return LLMClient.create(cache_path=self.options.cache_path, concurrency=self.options.concurrency,
                                rpm=self.options.rpm)

    async def _judge(self, trace: Trace) -> Verdict:
        """Rules first; the judge model only sees traces the rules accepted (and costs nothing else)."""
        verdict = judge(trace, self.pack)
        agents = self.options.agents
        if agents.judges and needs_model(verdict):
            from simulator.judge.model import Rubric, judge_with_model

            usage = RoleUsage()
            rubric = Rubric(dict(agents.rubric)) if agents.rubric else None
            judgement = await judge_with_model(trace, self.pack, agents.judges, self.client, rubric,
                                               agents.judge_threshold, samples=agents.judge_samples, usage=usage)
            verdict = with_model(verdict, judgement, agents.judge_threshold)
            trace.usage["judge"] = usage
        return verdict

    # ------------------------------------------------------------ resume

    async def _resume(self) -> None:
        """Rebuild state from disk; judge traces whose verdict the kill prevented from landing."""
        unjudged: list[Trace] = []
        for trace, verdict in judged_traces(self.run_dir):
            if verdict is None:
                unjudged.append(trace)
            else:
                self.state.record(trace, verdict)
        if unjudged:
            with_verdicts = JsonlAppender(self.run_dir.verdicts_path)
            try:
                for trace in unjudged:
                    verdict = await self._judge(trace)
                    with_verdicts.write(verdict)
                    self.state.record(trace, verdict)
            finally:
                with_verdicts.close()

    # ------------------------------------------------------------ simulate

    def _failed_trace(self, episode: Episode, exc: BaseException) -> Trace:
        return Trace(
            id=episode.id,
            episode=episode,
            messages=[SystemMessage(content=self.pack.domain.system_prompt)],
            termination="error",
            error=describe_exception(exc),
        )

    async def _play(self, episode: Episode) -> Trace:
        try:
            ctx = prepare_episode(self.pack, episode)
            user, assistant = self.factory.user(ctx), self.factory.assistant(ctx)
            ctx.tool_model = self.factory.tool_model(ctx)
        except Exception as exc:  # noqa: BLE001 - a scenario that cannot be played is recorded, not fatal
            return self._failed_trace(episode, exc)
        trace = await simulate_episode(ctx, user, assistant, self.options.agents.describe())
        if ctx.tool_model is not None:
            trace.usage["tool"] = ctx.tool_model.usage
        return trace

    async def _simulate(self, episodes: list[Episode], traces: JsonlAppender, verdicts: JsonlAppender) -> None:
        pending = iter(episodes)
        finished = len(self.state.done)

        async def worker() -> None:
            nonlocal finished
            for episode in pending:
                if self.over_cost():
                    return
                trace = await self._play(episode)
                verdict = await self._judge(trace)
                traces.write(trace)
                verdicts.write(verdict)
                self.state.record(trace, verdict)
                finished += 1
                if self.progress:
                    self.progress(finished, self.planned)

        workers = max(1, min(self.options.concurrency, len(episodes)))
        await asyncio.gather(*(worker() for _ in range(workers)))

    # ------------------------------------------------------------ rounds

    def spent_usd(self) -> float:
        """Cost so far; roles whose cost is unknown (no price for the model) count as 0."""
        return sum(u.cost_usd or 0.0 for u in self.state.usage.values())

    def over_cost(self) -> bool:
        if self.max_cost is not None and self.spent_usd() >= self.max_cost:
            self.stop_reason = "max cost"
            return True
        return False

    def _rounds(self) -> Iterable[tuple[int, list[Episode]]]:
        """Round 0 plans the full target; later rounds plan only what is still short after curation."""
        t = self.targets
        missing, futile = float("inf"), 0
        for round_index in range(MAX_ROUNDS):
            if round_index == 0:
                deficits, multi, categories, languages = dict(t.cells), t.min_multi_turn, t.categories, t.languages
            else:
                if self.planned >= self.budget:  # nothing could be planned: don't curate for nothing
                    self.stop_reason = "max episodes"
                    return
                curated = self.curator.curate(self.state.accepted)
                deficits, multi, categories, languages = curated.needs(t)
                if not deficits and not multi:
                    return
                futile = futile + 1 if sum(curated.short.values()) >= missing else 0
                if futile >= 2:
                    self.stop_reason = "no progress"  # two rounds that filled nothing: more won't help
                    return
                missing = min(missing, sum(curated.short.values()))
            if self.over_cost():
                return
            episodes = plan_round(
                self.pack, deficits, multi, run_seed=self.seed, round_index=round_index,
                samples=self.options.samples_per_episode, categories=categories, languages=languages,
            )
            room = self.budget - self.planned
            if room <= 0:
                self.stop_reason = "max episodes"
                return
            episodes = episodes[:room]
            self.planned += len(episodes)
            yield round_index, episodes
        self.stop_reason = "max rounds"

    async def simulate_all(self) -> None:
        traces = JsonlAppender(self.run_dir.traces_path)
        verdicts = JsonlAppender(self.run_dir.verdicts_path)
        try:
            for _, episodes in self._rounds():
                before = len(self.state.accepted)
                todo = [e for e in episodes if e.id not in self.state.done]
                if self.progress:
                    self.progress(len(self.state.done), self.planned)
                await self._simulate(todo, traces, verdicts)
                if todo and len(self.state.accepted) == before:
                    self.stop_reason = "no progress"
                    break  # a whole round without one accepted example: more rounds won't help
        finally:
            traces.close()
            verdicts.close()

    # ------------------------------------------------------------ entry

    def manifest(self, status: str, started: float, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        from simulator.core.versions import package_versions

        return {
            "name": self.pack.name,
            "status": status,
            "fingerprint": fingerprint(self.pack, self.options),
            "scenario_file": str(self.pack.path),
            "seed": self.seed,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "options": {
                "n": self.options.n,
                "concurrency": self.options.concurrency,
                "max_episodes": self.budget,
                "samples_per_episode": self.options.samples_per_episode,
                "max_cost": self.max_cost,
                "near_dup_threshold": self.curator.index.threshold if self.curator.index else None,
            },
            "agents": self.options.agents.describe(),
            "targets": self.targets.as_dict(),
            "config": self.pack.file.model_dump(mode="json"),
            "versions": package_versions(),
            **(extra or {}),
        }

    def _card_settings(self) -> dict[str, Any]:
        return {"max_episodes": self.budget, "max_cost_usd": self.max_cost,
                "samples_per_episode": self.options.samples_per_episode, "agents": self.options.agents.describe()}

    async def run(self) -> RunResult:
        started = time.time()
        resuming = self.run_dir.prepare(force=self.options.force, fingerprint=fingerprint(self.pack, self.options))
        try:
            if resuming:
                await self._resume()
                started = time.time()
            write_snapshot(self.run_dir, self.pack)
            self.run_dir.write_manifest(self.manifest("running", started))
            await self.simulate_all()
        finally:
            if self.client is not None:
                self.client.close()
        result = publish_dataset(self.run_dir, self.pack, self.targets, self.state, seed=self.seed,
                                 curator=self.curator, settings=self._card_settings())
        result.stopped_by = None if not result.short else self.stop_reason
        result.resumed = resuming
        result.seconds = time.time() - started
        self.run_dir.write_manifest(self.manifest("finished", started, {"counts": result.counts()}))
        return result
