"""Curation: exact and near dedupe, and the runner's incremental, order-independent curator.
(Summaries: tests/test_summaries.py; quotas and balance: tests/test_quotas.py; splits:
tests/test_splits.py.)"""

from __future__ import annotations

import pytest

from simulator.curate.curator import Curator, dedupe_exact
from simulator.curate.summaries import Summaries
from simulator.plan.targets import Targets
from tests.make_summaries import store_of, summary


def test_exact_duplicates_are_removed_keeping_the_first():
    a = summary(1, users=["hi"], calls=[("refund", "{}")])
    dup = summary(2, users=["hi"], calls=[("refund", "{}")])
    other_call = summary(3, users=["hi"], calls=[("lookup", "{}")])
    kept, removed = dedupe_exact([a, dup, other_call, dup])
    assert [s.id for s in kept] == ["t00001", "t00003"]
    assert removed == 2


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
