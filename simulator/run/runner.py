"""Run a pack end to end: plan → simulate → judge → curate → export, resumably.

Every finished episode is appended to `traces.jsonl` and `verdicts.jsonl` at once (the runner is
their one writer). What to play is the `Schedule`'s business (`schedule.py`): rounds planned from
curation of everything settled — exact and near dedupe, quota selection, the same `Curator` the
publisher uses — plus, when a model plays a role, refills planned while episodes are in flight,
until the targets are met or a budget (episodes, USD) is spent. Planning reads settled results
only, in plan order, so a rerun after a crash plans the same episodes, takes those already on
disk back from the run directory and plays only the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from simulator.core.messages import SystemMessage
from simulator.core.records import Episode, RoleUsage, Trace, Verdict
from simulator.core.rundir import JsonlAppender, RunDir
from simulator.curate.curator import Curator
from simulator.judge import judge, needs_model, with_model
from simulator.load.locate import scenario_problem
from simulator.plan.targets import Targets, compute_targets
from simulator.run.finished import FinishedEpisodes
from simulator.run.publish import publish_dataset
from simulator.run.schedule import Schedule
from simulator.run.shortfall import CRASH_STOP
from simulator.run.state import RunResult, RunState
from simulator.simulate.agents.factory import AgentFactory, AgentSettings
from simulator.simulate.episode import ScenarioError, prepare_episode
from simulator.simulate.orchestrator import describe_exception, simulate_episode
from simulator.spec.pack import Pack
from simulator.spec.snapshot import write_snapshot


def episodes_at_once(concurrency: int) -> int:
    """Episodes played at once for `--concurrency` requests in flight: a quarter more, so that
    while some episodes are between two calls (their agents, tools and judge at work, or waiting
    for the event loop) others hold those requests' slots. The client never lets more than
    `concurrency` requests out (`CallLimits`); offline episodes never wait, so the number is moot."""
    return max(1, concurrency + concurrency // 4)


def _versions() -> dict[str, str]:
    from simulator.core.versions import package_versions

    return package_versions()


def _cost_of(trace: Trace) -> float:
    return sum(u.cost_usd or 0.0 for u in trace.usage.values())


@dataclass
class RunOptions:
    out: Path
    n: int | None = None
    seed: int | None = None
    force: bool = False
    concurrency: int = 16
    max_episodes: int | None = None
    samples_per_episode: int = 1
    mistake_share: float = 0.0  # share of episodes also played with a labelled mistake (DPO pairs offline)
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
        **({"mistake_share": options.mistake_share} if options.mistake_share else {}),
        "agents": options.agents.describe(),
        "sim": pack.domain.sim_modes,
        "service": pack.domain.service.model_dump(mode="json") if pack.domain.service else None,
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
        self.live = self._make_live()
        self.factory = AgentFactory(options.agents, self.client)
        self.state = RunState()
        self.budget = options.max_episodes or pack.file.generation.max_episodes or (
            round(3 * self.targets.total * options.samples_per_episode * (1 + options.mistake_share))
        )
        self.spent = 0.0  # USD, counted as episodes finish (the state counts them as they settle)
        self.schedule: Schedule | None = None
        gen = pack.file.generation
        self.max_cost = options.max_cost if options.max_cost is not None else gen.max_cost
        near = options.near_dup_threshold if options.near_dup_threshold is not None else gen.dedupe.near_threshold
        self.curator = Curator(self.targets, near, gen.dedupe.leak_threshold)
        self.stop_reason = "targets met"
        self.stop_detail = ""

    def _make_client(self) -> Any:
        from simulator.llm.client import LLMClient

        return LLMClient.create(cache_path=self.options.cache_path, concurrency=self.options.concurrency,
                                rpm=self.options.rpm)

    def _make_live(self) -> Any:
        """The run's live side, when some tool's `domain.sim` is `live` (`simulator.simulate.live`)."""
        from simulator.run.live_setup import check_answers, make_live

        check_answers(self.pack, self.options.agents)
        return make_live(self.pack, self.options)

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

    async def _judge_unjudged(self, finished: FinishedEpisodes) -> None:
        """Judge traces whose verdict the kill prevented from landing."""
        unjudged = finished.unjudged()
        if not unjudged:
            return
        with_verdicts = JsonlAppender(self.run_dir.verdicts_path)
        try:
            for episode_id in unjudged:
                with_verdicts.write(await self._judge(finished.trace(episode_id)))
        finally:
            with_verdicts.close()
        finished.reload_verdicts()

    # ------------------------------------------------------------ simulate

    def _failed_trace(self, episode: Episode, exc: BaseException) -> Trace:
        return Trace(
            id=episode.id,
            episode=episode,
            messages=[SystemMessage(content=self.pack.domain.system_prompt)],
            termination="error",
            # A scenario that cannot be played says why in its own words; where in toolsim
            # that was noticed would only distract (any other exception keeps its place).
            error=f"ScenarioError: {exc}" if isinstance(exc, ScenarioError) else describe_exception(exc),
        )

    async def _play(self, episode: Episode) -> Trace:
        try:
            ctx = prepare_episode(self.pack, episode)
            user, assistant = self.factory.user(ctx), self.factory.assistant(ctx)
            ctx.tool_model = self.factory.tool_model(ctx)
            ctx.live = self.live.for_episode(episode.id) if self.live is not None else None
        except (KeyboardInterrupt, asyncio.CancelledError):
            raise
        except BaseException as exc:  # noqa: BLE001 - a scenario that cannot be played (a sim's seeder
            return self._failed_trace(episode, exc)  # raising its own BaseException too) is recorded, not fatal
        trace = await simulate_episode(ctx, user, assistant, self.options.agents.describe())
        if ctx.tool_model is not None:
            trace.usage["tool"] = ctx.tool_model.usage
        if ctx.live is not None:
            trace.usage["live"] = ctx.live.usage
        return trace

    async def _simulate(self, schedule: Schedule, traces: JsonlAppender, verdicts: JsonlAppender) -> None:
        """`--concurrency` workers play the schedule's episodes as it hands them out; each result
        is written at once (the one writer of both files) and given back to the schedule, which
        may plan more. A worker with nothing to start waits until the plan grows or the run ends.
        Offline episodes never wait on anything, so one worker plays them all, in plan order."""
        more = asyncio.Event()
        finished = len(schedule.finished) if schedule.finished else 0

        async def worker() -> None:
            nonlocal finished
            while not schedule.complete:
                if self.over_cost():
                    spent = f"USD {self.spent:.4f} spent of a budget of {self.max_cost:g} (--max-cost)"
                    schedule.halt("max cost", spent)
                    break
                episode = schedule.take()
                if episode is None:
                    more.clear()
                    await more.wait()
                    continue
                trace = await self._play(episode)
                verdict = await self._judge(trace)
                traces.write(trace)
                verdicts.write(verdict)
                self.spent += _cost_of(trace)
                schedule.finish(episode, trace, verdict)
                more.set()
                finished += 1
                if self.progress:
                    self.progress(finished, schedule.planned)
            more.set()

        await asyncio.gather(*(worker() for _ in range(episodes_at_once(self.options.concurrency))))

    # ------------------------------------------------------------ budgets

    def spent_usd(self) -> float:
        """Cost so far; roles whose cost is unknown (no price for the model) count as 0."""
        return self.spent

    def over_cost(self) -> bool:
        return self.max_cost is not None and self.spent >= self.max_cost

    async def simulate_all(self, finished: FinishedEpisodes | None = None) -> None:
        schedule = Schedule(self.pack, self.targets, self.curator, self.state, seed=self.seed,
                            samples=self.options.samples_per_episode, budget=self.budget,
                            mistake_share=self.options.mistake_share,
                            refills=self.client is not None, over_cost=self.over_cost, finished=finished)
        self.schedule = schedule
        traces = JsonlAppender(self.run_dir.traces_path)
        verdicts = JsonlAppender(self.run_dir.verdicts_path)
        try:
            schedule.start()
            if self.progress:
                self.progress(len(finished) if finished else 0, schedule.planned)
            await self._simulate(schedule, traces, verdicts)
            schedule.flush()
        finally:
            traces.close()
            verdicts.close()
        self.stop_reason, self.stop_detail = schedule.stop_reason, schedule.stop_detail

    # ------------------------------------------------------------ entry

    def manifest(self, status: str, started: float, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": self.pack.name,
            "status": status,
            "fingerprint": fingerprint(self.pack, self.options),
            # absolute, so it resolves from any working directory (later commands run from anywhere)
            "scenario_file": str(self.pack.path.resolve()),
            "seed": self.seed,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "options": {
                "n": self.options.n,
                "concurrency": self.options.concurrency,
                "max_episodes": self.budget,
                "samples_per_episode": self.options.samples_per_episode,
                "mistake_share": self.options.mistake_share,
                "max_cost": self.max_cost,
                "near_dup_threshold": self.curator.index.threshold if self.curator.index else None,
            },
            "agents": self.options.agents.describe(),
            **({"live": self._live_summary()} if self.live is not None else {}),
            "targets": self.targets.as_dict(),
            "config": self.pack.file.model_dump(mode="json"),
            # Package versions go into the finished manifest: looking them up (importlib.metadata)
            # would delay the first episode, and the fingerprint decides resuming, not these.
            **({"versions": _versions()} if status == "finished" else {}),
            **(extra or {}),
        }

    def _live_summary(self) -> dict[str, Any]:
        return {"service": self.live.source.identity, "tools": self.pack.domain.live_tools,
                "requests": self.live.requests}

    def _card_settings(self) -> dict[str, Any]:
        return {"max_episodes": self.budget, "max_cost_usd": self.max_cost,
                "samples_per_episode": self.options.samples_per_episode, "agents": self.options.agents.describe()}

    async def run(self) -> RunResult:
        """The whole run, holding the run directory's lock (a second command on it exits 2)."""
        with self.run_dir.locked("run", create=True):
            return await self._run()

    async def _run(self) -> RunResult:
        started = time.time()
        resuming = self.run_dir.prepare(force=self.options.force, fingerprint=fingerprint(self.pack, self.options))
        try:
            finished = None
            if resuming:
                finished = FinishedEpisodes(self.run_dir)
                await self._judge_unjudged(finished)
                self.spent = finished.spent_usd
                started = time.time()
            self.run_dir.write_manifest(self.manifest("running", started))  # first: it makes the directory a run
            write_snapshot(self.run_dir, self.pack)
            await self.simulate_all(finished)
        finally:
            if self.client is not None:
                await self.client.aclose()
            if self.live is not None:
                await self.live.aclose()
        result = publish_dataset(self.run_dir, self.pack, self.targets, self.state, seed=self.seed,
                                 curator=self.curator, settings=self._card_settings())
        if result.short and self.stop_reason == "targets met":  # never "short … stopped by targets met"
            self.stop_reason, self.stop_detail = "no progress", "nothing more could be planned for what is short"
        result.stopped_by = None if not result.short else self.stop_reason
        result.stop_detail = self.stop_detail if result.short else None
        crashed = self.schedule.crashed if self.schedule is not None else None
        if crashed is not None:
            error = self.schedule.crash_watch.first_error.get(crashed, "error")
            result.stopped_early = str(scenario_problem(self.pack, crashed, (
                f"the run stopped early: every one of its first {CRASH_STOP} episodes crashed: {error}"
            )))
        result.resumed = resuming
        result.seconds = time.time() - started
        self.run_dir.write_manifest(self.manifest("finished", started, {"counts": result.counts()}))
        return result
