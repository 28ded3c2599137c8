"""What to play next: the run's plan, grown from what has been settled, never from arrival order.

The plan is a list of episodes in the order they were planned (a planning round appends a batch).
Episodes are handed out in that order and finish in any order (concurrency, latency, workers); a
result is *settled* — recorded into the run's state, counted for planning — only once every
episode before it in the plan has settled too. Planning decisions are taken at fixed numbers of
settled episodes and read only the settled results, so the same seed and options give the same
plan, the same episodes and the same dataset however the results arrive: at concurrency 1 or
256, from a model or from the cache, in one go or resumed after a kill.

Two kinds of decision:

* **rounds** (`_round`): when everything planned has settled, curate it (exact and near dedupe,
  quota selection) and plan for the cells still short — the classic loop, with its limits (the
  episode budget, `MAX_ROUNDS`, two rounds that fill nothing, a round without one acceptance).
* **refills** (`_refill`, only when a model plays a role): every `REFILL_EVERY` settled episodes,
  plan each cell's shortfall by a running tally (`curate/tally.py`) minus the picks still pending
  (planned, not yet settled, counted as if all will be kept). Rejected episodes are replaced while
  the rest of the plan is in flight, so `--concurrency` requests stay in flight instead of the
  pipeline draining at the end of every round; a cell is never planned past its quota by more
  than what is pending. Offline runs plan in rounds only: their episodes are CPU work done one
  after another, there is no waiting to overlap, and rounds plan the fewest episodes.

**The tail, longest first** (model runs). Once the plan is final (planning has closed, or the
plan holds the whole episode budget) nothing reads the order in which episodes are *handed out*:
results still settle in plan order and the plan does not grow. What is left of it is then handed
out most scripted user turns first (plan order among equals), so the run does not end waiting on
a multi-turn episode that started last while every other slot stands idle: on a toy-model run at
concurrency 256 the plan was final with ~450 episodes not yet started, a third of them multi-turn
ones twice as long as the rest (`bench/llm_concurrency.py`). Offline runs hand out in plan order:
their episodes are played one after another, there is no idle slot to fill.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Callable

from simulator.core.records import Episode
from simulator.curate.curator import Curator
from simulator.curate.tally import Pending, Tally
from simulator.plan.episodes import plan_round
from simulator.plan.targets import Targets, mix_deficits
from simulator.run.finished import FinishedEpisodes
from simulator.run.outcome import Outcome
from simulator.run.shortfall import CRASH_STOP, CrashWatch
from simulator.run.state import RunState
from simulator.simulate.agents.mistakes import with_mistake_twins
from simulator.spec.pack import Pack

MAX_ROUNDS = 8
REFILL_EVERY = 32  # settled episodes between two refill decisions


class Schedule:
    def __init__(self, pack: Pack, targets: Targets, curator: Curator, state: RunState, *, seed: int,
                 samples: int, budget: int, refills: bool, over_cost: Callable[[], bool],
                 finished: FinishedEpisodes | None = None, mistake_share: float = 0.0) -> None:
        self.pack, self.targets, self.curator, self.state = pack, targets, curator, state
        self.seed, self.samples, self.budget = seed, samples, budget
        self.mistake_share = mistake_share  # a twin with a labelled mistake after that share (DPO pairs)
        self.over_cost = over_cost
        self.finished = finished  # results already on disk (a resumed run)
        self.plan: list[Episode | None] = []  # None once settled
        self.positions: dict[str, int] = {}  # of the episodes not finished yet
        self.results: dict[int, Outcome] = {}  # finished, waiting for the prefix
        self.next_start = 0  # the next position to hand out (in plan order)
        self.tail: deque[int] | None = None  # once planning has closed: the rest, longest first
        self.settled = 0  # positions [0, settled) are recorded in `state`
        self.running = 0
        self.round = 0  # the next round (batch) index; episode ids start with it
        self.stop_reason = "targets met"
        self.stop_detail = ""  # what the reason means in this run, for the summary
        self.crash_watch = CrashWatch()
        self.crashed: str | None = None  # a scenario whose first episodes all crashed
        self.closed = False  # no more planning
        self.halted = False  # no more episodes handed out (a budget ran out)
        self.pending = Pending()
        self.tally = Tally(targets) if refills else None
        # the classic round loop's state
        self.rounds = 0
        self.missing, self.futile = math.inf, 0
        self.round_sizes = 0
        self.accepted_since_round = 0
        # refills' progress: the lowest shortfall seen and how many had settled then
        self.best, self.best_at = math.inf, 0

    # ------------------------------------------------------------ handing out and taking back

    @property
    def planned(self) -> int:
        return len(self.plan)

    def start(self) -> None:
        self._decide()

    def take(self) -> Episode | None:
        """The next episode to play, or None when there is none to start now."""
        if self.halted:
            return None
        if self.tail is None and self.tally is not None and (self.closed or self.planned >= self.budget):
            self._longest_first()  # the plan is final
        while (position := self._next_position()) is not None:
            episode = self.plan[position]
            if episode is None or (self.finished is not None and episode.id in self.finished):
                continue  # its result was taken back when it was planned (and has settled)
            self.running += 1
            return episode
        return None

    def _next_position(self) -> int | None:
        if self.tail is not None:
            return self.tail.popleft() if self.tail else None
        if self.next_start < len(self.plan):
            self.next_start += 1
            return self.next_start - 1
        return None

    def _longest_first(self) -> None:
        """The plan is final: hand out what is left by most scripted user turns first."""
        rest = range(self.next_start, len(self.plan))
        self.tail = deque(sorted(rest, key=lambda position: -self._turns(self.plan[position])))
        self.next_start = len(self.plan)

    def _turns(self, episode: Episode | None) -> int:
        scenario = self.pack.scenarios.get(episode.scenario_id) if episode is not None else None
        return len(scenario.turns) if scenario is not None else 0

    def halt(self, reason: str, detail: str = "") -> None:
        """Hand out nothing more (a budget ran out); what is running still finishes."""
        self.halted = self.closed = True
        self.stop_reason, self.stop_detail = reason, detail

    @property
    def complete(self) -> bool:
        """Nothing running and nothing left to start: the run is over."""
        return self.running == 0 and (self.halted or (self.next_start >= len(self.plan) and not self.tail))

    def finish(self, outcome: Outcome) -> None:
        """Take back a played episode's result; settle what can be settled; plan more."""
        self.running -= 1
        self.results[self.positions.pop(outcome.id)] = outcome
        self._settle()

    def flush(self) -> None:
        """At the end: record results that could not settle in plan order (a budget stopped the
        run before an earlier episode was played), and results on disk the plan never reached."""
        for position in sorted(self.results):
            self._record(self.results.pop(position))
        if self.finished is not None:
            for episode_id in self.finished.traces:
                if episode_id not in self.state.done:
                    self._record(self.finished.result(episode_id))

    # ------------------------------------------------------------ settling

    def _record(self, outcome: Outcome) -> None:
        before = len(self.state.accepted)
        self.state.record(outcome)
        crashing = self.crash_watch.add(outcome)  # in settled order: the same stop at any concurrency
        if crashing is not None and self.crashed is None:
            self.crashed = crashing
            self.halt("scenario crashes", f"the first {CRASH_STOP} episodes of scenario {crashing!r} all crashed")
        if len(self.state.accepted) > before:
            self.accepted_since_round += 1
            if self.tally is not None:
                self.tally.add(self.state.accepted[before])

    def _settle(self) -> None:
        while self.settled in self.results:
            self._record(self.results.pop(self.settled))
            episode = self.plan[self.settled]
            self.plan[self.settled] = None  # settled: memory stays flat however long the run
            if episode.sample == 0:
                self.pending.change(episode.tool, episode.category, episode.language, episode.multi_turn, -1)
            self.settled += 1
            if self.settled == len(self.plan) or (self.tally is not None and self.settled % REFILL_EVERY == 0):
                self._decide()

    def _append(self, episodes: list[Episode]) -> None:
        for episode in episodes:
            position = len(self.plan)
            self.plan.append(episode)
            self.positions[episode.id] = position
            if episode.sample == 0:
                self.pending.change(episode.tool, episode.category, episode.language, episode.multi_turn, +1)
            if self.finished is not None and episode.id in self.finished:
                self.results[position] = self.finished.result(episode.id)
                del self.positions[episode.id]
        self.round += 1

    # ------------------------------------------------------------ deciding

    def _decide(self) -> None:
        """Plan more, if the settled results say so. Called at 0 settled, whenever everything
        planned has settled, and (with refills) every REFILL_EVERY settled."""
        if self.closed:
            return
        if self.settled < len(self.plan):
            if self.tally is not None:
                self._refill()
            return
        while not self.closed and self.settled == len(self.plan):
            before = len(self.plan)
            self._round()
            if len(self.plan) > before:
                self._settle()  # a resumed run may already hold the new round's results
                return

    def _round(self) -> None:
        """The classic decision, once everything planned has settled."""
        t = self.targets
        if self.rounds and self.round_sizes and not self.accepted_since_round:
            return self._close("no progress", f"a round of {self.round_sizes} episodes had none accepted")
        if self.rounds >= MAX_ROUNDS:
            return self._close("max rounds", f"{MAX_ROUNDS} rounds of planning")
        if self.rounds == 0:
            needs = dict(t.cells), t.min_multi_turn, t.categories, t.languages
        else:
            if self.planned >= self.budget:
                return self._close("max episodes", self._budget_spent())
            curated = self.curator.curate(self.state.accepted)
            needs = curated.needs(t)
            if not needs[0] and not needs[1]:
                # Tool cells are full; category or language shares may still be short.
                cells = mix_deficits(t, needs[2], needs[3], self.pack, curated.chosen)
                if not cells:
                    return self._close("targets met")
                needs = (cells, 0, needs[2], needs[3])
            missing = sum(curated.short.values())
            self.futile = self.futile + 1 if missing >= self.missing else 0
            if self.futile >= 2:  # two rounds that filled nothing: more won't help
                return self._close("no progress", "two rounds in a row filled nothing that was short")
            self.missing = min(self.missing, missing)
        self.rounds += 1
        self.round_sizes = self.accepted_since_round = 0
        batch = self._batch(*needs)
        if batch is not None:
            self.round_sizes = len(batch)
            self._append(batch)

    def _refill(self) -> None:
        """Replace what the settled results lack while the rest of the plan is still in flight."""
        assert self.tally is not None
        short = self.tally.short()
        if short < self.best:
            self.best, self.best_at = short, self.settled
        elif self.settled - self.best_at >= 2 * max(self.best, REFILL_EVERY) * self.samples:
            return self._close("no progress", "twice the shortfall's worth of episodes settled and filled nothing")
        cells, multi, categories, languages = self.tally.needs(self.pending)
        if not cells and not multi:
            return
        if self.planned >= self.budget:
            return self._close("max episodes", self._budget_spent())
        batch = self._batch(cells, multi, categories, languages)
        if batch:
            self.round_sizes += len(batch)
            self._append(batch)

    def _batch(self, cells: dict[str, int], multi: int, categories: dict[str, int],
               languages: dict[str, int]) -> list[Episode] | None:
        """The next batch of the plan, cut to the episode budget; None (and planning closed)
        when a budget forbids any."""
        if self.over_cost():
            self._close("max cost", "the --max-cost budget is spent")
            return None
        episodes = plan_round(self.pack, cells, multi, run_seed=self.seed, round_index=self.round,
                              samples=self.samples, categories=categories, languages=languages)
        episodes = with_mistake_twins(episodes, self.mistake_share)
        room = self.budget - self.planned
        if room <= 0:
            self._close("max episodes", self._budget_spent())
            return None
        return episodes[:room]

    def _close(self, reason: str, detail: str = "") -> None:
        self.closed = True
        self.stop_reason, self.stop_detail = reason, detail

    def _budget_spent(self) -> str:
        return f"the budget of {self.budget} episodes is spent (--max-episodes)"
