"""Curation: compact summaries, exact and near dedupe, quotas with category and language caps,
what is short, the runner's incremental curator, balance. (Splits: tests/test_splits.py.)"""

from __future__ import annotations

import tracemalloc
from collections import Counter

import numpy as np
import pytest

from simulator.curate import (
    Curator,
    Summaries,
    TraceSummary,
    balance_report,
    call_list,
    dedupe_exact,
    select_quota,
    shortfall,
    summarize,
    user_texts,
)
from simulator.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    UserMessage,
    tool_result,
)
from simulator.near_dup import signature
from simulator.plan import NO_TOOL, Targets
from simulator.records import Episode, Trace


def summary(i: int, tool: str | None = "refund", category: str = "positive", users=None, calls=(), multi=False,
            language: str = "en", into: Summaries | None = None) -> TraceSummary:
    """A summary from (normalised) user texts, stored in `into` (or a store of its own)."""
    users = list(users) if users is not None else [f"message {i}: {'xyzw'[i % 4] * (i % 7)} {i * 7919}"]
    store = into if into is not None else Summaries()
    row = store.add(f"t{i:05d}", tool=tool, category=category, persona="p", language=language, users=users,
                    calls=list(calls), multi_turn=multi)
    return store[row]


def store_of(*specs: dict) -> Summaries:
    store = Summaries()
    for spec in specs:
        summary(**spec, into=store)
    return store


# ---------------------------------------------------------------- summarize


def _trace(arguments: str = '{"reason": "broken", "order_id": "ORD-1"}', *, multi: bool = True,
           first: str = "  Refund   ORD-1 ") -> Trace:
    call = ToolCall(id="c1", name="refund", arguments=arguments)
    return Trace(
        id="t1",
        episode=Episode(id="e1", scenario_id="s", persona_id="ann", seed=1, category="multi-turn",
                        tool="refund", language="en", multi_turn=multi),
        messages=[
            SystemMessage(content="sys"),
            UserMessage(content=first),
            AssistantMessage(content="Why?"),
            UserMessage(content="ＢＲＯＫＥＮ"),
            AssistantMessage(tool_calls=(call,)),
            tool_result(call, {"ok": True}),
            AssistantMessage(content="Done."),
            UserMessage(content="Thanks! ###STOP###"),
        ],
        termination="user_stop",
    )


def test_summarize_normalises_users_and_canonicalises_calls():
    trace = _trace()
    assert user_texts(trace) == ["refund ord-1", "broken"]  # closing message excluded, width/case folded
    assert call_list(trace) == [("refund", '{"order_id":"ORD-1","reason":"broken"}')]
    s = summarize(trace)
    assert (s.n_turns, s.multi_turn) == (2, True)  # multi-turn comes from the plan, not the message count
    single = summarize(_trace(multi=False))
    assert (single.n_turns, single.multi_turn) == (2, False)  # a clarifying answer is not a sequence
    assert (s.tool, s.category, s.persona, s.language) == ("refund", "multi-turn", "ann", "en")
    # the exact-duplicate key ignores argument order and spacing, and sees every other difference
    assert summarize(_trace('{"order_id":"ORD-1",  "reason":"broken"}')).key == s.key
    assert summarize(_trace('{"order_id": "ORD-2", "reason": "broken"}')).key != s.key
    assert summarize(_trace(first="REFUND ord-1")).user_key == s.user_key
    assert summarize(_trace(first="refund ord-2")).user_key[0] != s.user_key[0]
    assert summarize(_trace(first="refund ord-2")).user_key[1] == s.user_key[1]


def test_summaries_store_the_same_facts_compactly():
    store = Summaries()
    row = store.add_trace(_trace())
    view = store[row]
    alone = summarize(_trace())
    assert (view.id, view.tool, view.category, view.persona, view.language, view.user_key, view.key, view.multi_turn) \
        == (alone.id, alone.tool, alone.category, alone.persona, alone.language, alone.user_key, alone.key,
            alone.multi_turn)
    assert view.row == 0 and alone.row == -1 and len(store) == 1 and store[-1] == view
    assert np.array_equal(store.signatures.get(row), signature(["refund ord-1", "broken"]))
    assert [s.id for s in store] == ["t1"] and store[0:1] == [view]


