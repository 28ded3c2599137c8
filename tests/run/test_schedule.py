"""The schedule plans from settled results only: whatever order results arrive in, and however many
are in flight, the same seed gives the same plan and the same accepted set; refills keep the plan
ahead of the results without planning a cell past its quota; a resumed schedule replays the plan."""

from __future__ import annotations

import asyncio
import random
import zlib
from collections import Counter
from pathlib import Path

import pytest

from simulator.core.names import NO_TOOL
from simulator.core.rundir import JsonlAppender, RunDir
from simulator.curate.curator import Curator
from simulator.judge import judge
from simulator.load.loader import load_pack
from simulator.plan.targets import compute_targets
from simulator.run.finished import FinishedEpisodes
from simulator.run.outcome import Outcome
from simulator.run.schedule import Schedule
from simulator.run.state import RunState
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import simulate_episode

ROOT = Path(__file__).resolve().parents[2]
PACK = load_pack(ROOT / "scenarios" / "customer_support.yaml")
N = 60


def played(episode):
    """An offline play of the episode and its verdict, with about a third rejected (by a hash of
    its id, so the same episode always gets the same verdict) as a weak model would be."""
    ctx = prepare_episode(PACK, episode)
    trace = asyncio.run(simulate_episode(ctx, make_offline_user(ctx), make_offline_assistant(ctx)))
    verdict = judge(trace, PACK)
    if zlib.crc32(episode.id.encode()) % 3 == 0:
        verdict = verdict.model_copy(update={"decision": "reject", "reasons": ["weak_model"]})
    return trace, verdict


def schedule(refills=True, finished=None, budget=4 * N):
    targets = compute_targets(PACK, N)
    state = RunState()
    s = Schedule(PACK, targets, Curator(targets), state, seed=7, samples=1, budget=budget, refills=refills,
                 over_cost=lambda: False, finished=finished)
    s.ids = []  # every planned id, in plan order (the schedule forgets settled episodes)
    append = s._append

    def recording(episodes):
        s.ids.extend(e.id for e in episodes)
        append(episodes)

    s._append = recording
    return s


def drive(s, in_flight, rng, on_result=None, stop_after=None):
    """Hand out up to `in_flight` episodes, finish a random one of them, repeat until done."""
    s.start()
    running, finished = [], 0
    while True:
        while len(running) < in_flight and (episode := s.take()) is not None:
            running.append(episode)
        if not running:
            break
        episode = running.pop(rng.randrange(len(running)))
        result = played(episode)
        if on_result:
            on_result(episode, *result)
        s.finish(Outcome.of(*result))
        finished += 1
        if stop_after is not None and finished == stop_after:
            return
    s.flush()


@pytest.mark.slow
def test_the_same_plan_and_dataset_whatever_the_order_of_arrival():
    runs = []
    for in_flight, shuffle in ((1, 0), (16, 1), (40, 2)):
        s = schedule()
        drive(s, in_flight, random.Random(shuffle))
        runs.append((s.ids, sorted(s.state.accepted.ids), s.stop_reason))
    assert runs[0] == runs[1] == runs[2]
    plan = runs[0][0]
    assert len({i.split("-")[0] for i in plan}) > 2, "rejections were refilled in several batches"


@pytest.mark.slow
def test_refills_plan_while_the_first_round_is_in_flight_and_never_past_a_quota():
    s = schedule()
    targets = s.targets
    first_round = sum(targets.cells.values())
    seen, settled_when_refilled = [], []

    def check(*_):
        if len(s.plan) > first_round and not settled_when_refilled:
            settled_when_refilled.append(s.settled)
        # planned and not yet counted (as if all kept) + counted never exceeds a cell's target
        for cell, target in targets.cells.items():
            if s.pending.cells[cell] > 0 and s.round > 1:
                seen.append(s.tally.cells[cell] + s.pending.cells[cell] <= target)

    drive(s, 16, random.Random(3), on_result=check)
    assert s.ids[first_round].startswith("r1-")
    assert settled_when_refilled[0] < first_round, "refilled before the first round settled"
    assert seen and all(seen)
    assert s.stop_reason in ("targets met", "no progress", "max episodes", "max rounds")
    chosen = s.curator.curate(s.state.accepted).chosen
    per_cell = Counter(c.tool or NO_TOOL for c in chosen)
    assert all(per_cell[c] <= t for c, t in targets.cells.items())


def test_once_planning_closes_the_rest_is_handed_out_longest_first():
    """A budget closes planning with episodes not yet started: those go out most scripted turns
    first (so the run does not end on a long episode started last), each exactly once, and the
    dataset is the one handed out in plan order gives."""
    s = schedule(budget=N + 30)
    handed = []  # (episode, handed out after planning closed)
    take = s.take

    def recording():
        episode = take()
        if episode is not None:
            handed.append((episode, s.tail is not None))
        return episode

    s.take = recording
    drive(s, 24, random.Random(4))
    in_plan_order = schedule(budget=N + 30)
    drive(in_plan_order, 1, random.Random(0))

    tail = [len(PACK.scenarios[e.scenario_id].turns) for e, late in handed if late]
    assert s.stop_reason == "max episodes" and len(set(tail)) > 1, "the tail mixes long and short episodes"
    assert tail == sorted(tail, reverse=True)
    assert sorted(e.id for e, _ in handed) == sorted(s.ids)
    assert (s.ids, sorted(s.state.accepted.ids)) == (in_plan_order.ids, sorted(in_plan_order.state.accepted.ids))


def test_offline_runs_plan_in_rounds_only():
    s = schedule(refills=False)
    drive(s, 1, random.Random(0))
    rounds = [i.split("-")[0] for i in s.ids]
    assert rounds[: sum(s.targets.cells.values())] == ["r0"] * sum(s.targets.cells.values())
    assert s.tally is None


@pytest.mark.slow
def test_a_resumed_schedule_replays_the_plan_and_plays_only_the_rest(tmp_path):
    run = RunDir(tmp_path)
    traces, verdicts = JsonlAppender(run.traces_path), JsonlAppender(run.verdicts_path)

    def write(episode, trace, verdict):
        traces.write(trace)
        verdicts.write(verdict)

    first = schedule()
    drive(first, 16, random.Random(5), on_result=write, stop_after=70)  # "killed" after 70 results
    traces.close()
    verdicts.close()
    on_disk = FinishedEpisodes(run)
    assert len(on_disk) == 70

    resumed = schedule(finished=on_disk)
    replayed = []
    drive(resumed, 16, random.Random(6), on_result=lambda e, *_: replayed.append(e.id))
    clean = schedule()
    drive(clean, 4, random.Random(7))
    assert resumed.ids == clean.ids
    assert sorted(resumed.state.accepted.ids) == sorted(clean.state.accepted.ids)
    assert not set(replayed) & set(on_disk.traces), "no finished episode is played again"
    assert len(resumed.state.done) == len(clean.state.done)
