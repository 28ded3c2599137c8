"""Planner: deterministic episodes, multi-turn first, personas by language, category and language
shares within each tool cell. (Targets from the mix: tests/test_targets.py.)"""

from __future__ import annotations

from collections import Counter

from simulator.core.names import NO_TOOL
from simulator.plan.episodes import allocate, is_multi_turn, plan_round
from simulator.plan.targets import compute_targets
from tests.small_packs import BILINGUAL, make_pack, scenario


def test_plan_is_deterministic_and_meets_deficits():
    pack = make_pack()
    first = plan_round(pack, {"a": 10, "b": 6, NO_TOOL: 4}, 3, run_seed=1, round_index=0)
    again = plan_round(pack, {"a": 10, "b": 6, NO_TOOL: 4}, 3, run_seed=1, round_index=0)
    assert first == again
    assert len({e.id for e in first}) == len(first) == 20
    by_tool = {}
    for e in first:
        by_tool[e.tool or NO_TOOL] = by_tool.get(e.tool or NO_TOOL, 0) + 1
    assert by_tool == {"a": 10, "b": 6, NO_TOOL: 4}
    assert sum(1 for e in first if is_multi_turn(pack.scenarios[e.scenario_id])) >= 3


def test_personas_match_scenario_languages():
    pack = make_pack()
    eps = plan_round(pack, {"a": 6, "b": 6}, 0, run_seed=1, round_index=0)
    for e in eps:
        assert e.language in pack.scenarios[e.scenario_id].languages
    assert {e.persona_id for e in eps if e.scenario_id == "b1"} >= {"zh1"}
    assert all(e.persona_id != "zh1" for e in eps if e.scenario_id == "a1")


def test_different_rounds_and_seeds_give_new_episodes():
    pack = make_pack()
    r0 = plan_round(pack, {"a": 5}, 0, run_seed=1, round_index=0)
    r1 = plan_round(pack, {"a": 5}, 0, run_seed=1, round_index=1)
    assert not {e.id for e in r0} & {e.id for e in r1}
    other = plan_round(pack, {"a": 5}, 0, run_seed=2, round_index=0)
    assert [e.seed for e in r0] != [e.seed for e in other]


def test_samples_repeat_the_same_plan():
    pack = make_pack()
    eps = plan_round(pack, {"a": 2}, 0, run_seed=1, round_index=0, samples=2)
    assert len(eps) == 4
    assert eps[0].seed == eps[1].seed and eps[0].sample == 0 and eps[1].sample == 1


def test_category_shares_are_planned_within_each_tool_cell():
    mix = {"per_tool": 40, "no_tool_share": 0.2, "categories": {"positive": 0.6, "hard": 0.2, "negative": 0.2},
           "min_multi_turn": 0}
    pack = make_pack(mix, scenarios=BILINGUAL)
    t = compute_targets(pack)
    eps = plan_round(pack, t.cells, 0, run_seed=1, round_index=0, categories=t.categories)
    assert Counter(e.tool or NO_TOOL for e in eps) == t.cells  # tool quotas are exact
    got = Counter(e.category for e in eps)
    assert all(abs(got[k] - n) <= 1 for k, n in t.categories.items())
    # c has no hard scenario, so a and b carry the hard share between them
    assert Counter(e.category for e in eps if e.tool == "c") == {"positive": 40}
    assert sum(1 for e in eps if e.category == "hard" and e.tool in ("a", "b")) == got["hard"]


def test_language_shares_choose_personas_and_spread_over_tools():
    mix = {"per_tool": 50, "no_tool_share": 0.2, "languages": {"en": 0.7, "zh": 0.3}}
    pack = make_pack(mix, scenarios=BILINGUAL)
    t = compute_targets(pack)
    eps = plan_round(pack, t.cells, 0, run_seed=1, round_index=0, languages=t.languages)
    assert Counter(e.language for e in eps) == t.languages
    for tool in ("a", "b", "c"):
        zh = sum(1 for e in eps if e.tool == tool and e.language == "zh")
        assert 12 <= zh <= 18  # about 30 % of each tool's 50, not all in one tool
    assert {e.persona_id for e in eps if e.language == "zh"} == {"zh1"}
    assert {e.persona_id for e in eps if e.language == "en"} == {"en1", "en2"}


