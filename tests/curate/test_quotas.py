"""Quota selection with category and language caps, multi-turn first; what is short; per-tool balance."""

from __future__ import annotations

from collections import Counter

from simulator.core.names import NO_TOOL
from simulator.curate.quotas import balance_report, select_quota, shortfall
from simulator.plan.targets import Targets
from tests.make_summaries import summary


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


def test_a_share_left_short_by_the_greedy_fill_is_repaired_by_swaps_within_tools():
    """The greedy fill gives a and b one hard example each: hard one over, multi-turn one short.
    The repair swaps within a tool (a's hard out, a's other multi-turn in): every tool keeps its
    count and the shares hold. (Without it: {hard: 2, multi-turn: 2}.)"""
    from tests.make_summaries import store_of

    pool = store_of(dict(i=0, tool="a", category="hard"), dict(i=1, tool="a", category="multi-turn", multi=True),
                    dict(i=2, tool="b", category="multi-turn", multi=True),
                    dict(i=3, tool="a", category="multi-turn", multi=True), dict(i=4, tool="b", category="hard"))
    targets = {"hard": 1, "multi-turn": 3}
    chosen = select_quota(pool, {"a": 2, "b": 2}, 0, min_multi_turn=0, categories=targets)
    assert Counter(s.category for s in chosen) == {"hard": 1, "multi-turn": 3}
    assert Counter(s.tool for s in chosen) == {"a": 2, "b": 2}  # tool quotas untouched
