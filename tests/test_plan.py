"""Planner: targets from the mix, deterministic episodes, multi-turn first, personas by language."""

from pathlib import Path

from simulator.config import DomainConfig, Persona, ScenarioFile, ToolSpec
from simulator.pack import Domain, Pack
from simulator.plan import NO_TOOL, compute_targets, is_multi_turn, plan_round


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


def make_pack(mix=None, n=None):
    data = {
        "name": "t",
        "domain": {"tools": "tools.yaml", "system_prompt": "sys"},
        "generation": {"seed": 3, **({"mix": mix} if mix else {}), **({"n": n} if n else {})},
        "scenarios": [
            _scenario("a1", "positive", ["a"]),
            _scenario("a2", "hard", ["a"]),
            _scenario("b1", "positive", ["b"], langs=("en", "zh")),
            _scenario("ab", "multi-turn", ["b"], turns=2),
            _scenario("neg", "negative", []),
        ],
    }
    file = ScenarioFile.model_validate(data)
    tools = {n: ToolSpec(name=n, description=n) for n in ("a", "b")}
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
