"""Targets from the mix: per-tool counts or shares, the no-tool share, category and language shares,
the multi-turn minimum scaled to the total, and the mix problems a pack cannot satisfy."""

from __future__ import annotations

import pytest

from simulator.core.errors import InputError
from simulator.core.names import NO_TOOL
from simulator.plan.targets import apportion, check_mix, compute_targets
from tests.small_packs import BILINGUAL, make_pack, scenario


def test_targets_follow_the_classic_mix():
    t = compute_targets(make_pack())
    assert t.cells == {"a": 100, "b": 100, NO_TOOL: 50}  # 200 tool examples are 80 %
    assert t.min_multi_turn == 25


def test_targets_from_total_n():
    t = compute_targets(make_pack(), n=101)
    assert t.total == 101
    assert t.cells[NO_TOOL] == 20
    assert abs(t.cells["a"] - t.cells["b"]) <= 1


def test_apportion_keeps_the_total_and_gives_remainders_to_the_largest():
    assert apportion(10, {"x": 0.5, "y": 0.25, "z": 0.25}) == {"x": 5, "y": 3, "z": 2} or \
        sum(apportion(10, {"x": 0.5, "y": 0.25, "z": 0.25}).values()) == 10
    assert apportion(7, {"x": 1 / 3, "y": 1 / 3, "z": 1 / 3}) == {"x": 3, "y": 2, "z": 2}
    assert sum(apportion(100, {"x": 0.6}).values()) == 60  # a partial share uses part of the total


def test_per_tool_counts_per_tool_and_unlisted_tools_get_none():
    t = compute_targets(make_pack({"per_tool": {"a": 120, "b": 40}, "no_tool_share": 0.2}))
    assert t.cells == {"a": 120, "b": 40, NO_TOOL: 40}
    t = compute_targets(make_pack({"per_tool": {"a": 30}}))
    assert "b" not in t.cells and t.cells["a"] == 30


def test_per_tool_counts_scale_with_n():
    t = compute_targets(make_pack({"per_tool": {"a": 3, "b": 1}, "no_tool_share": 0.2}), n=100)
    assert t.cells == {"a": 60, "b": 20, NO_TOOL: 20}


def test_per_tool_shares_need_a_total():
    mix = {"per_tool": {"a": 0.5, "b": 0.3}, "no_tool_share": 0.2}
    assert compute_targets(make_pack(mix), n=50).cells == {"a": 25, "b": 15, NO_TOOL: 10}
    with pytest.raises(InputError, match="--n"):
        compute_targets(make_pack(mix))


def test_tool_shares_must_fill_the_rest_of_the_no_tool_share():
    with pytest.raises(ValueError, match="add up to 1"):
        make_pack({"per_tool": {"a": 0.5, "b": 0.2}, "no_tool_share": 0.2})


def test_an_unknown_tool_in_per_tool_is_a_problem():
    with pytest.raises(InputError, match="'zz'"):
        compute_targets(make_pack({"per_tool": {"a": 10, "zz": 5}}))


def test_category_and_language_shares_become_counts_of_the_total():
    mix = {"per_tool": 40, "no_tool_share": 0.2, "categories": {"positive": 0.5, "hard": 0.3, "negative": 0.2},
           "languages": {"en": 0.7, "zh": 0.3}}
    t = compute_targets(make_pack(mix, scenarios=BILINGUAL))
    assert t.total == 150  # 3 tools × 40 is 80 %
    assert t.categories == {"positive": 75, "hard": 45, "negative": 30}
    assert t.languages == {"en": 105, "zh": 45}


def test_closed_shares_exclude_the_rest_open_shares_leave_it_free():
    closed = compute_targets(make_pack({"categories": {"positive": 0.6, "hard": 0.2, "negative": 0.2}}))
    assert closed.categories["multi-turn"] == 0  # shares add up to 1: multi-turn is not wanted
    opened = compute_targets(make_pack({"categories": {"hard": 0.1}}))
    assert set(opened.categories) == {"hard"}


def test_no_tool_share_must_agree_with_the_category_shares():
    mix = {"categories": {"positive": 0.6, "hard": 0.3, "negative": 0.1}}  # no_tool_share defaults to 0.2
    with pytest.raises(InputError, match="no_tool_share: 0.1"):
        compute_targets(make_pack(mix, scenarios=BILINGUAL))
    assert compute_targets(make_pack(dict(mix, no_tool_share=0.1), scenarios=BILINGUAL)).categories["negative"] > 0


def test_shares_for_things_the_pack_cannot_play_are_problems():
    problems = check_mix(make_pack({"categories": {"error-recovery": 0.1}, "languages": {"zh": 0.5}},
                                   scenarios=[scenario("a1", "positive", ["a"]), scenario("n", "negative", [])]))
    text = " ".join(p.message for p in problems)
    assert "'error-recovery'" in text and "'zh'" in text


def test_multi_turn_minimum_scales_with_a_smaller_total():
    pack = make_pack()  # natural total 250 (2 tools x 100 + 50), min_multi_turn 25
    assert compute_targets(pack).min_multi_turn == 25
    assert compute_targets(pack, n=50).min_multi_turn == 5
    assert compute_targets(pack, n=500).min_multi_turn == 50
