"""Planner: targets from the mix, deterministic episodes, multi-turn first, personas by language,
category and language shares."""

from collections import Counter
from pathlib import Path

import pytest

from simulator.config import DomainConfig, Persona, ScenarioFile, ToolSpec
from simulator.errors import InputError
from simulator.pack import Domain, Pack
from simulator.plan import (
    NO_TOOL,
    allocate,
    apportion,
    check_mix,
    compute_targets,
    is_multi_turn,
    plan_round,
)


def _scenario(sid, category, calls, langs=("en",), turns=1):
    say = {lang: [f"{sid} {lang}"] for lang in langs}
    turn_list = []
    for i in range(turns):
        expect = [{"tool": t, "args": {}} for t in calls] if i == turns - 1 else []
        turn = {"say": say, "expect": expect}
        if not expect:
            turn["answer"] = {lang: ["ok"] for lang in langs}
        turn_list.append(turn)
    return {"id": sid, "category": category, "goal": "g", "turns": turn_list}


CLASSIC = [
    _scenario("a1", "positive", ["a"]),
    _scenario("a2", "hard", ["a"]),
    _scenario("b1", "positive", ["b"], langs=("en", "zh")),
    _scenario("ab", "multi-turn", ["b"], turns=2),
    _scenario("neg", "negative", []),
]
BILINGUAL = [
    _scenario("a1", "positive", ["a"], langs=("en", "zh")),
    _scenario("a2", "hard", ["a"], langs=("en", "zh")),
    _scenario("b1", "positive", ["b"], langs=("en", "zh")),
    _scenario("b2", "hard", ["b"], langs=("en", "zh")),
    _scenario("c1", "positive", ["c"], langs=("en", "zh")),  # c has no hard scenario
    _scenario("neg", "negative", [], langs=("en", "zh")),
]


def make_pack(mix=None, n=None, scenarios=None):
    data = {
        "name": "t",
        "domain": {"tools": "tools.yaml", "system_prompt": "sys"},
        "generation": {"seed": 3, **({"mix": mix} if mix else {}), **({"n": n} if n else {})},
        "scenarios": scenarios or CLASSIC,
    }
    file = ScenarioFile.model_validate(data)
    tools = {n: ToolSpec(name=n, description=n) for n in ("a", "b", "c")}
    domain = Domain(name="t", system_prompt="sys", tools=tools, config=DomainConfig(tools="x", system_prompt="s"))
    personas = {
        "en1": Persona(id="en1", name="E", language="en"),
        "en2": Persona(id="en2", name="F", language="en"),
        "zh1": Persona(id="zh1", name="Z", language="zh"),
    }
    return Pack(path=Path("t.yaml"), file=file, domain=domain, personas=personas,
                scenarios={s.id: s for s in file.scenarios})


def test_targets_follow_the_classic_mix():
    t = compute_targets(make_pack())
    assert t.cells == {"a": 100, "b": 100, NO_TOOL: 50}  # 200 tool examples are 80 %
    assert t.min_multi_turn == 25


def test_targets_from_total_n():
    t = compute_targets(make_pack(), n=101)
    assert t.total == 101
    assert t.cells[NO_TOOL] == 20
    assert abs(t.cells["a"] - t.cells["b"]) <= 1


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


# ---------------------------------------------------------------- targets from the mix


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
                                   scenarios=[_scenario("a1", "positive", ["a"]), _scenario("n", "negative", [])]))
    text = " ".join(p.message for p in problems)
    assert "'error-recovery'" in text and "'zh'" in text


# ---------------------------------------------------------------- planning toward shares


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
    scenarios = [_scenario("m1", "multi-turn", ["a"], turns=2), _scenario("m2", "multi-turn", ["b"], turns=2),
                 _scenario("a1", "positive", ["a"]), _scenario("b1", "positive", ["b"])]
    pack = make_pack(scenarios=scenarios)
    eps = plan_round(pack, {"a": 1, "b": 5}, 4, run_seed=1, round_index=0)
    assert [e.scenario_id for e in eps[:4]] == ["m1", "m2", "m2", "m2"]  # a is full after one
    assert Counter(e.tool for e in eps) == {"a": 1, "b": 5}


def test_later_rounds_start_their_rotation_elsewhere():
    pack = make_pack()
    first = [plan_round(pack, {"a": 1}, 0, run_seed=1, round_index=r)[0].scenario_id for r in range(2)]
    assert first[0] != first[1]


def test_multi_turn_minimum_scales_with_a_smaller_total():
    pack = make_pack()  # natural total 250 (2 tools x 100 + 50), min_multi_turn 25
    assert compute_targets(pack).min_multi_turn == 25
    assert compute_targets(pack, n=50).min_multi_turn == 5
    assert compute_targets(pack, n=500).min_multi_turn == 50