def test_summaries_cost_a_few_hundred_bytes_a_trace():
    n = 3 * 4096  # whole signature chunks
    ids = [f"r0-{i:05d}-scenario-persona" for i in range(n)]  # the runner's ids are shared with its `done` set
    users = [[f"where is my order ord-{10000 + i}? it has been a week", "thanks"] for i in range(n)]
    calls = [[("lookup_order", f'{{"order_id":"ORD-{10000 + i}"}}')] for i in range(n)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = Summaries()
        for i in range(n):
            store.add(ids[i], tool="lookup_order", category="positive", persona="p", language="en", users=users[i],
                      calls=calls[i], multi_turn=False)
        per_trace = (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()
    assert per_trace < 200, per_trace  # 128 bytes of signature, the rest hashes and small codes


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


def test_category_and_language_caps_pick_the_wanted_mix_from_a_surplus():
    pool = [summary(i, tool="a", category="positive") for i in range(20)]
    pool += [summary(100 + i, tool="a", category="hard", language="zh") for i in range(20)]
    pool += [summary(200 + i, tool="b", category="positive", language="zh") for i in range(20)]
    chosen = select_quota(pool, {"a": 10, "b": 10}, 0, 0, categories={"positive": 16, "hard": 4},
                          languages={"en": 6, "zh": 14})
    assert Counter(s.tool for s in chosen) == {"a": 10, "b": 10}
    assert Counter(s.category for s in chosen) == {"positive": 16, "hard": 4}
    assert Counter(s.language for s in chosen) == {"en": 6, "zh": 14}


def test_tool_quotas_win_over_category_caps():
    pool = [summary(i, tool="a", category="positive") for i in range(10)]
    chosen = select_quota(pool, {"a": 8}, 0, 0, categories={"positive": 3, "hard": 5})
    assert len(chosen) == 8  # no hard examples exist: the cell is filled anyway
    assert shortfall(chosen, Targets(cells={"a": 8}, min_multi_turn=0, categories={"positive": 3, "hard": 5})) == \
        {"category:hard": 5}


def test_shortfall_names_tools_categories_languages_and_multi_turn():
    chosen = [summary(i, tool="a", category="positive") for i in range(3)] + [summary(9, tool=None, category="negative")]
    targets = Targets(cells={"a": 5, "b": 1, NO_TOOL: 1}, min_multi_turn=2,
                      categories={"positive": 3, "hard": 2}, languages={"en": 3, "zh": 2})
    assert shortfall(chosen, targets) == {"a": 2, "b": 1, "category:hard": 2, "language:zh": 2, "multi-turn": 2}


# ---------------------------------------------------------------- the curator


NEAR = "i would like a refund for order ord-48291 because the blender arrived broken, the lid is cracked"


def test_curator_removes_near_duplicates_and_keeps_the_smallest_id():
    specs = [dict(i=i, tool="a") for i in range(6)]
    specs += [dict(i=10, tool="a", users=[NEAR]), dict(i=11, tool="a", users=[NEAR.replace("broken", "brokn")]),
              dict(i=12, tool="a", users=[NEAR + "!!"])]
    pool = store_of(*specs)
    targets = Targets(cells={"a": 9}, min_multi_turn=0)
    curated = Curator(targets, near_threshold=0.8).curate(pool)
    assert curated.near_removed == 2 and curated.exact_removed == 0
    assert [s.id for s in curated.kept][-1] == "t00010"
    assert curated.short == {"a": 2}
    assert curated.needs(targets) == ({"a": 2}, 0, {}, {})
    off = Curator(targets, near_threshold=None).curate(pool)
    assert off.near_removed == 0 and off.short == {}


def test_curator_is_incremental_and_order_independent():
    specs = [dict(i=i, tool="a" if i % 2 else "b") for i in range(40)]
    specs += [dict(i=100 + i, tool="a", users=[NEAR + " " + "x" * (i % 3)]) for i in range(6)]
    targets = Targets(cells={"a": 30, "b": 20}, min_multi_turn=0)
    once = Curator(targets).curate(store_of(*specs))
    growing = Summaries()  # the runner's: rows arrive in completion order, several rounds
    curator = Curator(targets)
    for spec in reversed(specs[:25]):
        summary(**spec, into=growing)
    curator.curate(growing)
    for spec in reversed(specs[25:]):
        summary(**spec, into=growing)
    twice = curator.curate(growing)
    assert len(curator.index) == len(specs)  # each summary indexed once across both calls
    assert [s.id for s in twice.chosen] == [s.id for s in once.chosen]
    assert (twice.near_removed, twice.short) == (once.near_removed, once.short)
    assert (once.exact_removed, once.near_removed) == (3, 2)  # three texts twice each, then one of three
    with pytest.raises(ValueError):
        curator.curate(store_of(*specs))  # one curator, one store


def test_curator_needs_count_what_the_selection_lacks_per_category_and_language():
    pool = store_of(*[dict(i=i, tool="a", category="positive") for i in range(6)])
    targets = Targets(cells={"a": 8}, min_multi_turn=1, categories={"positive": 6, "hard": 2},
                      languages={"en": 5, "zh": 3})
    cells, multi, categories, languages = Curator(targets).curate(pool).needs(targets)
    assert cells == {"a": 2} and multi == 1
    assert categories == {"positive": 0, "hard": 2}
    assert languages == {"en": 0, "zh": 3}


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
