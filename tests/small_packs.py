"""Small scenario packs for the targets and planning tests: tools a, b (and c), personas speaking en
and zh, the classic mix unless one is given."""

from __future__ import annotations

from pathlib import Path

from simulator.spec import DomainConfig, Persona, ScenarioFile, ToolSpec
from simulator.spec.pack import Domain, Pack


def scenario(sid, category, calls, langs=("en",), turns=1):
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
    scenario("a1", "positive", ["a"]),
    scenario("a2", "hard", ["a"]),
    scenario("b1", "positive", ["b"], langs=("en", "zh")),
    scenario("ab", "multi-turn", ["b"], turns=2),
    scenario("neg", "negative", []),
]
BILINGUAL = [
    scenario("a1", "positive", ["a"], langs=("en", "zh")),
    scenario("a2", "hard", ["a"], langs=("en", "zh")),
    scenario("b1", "positive", ["b"], langs=("en", "zh")),
    scenario("b2", "hard", ["b"], langs=("en", "zh")),
    scenario("c1", "positive", ["c"], langs=("en", "zh")),  # c has no hard scenario
    scenario("neg", "negative", [], langs=("en", "zh")),
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
