"""Run a pack end to end: plan → simulate → judge → curate → export, resumably.

Every finished episode is appended to `traces.jsonl` and `verdicts.jsonl` at once (the runner is
their one writer). What to play is the `Schedule`'s business (`schedule.py`): rounds planned from
curation of everything settled — exact and near dedupe, quota selection, the same `Curator` the
publisher uses — plus, when a model plays a role, refills planned while episodes are in flight,
until the targets are met or a budget (episodes, USD) is spent. Planning reads settled results
only, in plan order, so a rerun after a crash plans the same episodes, takes those already on
disk back from the run directory and plays only the others.

Where episodes are played is the executor's business (`executors/`): in this process (the
default), in worker processes (`--workers N`) or on Ray actors (`--executor ray`). The runner
hands it the schedule's episodes and writes what comes back, so the files do not depend on it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from simulator.core.records import Episode
from simulator.core.rundir import JsonlAppender, RunDir
from simulator.curate.curator import Curator
from simulator.load.locate import scenario_problem
from simulator.plan.targets import Targets, compute_targets
from simulator.run.executors import Executor, ExecutorOptions, make_executor
from simulator.run.finished import FinishedEpisodes
from simulator.run.outcome import Played
from simulator.run.player import Player
from simulator.run.publish import publish_dataset
from simulator.run.schedule import Schedule
from simulator.run.shortfall import CRASH_STOP
from simulator.run.state import RunResult, RunState
from simulator.simulate.agents.factory import AgentSettings
from simulator.spec.pack import Pack
from simulator.spec.snapshot import write_snapshot


def _versions() -> dict[str, str]:
    from simulator.core.versions import package_versions

    return package_versions()


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
    rpm: float | None = None  # LLM requests started per minute (the whole run's, whatever the executor)
    cache_path: Path | None = None  # LLM response cache (sqlite); None = no cache
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)  # where episodes are played


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
        self.client: Any = None  # this process's LLM client, made when this process plays or judges
        self.live = self._make_live()
        self.player: Player | None = None
        self.executor: Executor | None = None
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

    def _local_player(self) -> Player:
        """The `Player` of this process (and its LLM client, if a model plays a role)."""
        if self.player is None:
            if not self.options.agents.is_offline():
                from simulator.llm.client import LLMClient

                self.client = LLMClient.create(cache_path=self.options.cache_path,
                                               concurrency=self.options.concurrency, rpm=self.options.rpm)
            self.player = Player(self.pack, self.options.agents, self.client, live=self.live)
        return self.player

    def _make_live(self) -> Any:
        """The run's live side, when some tool's `domain.sim` is `live` (`simulator.simulate.live`)."""
        from simulator.run.live_setup import check_answers, check_executor, make_live

        check_answers(self.pack, self.options.agents)
        check_executor(self.pack, self.options.executor.resolved_kind())
        return make_live(self.pack, self.options)

    def _lost(self, episode: Episode, why: str) -> Played:
        return Player(self.pack, self.options.agents).lost(episode, why)

    async def _close_client(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        self.client = self.player = None

    # ------------------------------------------------------------ resume

    async def _judge_unjudged(self, finished: FinishedEpisodes) -> None:
        """Judge traces whose verdict the kill prevented from landing."""
        unjudged = finished.unjudged()
        if not unjudged:
            return
        with_verdicts = JsonlAppender(self.run_dir.verdicts_path)
        player = self._local_player()
        try:
            for episode_id in unjudged:
                with_verdicts.write(await player.judge(finished.trace(episode_id)))
        finally:
            with_verdicts.close()
        finished.reload_verdicts()

    # ------------------------------------------------------------ simulate

    async def _simulate(self, schedule: Schedule, executor: Executor, traces: JsonlAppender,
                        verdicts: JsonlAppender) -> None:
        """Hand the schedule's episodes to the executor as it has room; write each result as it
        comes back (the one writer of both files) and give it to the schedule, which may plan
        more. Ends when nothing is running and the schedule has nothing left to start."""
        finished = len(schedule.finished) if schedule.finished else 0
        while True:
            if self.over_cost() and not schedule.halted:
                spent = f"USD {self.spent:.4f} spent of a budget of {self.max_cost:g} (--max-cost)"
                schedule.halt("max cost", spent)
            room = executor.room()
            batch = []
            while len(batch) < room and (episode := schedule.take()) is not None:
                batch.append(episode)
            if batch:
                executor.submit(batch)
            if executor.in_flight == 0:
                break
            done = await executor.results()
            # A batch's traces, then its verdicts, each in one write (a kill between the two
            # leaves traces without verdicts: a resumed run judges them first).
            traces.write_lines([played.trace_line for played in done])
            verdicts.write_lines([played.verdict_line for played in done])
            for played in done:
                self.spent += played.outcome.cost_usd
                schedule.finish(played.outcome)
                finished += 1
                if self.progress:
                    self.progress(finished, schedule.planned)

    # ------------------------------------------------------------ budgets

    def spent_usd(self) -> float:
        """Cost so far; roles whose cost is unknown (no price for the model) count as 0."""
        return self.spent

    def over_cost(self) -> bool:
        return self.max_cost is not None and self.spent >= self.max_cost

    def make_executor(self) -> Executor:
        options = self.options
        return make_executor(options.executor, self.pack, agents=options.agents, concurrency=options.concurrency,
                             rpm=options.rpm, cache_path=options.cache_path, local=self._local_player,
                             lost=self._lost)

    async def simulate_all(self, finished: FinishedEpisodes | None = None, executor: Executor | None = None) -> None:
        """Play the schedule to its end on `executor` (started here, and stopped, when not given)."""
        schedule = Schedule(self.pack, self.targets, self.curator, self.state, seed=self.seed,
                            samples=self.options.samples_per_episode, budget=self.budget,
                            mistake_share=self.options.mistake_share,
                            refills=not self.options.agents.is_offline(), over_cost=self.over_cost,
                            finished=finished)
        self.schedule = schedule
        own = executor is None
        if executor is None:
            executor = self.make_executor()
            await executor.start()
        self.executor = executor
        traces = JsonlAppender(self.run_dir.traces_path)
        verdicts = JsonlAppender(self.run_dir.verdicts_path)
        try:
            schedule.start()
            if self.progress:
                self.progress(len(finished) if finished else 0, schedule.planned)
            await self._simulate(schedule, executor, traces, verdicts)
            schedule.flush()
        finally:
            traces.close()
            verdicts.close()
            if own:
                await executor.close()
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
                **(self.executor.describe() if self.executor else {"executor": self.options.executor.resolved_kind()}),
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
        """The whole run, holding the run directory's lock (a second command on it exits 2).

        Workers start before the lock is taken: a forked worker then holds neither the lock nor
        any of the run directory's files, and one that cannot play this pack stops the run before
        anything is written. A directory toolsim may not use is refused before any worker starts."""
        self.run_dir.check_claimable()
        executor = self.executor = self.make_executor()  # the running manifest names it
        try:
            await executor.start()
            with self.run_dir.locked("run", create=True):
                return await self._run(executor)
        finally:
            await executor.close()  # also when the lock or the directory refused the run
            if self.live is not None:
                await self.live.aclose()

    async def _run(self, executor: Executor) -> RunResult:
        started = time.time()
        try:
            resuming = self.run_dir.prepare(force=self.options.force, fingerprint=fingerprint(self.pack, self.options))
            finished = None
            if resuming:
                finished = FinishedEpisodes(self.run_dir)
                await self._judge_unjudged(finished)
                if executor.name != "inprocess":
                    await self._close_client()  # the workers have their own; a later fork inherits none
                self.spent = finished.spent_usd
                started = time.time()
            self.run_dir.write_manifest(self.manifest("running", started))  # first: it makes the directory a run
            write_snapshot(self.run_dir, self.pack)
            await self.simulate_all(finished, executor)
        finally:
            await executor.close()
            await self._close_client()
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
