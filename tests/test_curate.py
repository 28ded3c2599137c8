"""Curation: summaries, exact dedupe, quotas, leak-free deterministic splits, balance."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.curate import (
    TraceSummary,
    balance_report,
    dedupe_exact,
    select_quota,
    split,
    summarize,
)
from simulator.messages import AssistantMessage, SystemMessage, ToolCall, UserMessage, tool_result
from simulator.records import Episode, Trace

RATIOS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def summary(i: int, tool: str | None = "refund", category: str = "positive", users=None, calls=(), multi=False):
    users = tuple(users) if users is not None else (f"message {i}",)
    return TraceSummary(id=f"t{i:05d}", tool=tool, category=category, persona="p", language="en",
                        user_key=users, call_key=tuple(calls), n_turns=len(users), multi_turn=multi)


# ---------------------------------------------------------------- summarize


def test_summarize_normalises_users_and_canonicalises_calls():
    call = ToolCall(id="c1", name="refund", arguments='{"reason": "broken", "order_id": "ORD-1"}')
    trace = Trace(
        id="t1",
        episode=Episode(id="e1", scenario_id="s", persona_id="ann", seed=1, category="multi-turn",
                        tool="refund", language="en", multi_turn=True),
        messages=[
            SystemMessage(content="sys"),
            UserMessage(content="  Refund   ORD-1 "),
            AssistantMessage(content="Why?"),
            UserMessage(content="ＢＲＯＫＥＮ"),
            AssistantMessage(tool_calls=(call,)),
            tool_result(call, {"ok": True}),
            AssistantMessage(content="Done."),
            UserMessage(content="Thanks! ###STOP###"),
        ],
        termination="user_stop",
    )
    s = summarize(trace)
    assert s.user_key == ("refund ord-1", "broken")  # closing message excluded, width/case folded
    assert s.call_key == (("refund", '{"order_id":"ORD-1","reason":"broken"}'),)
    assert (s.n_turns, s.multi_turn) == (2, True)  # multi-turn comes from the plan, not the message count
    single = summarize(trace.model_copy(update={"episode": trace.episode.model_copy(update={"multi_turn": False})}))
    assert (single.n_turns, single.multi_turn) == (2, False)  # a clarifying answer is not a sequence
    assert (s.tool, s.category, s.persona, s.language) == ("refund", "multi-turn", "ann", "en")


# ---------------------------------------------------------------- dedupe


def test_exact_duplicates_are_removed_keeping_the_first():
    a = summary(1, users=["hi"], calls=[("refund", "{}")])
    dup = summary(2, users=["hi"], calls=[("refund", "{}")])
    other_call = summary(3, users=["hi"], calls=[("lookup", "{}")])
    kept, removed = dedupe_exact([a, dup, other_call, dup])
    assert [s.id for s in kept] == ["t00001", "t00003"]
    assert removed == 2


# ---------------------------------------------------------------- quotas


def test_quotas_are_met_and_multi_turn_preferred_until_the_minimum():
    pool = [summary(i, tool="refund", multi=i % 5 == 0) for i in range(40)]
    pool += [summary(100 + i, tool="lookup", multi=i % 7 == 0) for i in range(40)]
    pool += [summary(200 + i, tool=None, category="negative") for i in range(10)]
    pool += [summary(300 + i, tool="untargeted") for i in range(5)]
    chosen = select_quota(pool, {"refund": 10, "lookup": 10}, no_tool=4, min_multi_turn=12)
    per_tool = Counter(s.tool for s in chosen)
    assert per_tool == {"refund": 10, "lookup": 10, None: 4}
    assert sum(s.multi_turn for s in chosen) >= 12
    assert chosen == select_quota(pool, {"refund": 10, "lookup": 10}, no_tool=4, min_multi_turn=12)
    assert [s.id for s in chosen] == sorted(s.id for s in chosen)  # input order kept


def test_quota_without_multi_turn_minimum_keeps_the_category_mix():
    pool = [summary(i, category="positive") for i in range(10)] + [summary(10 + i, category="hard") for i in range(10)]
    chosen = select_quota(pool, {"refund": 6}, no_tool=0, min_multi_turn=0)
    assert Counter(s.category for s in chosen) == {"positive": 3, "hard": 3}


def test_quota_short_supply_takes_everything_available():
    pool = [summary(i) for i in range(3)]
    assert len(select_quota(pool, {"refund": 10}, no_tool=5, min_multi_turn=50)) == 3


# ---------------------------------------------------------------- splits


def _splits_of_messages(summaries, assignment):
    where: dict[str, set[str]] = {}
    for s in summaries:
        for m in s.user_key:
            where.setdefault(m, set()).add(assignment[s.id])
    return where


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=120),
    vocabulary=st.integers(min_value=1, max_value=200),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_no_user_message_is_in_two_splits(n, vocabulary, seed):
    rng = random.Random(seed)
    summaries = [
        summary(i, tool=rng.choice(["a", "b", None]), category=rng.choice(["positive", "hard"]),
                users=[f"m{rng.randrange(vocabulary)}" for _ in range(rng.randint(1, 3))])
        for i in range(n)
    ]
    assignment = split(summaries, RATIOS, seed)
    assert set(assignment) == {s.id for s in summaries}
    assert set(assignment.values()) <= set(RATIOS)
    assert all(len(splits) == 1 for splits in _splits_of_messages(summaries, assignment).values())


def test_split_ratios_hold_per_stratum_and_are_deterministic():
    summaries = [summary(i, tool=t, category=c) for i, (t, c) in
                 enumerate([(t, c) for t in ("a", "b") for c in ("positive", "hard") for _ in range(250)])]
    assignment = split(summaries, RATIOS, seed=7)
    assert assignment == split(list(reversed(summaries)), RATIOS, seed=7)  # order-independent too
    overall = Counter(assignment.values())
    assert overall == {"train": 800, "validation": 100, "test": 100}
    per_stratum = Counter((s.tool, s.category, assignment[s.id]) for s in summaries)
    assert all(per_stratum[(t, c, "test")] == 25 for t in ("a", "b") for c in ("positive", "hard"))
    assert split(summaries, RATIOS, seed=8) != assignment  # the seed matters


def test_many_small_strata_still_add_up_to_the_ratios():
    summaries = [summary(i, tool=f"tool{i % 100}", category="positive") for i in range(500)]  # 100 strata of 5
    overall = Counter(split(summaries, RATIOS, seed=1).values())
    assert abs(overall["train"] - 400) <= 10
    assert abs(overall["validation"] - 50) <= 10 and abs(overall["test"] - 50) <= 10


def test_groups_move_whole_and_largest_go_first():
    shared = [summary(i, users=["same opening", f"reply {i}"]) for i in range(30)]
    singles = [summary(100 + i) for i in range(70)]
    assignment = split(shared + singles, RATIOS, seed=3)
    assert len({assignment[s.id] for s in shared}) == 1
    assert assignment[shared[0].id] == "train"  # the big group goes where the most room is
    assert Counter(assignment.values())["test"] >= 5


def test_zero_ratio_splits_stay_empty():
    summaries = [summary(i) for i in range(50)]
    assignment = split(summaries, {"train": 0.9, "validation": 0.1, "test": 0.0}, seed=0)
    assert "test" not in assignment.values()
    assert Counter(assignment.values()) == {"train": 45, "validation": 5}


# ---------------------------------------------------------------- balance


def test_balance_report_flags_tools_outside_thirty_percent_of_the_mean():
    summaries = [summary(i, tool="a") for i in range(100)] + [summary(200 + i, tool="b") for i in range(100)]
    summaries += [summary(400 + i, tool="c") for i in range(45)] + [summary(500 + i, tool=None) for i in range(99)]
    report = balance_report(summaries, tools=["d"])
    assert report.counts == {"a": 100, "b": 100, "c": 45, "d": 0}
    assert report.mean == 61.25
    assert report.within == {"a": False, "b": False, "c": True, "d": False}
    assert not report.balanced
    even = balance_report([summary(i, tool="a") for i in range(10)] + [summary(20 + i, tool="b") for i in range(12)])
    assert even.balanced and even.as_dict()["balanced"] is True
