"""The offline assistant's labelled mistakes (--mistake-share): every class is rejected by the
rule judge with the check the table names, the twin shares the correct episode's user side, and
a mistake twin never reaches the dataset."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.core.records import Episode
from simulator.simulate.agents.mistakes import MISTAKE_SUFFIX, mistake_classes, with_mistake_twins

ROOT = Path(__file__).resolve().parents[3]


def test_every_class_names_a_judge_check():
    from simulator.judge.checks import CHECKS

    classes = mistake_classes()
    assert set(classes) == {"wrong_tool", "skipped_call", "missing_argument", "invented_value", "needless_call"}
    assert all(spec["check"] in CHECKS.names() for spec in classes.values())


def episode(index: int) -> Episode:
    return Episode(id=f"r0-{index:05d}-s-p", scenario_id="s", persona_id="p", seed=index, category="positive",
                   tool="t", language="en")


def test_twins_follow_a_deterministic_share_of_the_episodes():
    episodes = [episode(i) for i in range(400)]
    planned = with_mistake_twins(episodes, 0.25)
    twins = [e for e in planned if e.mistake]
    assert 70 <= len(twins) <= 130
    assert planned == with_mistake_twins(episodes, 0.25)
    for twin in twins:
        original = planned[planned.index(twin) - 1]
        assert twin.id == original.id + MISTAKE_SUFFIX and twin.seed == original.seed and not original.mistake
    assert with_mistake_twins(episodes, 0) == episodes


@pytest.fixture(scope="module")
def mistake_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mistakes") / "customer_support"
    assert main(["run", str(ROOT / "scenarios" / "customer_support.yaml"), "--out", str(out), "--quiet", "--n", "200",
                 "--mistake-share", "0.5"]) == 0
    traces = [json.loads(line) for line in (out / "traces.jsonl").read_text().splitlines()]
    verdicts = {v["trace_id"]: v for v in map(json.loads, (out / "verdicts.jsonl").read_text().splitlines())}
    return out, traces, verdicts


def test_each_mistake_is_rejected_by_the_check_its_class_names(mistake_run):
    _, traces, verdicts = mistake_run
    classes = mistake_classes()
    twins = [t for t in traces if t["episode"]["mistake"]]
    played = Counter(t["mistake"] for t in twins)
    assert set(played) == set(classes), played  # every class shows up on customer support
    for twin in twins:
        verdict = verdicts[twin["id"]]
        assert verdict["decision"] == "reject"
        assert classes[twin["mistake"]]["check"] in verdict["reasons"], (twin["mistake"], verdict["reasons"])
    correct = [t for t in traces if not t["episode"]["mistake"]]
    assert all(verdicts[t["id"]]["decision"] == "accept" for t in correct)


def test_the_twin_shares_the_user_side_up_to_the_mistake(mistake_run):
    _, traces, _ = mistake_run
    by_id = {t["id"]: t for t in traces}
    for twin in (t for t in traces if t["episode"]["mistake"]):
        original = by_id[twin["id"].removesuffix(MISTAKE_SUFFIX)]
        assert twin["messages"][:2] == original["messages"][:2]  # system prompt and first user message
        assert twin["facts"] == original["facts"]


def test_no_mistake_twin_reaches_the_dataset(mistake_run):
    out, _, _ = mistake_run
    selection = json.loads((out / "selection.json").read_text())
    assert selection and not any(trace_id.endswith(MISTAKE_SUFFIX) for trace_id in selection)