def test_language_shares_hold_within_every_scenario_and_every_prefix():
    """60/40 per run is not enough: a scenario played 2 en / 8 zh teaches its request in one
    language. Each scenario's episodes follow the mix within one, and so does a cut plan."""
    mix = {"per_tool": 47, "no_tool_share": 0.2, "languages": {"en": 0.6, "zh": 0.4}}
    pack = make_pack(mix, scenarios=BILINGUAL)
    t = compute_targets(pack)
    eps = plan_round(pack, t.cells, 0, run_seed=5, round_index=0, languages=t.languages)
    assert Counter(e.language for e in eps) == t.languages
    per_scenario: dict[str, Counter] = {}
    for e in eps:
        per_scenario.setdefault(e.scenario_id, Counter())[e.language] += 1
    assert len(per_scenario) == len(BILINGUAL)
    for sid, counts in per_scenario.items():
        n = sum(counts.values())
        assert abs(counts["en"] - 0.6 * n) <= 1 and abs(counts["zh"] - 0.4 * n) <= 1, (sid, counts)
    half = Counter(e.language for e in eps[: len(eps) // 2])
    assert abs(half["zh"] - 0.4 * (len(eps) // 2)) <= len(BILINGUAL)


def test_an_english_only_scenario_leaves_the_other_language_to_the_bilingual_ones():
    scenarios = [scenario("a1", "positive", ["a"]), scenario("a2", "hard", ["a"], langs=("en", "zh")),
                 scenario("b1", "positive", ["b"], langs=("en", "zh"))]
    pack = make_pack({"per_tool": 30, "no_tool_share": 0.0, "min_multi_turn": 0,
                      "languages": {"en": 0.5, "zh": 0.5}}, scenarios=scenarios)
    t = compute_targets(pack)
    eps = plan_round(pack, t.cells, 0, run_seed=2, round_index=0, languages=t.languages)
    assert {e.language for e in eps if e.scenario_id == "a1"} == {"en"}
    assert Counter(e.language for e in eps) == Counter(t.languages)


def test_a_later_round_plans_only_what_is_still_wanted():
    pack = make_pack({"categories": {"positive": 0.5, "hard": 0.3, "negative": 0.2}}, scenarios=BILINGUAL)
    eps = plan_round(pack, {"a": 3}, 0, run_seed=1, round_index=2,
                     categories={"positive": 0, "hard": 3, "negative": 0}, languages={"en": 0, "zh": 3})
    assert [(e.tool, e.category, e.language) for e in eps] == [("a", "hard", "zh")] * 3


def test_allocate_fills_a_cell_even_when_its_only_category_is_full():
    plan = allocate({"a": 4, "c": 6}, {"a": {"positive": 1, "hard": 1}, "c": {"positive": 1}},
                    {"positive": 2, "hard": 8})
    assert plan["c"] == {"positive": 6}  # the tool quota wins over a full category
    assert plan["a"] == {"positive": 0, "hard": 4}


def test_multi_turn_picks_come_from_cells_with_room_first():
    scenarios = [scenario("m1", "multi-turn", ["a"], turns=2), scenario("m2", "multi-turn", ["b"], turns=2),
                 scenario("a1", "positive", ["a"]), scenario("b1", "positive", ["b"])]
    pack = make_pack(scenarios=scenarios)
    eps = plan_round(pack, {"a": 1, "b": 5}, 4, run_seed=1, round_index=0)
    assert [e.scenario_id for e in eps[:4]] == ["m1", "m2", "m2", "m2"]  # a is full after one
    assert Counter(e.tool for e in eps) == {"a": 1, "b": 5}


def test_later_rounds_start_their_rotation_elsewhere():
    pack = make_pack()
    first = [plan_round(pack, {"a": 1}, 0, run_seed=1, round_index=r)[0].scenario_id for r in range(2)]
    assert first[0] != first[1]


def test_allocate_hits_category_totals_when_the_cells_allow():
    """Rounding each cell on its own lands category totals off by up to a unit per two cells;
    the controlled rounding keeps cell counts exact *and* meets the category needs."""
    from simulator.plan.episodes import allocate

    rows = {f"tool{i}": 40 for i in range(4)} | {"tool4": 40}
    options = {f"tool{i}": {"positive": 1.0, "hard": 1.0} for i in range(4)} | {"tool4": {"positive": 1.0}}
    plan = allocate(rows, options, {"positive": 133, "hard": 67})
    assert {cell: sum(row.values()) for cell, row in plan.items()} == rows
    assert sum(row.get("hard", 0) for row in plan.values()) == 67
    assert sum(row.get("positive", 0) for row in plan.values()) == 133


def test_a_small_plan_spreads_personas_over_scenarios():
    """One episode per scenario must not mean one persona for the whole plan."""
    from simulator.plan.episodes import _choose_personas

    pack = make_pack(scenarios=[scenario(f"s{i}", "positive", ["a"]) for i in range(10)])
    chosen = _choose_personas(pack, list(pack.scenarios.values()), 0, None)
    assert {p.id for p in chosen} == {"en1", "en2"}
