"""The judge against a scripted assistant that makes labelled mistakes (issue 11).

Every pack is played by the scripted assistant of `tests.judge.mistakes` over HTTP (the fake
OpenAI server), once clean and once with a mistake in 30 % of its messages, and judged as
`toolsim run` judges. The figures asserted are the issue's bar: of the traces the judge accepts
at that rate, at least 98 % are mistake-free, and a clean run loses at most 2 %. The packs are
pooled here (100 episodes each; the test takes about a minute); `bench/judge_precision.py` prints
them per pack and per mistake class on larger samples.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from simulator.load.loader import load_pack
from tests.judge.mistakes.harness import KINDS, Figures, figures, run_harness
from tests.judge.mistakes.inject import CAUGHT, NEW

ROOT = Path(__file__).resolve().parents[2]
PACKS = ("customer_support", "travel", "office", "wuxia", "generalist", "smart_home")
N = 100


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Figures, Figures]]:
    out = {}
    for name in PACKS:
        pack = load_pack(ROOT / "scenarios" / f"{name}.yaml")
        out[name] = figures(run_harness(pack, N, 0.0)), figures(run_harness(pack, N, 0.3))
    return out


@pytest.mark.slow
def test_accepted_traces_are_mistake_free_and_clean_runs_keep_their_traces(runs):
    clean = sum((c.clean for c, _ in runs.values()))
    clean_kept = sum((c.clean_accepted for c, _ in runs.values()))
    accepted = sum(d.accepted for _, d in runs.values())
    accepted_clean = sum(d.clean_accepted for _, d in runs.values())
    assert clean == N * len(PACKS)  # the clean run made no mistake
    assert clean_kept / clean >= 0.98, {n: c.clean_loss for n, (c, _) in runs.items()}
    assert accepted_clean / accepted >= 0.98, {n: d.precision for n, (_, d) in runs.items()}
    for name, (_, dirty) in runs.items():
        assert dirty.traces - dirty.clean >= N // 4, f"{name}: too few mistakes were made to measure"


@pytest.mark.slow
def test_every_mistake_class_is_made_and_caught(runs):
    made, accepted = Counter(), Counter()
    for _, dirty in runs.values():  # traces with a mistake of the class (a rare class is seldom alone)
        made.update(dirty.having)
        accepted.update(dirty.having_accepted)
    assert set(KINDS) == set(NEW) | set(CAUGHT)
    for kind in KINDS:  # (some classes apply rarely: a write that fails, an unnamed argument)
        assert made[kind] >= 1, f"the harness made no {kind} mistake to judge the judge on"
        assert accepted[kind] <= 0.2 * made[kind], (kind, accepted[kind], made[kind])
