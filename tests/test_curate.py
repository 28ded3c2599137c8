"""Curation: summaries, exact and near dedupe, quotas with category and language caps, what is
short, the runner's incremental curator, balance. (Splits: tests/test_splits.py.)"""

from __future__ import annotations

from collections import Counter

from simulator.curate import (
    Curator,
    TraceSummary,
    balance_report,
    dedupe_exact,
    select_quota,
    shortfall,
    summarize,
)
from simulator.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    UserMessage,
    tool_result,
)
from simulator.plan import NO_TOOL, Targets
from simulator.records import Episode, Trace


def summary(i: int, tool: str | None = "refund", category: str = "positive", users=None, calls=(), multi=False,
            language: str = "en"):
    users = tuple(users) if users is not None else (f"message {i}: {'xyzw'[i % 4] * (i % 7)} {i * 7919}",)
    return TraceSummary(id=f"t{i:05d}", tool=tool, category=category, persona="p", language=language,
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
    pool = [summary(i, tool="a") for i in range(6)]
    pool += [summary(10, tool="a", users=[NEAR]), summary(11, tool="a", users=[NEAR.replace("broken", "brokn")]),
             summary(12, tool="a", users=[NEAR + "!!"])]
    targets = Targets(cells={"a": 9}, min_multi_turn=0)
    curated = Curator(targets, near_threshold=0.8).curate(pool)
    assert curated.near_removed == 2 and curated.exact_removed == 0
    assert [s.id for s in curated.kept][-1] == "t00010"
    assert curated.short == {"a": 2}
    assert curated.needs(targets) == ({"a": 2}, 0, {}, {})
    off = Curator(targets, near_threshold=None).curate(pool)
    assert off.near_removed == 0 and off.short == {}


def test_curator_is_incremental_and_order_independent():
    pool = [summary(i, tool="a" if i % 2 else "b") for i in range(40)]
    pool += [summary(100 + i, tool="a", users=[NEAR + " " + "x" * (i % 3)]) for i in range(6)]
    targets = Targets(cells={"a": 30, "b": 20}, min_multi_turn=0)
    once = Curator(targets).curate(pool)
    curator = Curator(targets)
    curator.curate(list(reversed(pool[:25])))
    twice = curator.curate(list(reversed(pool)))
    assert len(curator.index) == len(pool)  # each summary indexed once across both calls
    assert [s.id for s in twice.chosen] == [s.id for s in once.chosen]
    assert (twice.near_removed, twice.short) == (once.near_removed, once.short)
    assert (once.exact_removed, once.near_removed) == (3, 2)  # three texts twice each, then one of three


def test_curator_needs_count_what_the_selection_lacks_per_category_and_language():
    pool = [summary(i, tool="a", category="positive") for i in range(6)]
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
