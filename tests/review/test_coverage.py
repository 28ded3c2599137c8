"""Coverage report: behaviours read off traces, what blueprints imply, grid counts and empty cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.core.rundir import RunDir
from simulator.load.loader import load_pack
from simulator.review.behaviours import NO_TOOL, blueprint_cells, trace_behaviours
from simulator.review.coverage import compute_coverage
from simulator.spec import Scenario
from simulator.spec.snapshot import write_snapshot

# ---------------------------------------------------------------- messages


def _call(name: str, n: int = 1) -> dict:
    return {"id": f"call_{name}_{n}", "name": name, "arguments": "{}"}


def _calls(*names: str) -> dict:
    return {"role": "assistant", "content": None, "tool_calls": [_call(n) for n in names]}


def _result(name: str, error: bool = False) -> dict:
    return {"role": "tool", "tool_call_id": f"call_{name}_1", "name": name,
            "content": '{"error": "no"}' if error else "{}", "is_error": error}


def _say(role: str, text: str) -> dict:
    return {"role": role, "content": text, "tool_calls": []} if role == "assistant" else {"role": role, "content": text}


def _conversation(*middle: dict) -> list[dict]:
    return [{"role": "system", "content": "sys"}, _say("user", "hi"), *middle, _say("assistant", "done"),
            _say("user", "thanks ###STOP###")]


def test_counting_calls_single_parallel_and_multi_step():
    assert trace_behaviours(_conversation()) == ((NO_TOOL,), ("no_tool",))
    assert trace_behaviours(_conversation(_calls("find"), _result("find"))) == (("find",), ("single_call",))
    parallel = _conversation(_calls("find", "buy"), _result("find"), _result("buy"))
    assert trace_behaviours(parallel) == (("find", "buy"), ("parallel_calls",))
    steps = _conversation(_calls("find"), _result("find"), _say("assistant", "found"), _say("user", "buy it"),
                          _calls("buy"), _result("buy"))
    assert trace_behaviours(steps) == (("find", "buy"), ("multi_step",))
    both = _conversation(_calls("find", "find"), _result("find"), _result("find"), _calls("buy"), _result("buy"))
    assert trace_behaviours(both) == (("find", "buy"), ("parallel_calls", "multi_step"))


def test_clarification_is_a_question_answered_before_the_first_call():
    asked = _conversation(_say("assistant", "Which order?"), _say("user", "ORD-1"), _calls("find"), _result("find"))
    assert "clarification" in trace_behaviours(asked)[1]
    # a Chinese question without ？ counts when the scenario's first turn already expects a call
    zh = _conversation(_say("assistant", "请提供订单号。"), _say("user", "ORD-1"), _calls("find"), _result("find"))
    assert "clarification" not in trace_behaviours(zh)[1]
    assert "clarification" in trace_behaviours(zh, asks_first=True)[1]
    # a question after the first call, or one never followed by a call, is not a clarification
    later = _conversation(_calls("find"), _result("find"), _say("assistant", "Anything else?"), _say("user", "buy"),
                          _calls("buy"), _result("buy"))
    assert "clarification" not in trace_behaviours(later)[1]
    no_call = _conversation(_say("assistant", "Which order?"), _say("user", "never mind"))
    assert trace_behaviours(no_call, asks_first=True)[1] == ("no_tool",)


def test_error_recovery_needs_a_success_or_a_hand_off_after_the_error():
    failed = [_calls("buy"), _result("buy", error=True)]
    assert "error_recovery" not in trace_behaviours(_conversation(*failed))[1]
    retried = _conversation(*failed, _say("assistant", "sorry"), _say("user", "try ORD-2"), _calls("buy"), _result("buy"))
    assert "error_recovery" in trace_behaviours(retried)[1]
    handed = _conversation(*failed, _calls("escalate_to_human"), _result("escalate_to_human", error=True))
    assert "error_recovery" in trace_behaviours(handed)[1]
    # success before the error is not a recovery
    before = _conversation(_calls("find"), _result("find"), *failed)
    assert "error_recovery" not in trace_behaviours(before)[1]


def test_hard_case_tags_are_behaviours():
    _, behaviours = trace_behaviours(_conversation(_calls("find"), _result("find")), hard_cases=("alias", "near_miss"))
    assert behaviours == ("single_call", "hard:alias", "hard:near_miss")


# ---------------------------------------------------------------- blueprints


def _scenario(sid: str, category: str, turns: list[list[dict]], **extra) -> dict:
    return {"id": sid, "category": category, "goal": "g", **extra,
            "turns": [{"say": {"en": [f"{sid} {i}"], "zh": [f"{sid} {i} 中"]}, "expect": expect,
                       **({} if expect else {"answer": {"en": ["ok"], "zh": ["好"]}})}
                      for i, expect in enumerate(turns)]}


def test_blueprint_behaviours():
    def cells(data: dict) -> set:
        return blueprint_cells(Scenario.model_validate(data))

    assert cells(_scenario("n", "negative", [[]], hard_cases=["near_miss"])) == {
        (NO_TOOL, "no_tool"), (NO_TOOL, "hard:near_miss")}
    together = [{"tool": "find", "args": {}}, {"tool": "buy", "args": {}}]
    assert cells(_scenario("p", "hard", [together])) == {("find", "parallel_calls"), ("buy", "parallel_calls")}
    chained = [{"tool": "find", "args": {}}, {"tool": "buy", "args": {"id": "{@find.id}"}}]
    assert cells(_scenario("c", "hard", [chained])) == {("find", "multi_step"), ("buy", "multi_step")}
    recover = [[{"tool": "buy", "args": {}, "expect_error": True}], [{"tool": "find", "args": {}}]]
    assert cells(_scenario("e", "error-recovery", recover)) == {
        (t, b) for t in ("buy", "find") for b in ("multi_step", "error_recovery")}
    assert cells(_scenario("q", "clarification", [[{"tool": "find", "args": {}}]])) == {
        ("find", "single_call"), ("find", "clarification")}

    def with_say(variants: list[str], **turn) -> dict:
        return {"id": "s", "category": "positive", "goal": "g", "slots": {"order": {"value": "O-1"}},
                "turns": [{"say": {"en": variants}, **turn}]}

    needs_order = {"expect": [{"tool": "find", "args": {"id": "{order}"}}]}
    assert ("find", "clarification") not in cells(with_say(["find {order}"], **needs_order))
    # a variant that leaves the order out makes the assistant ask for it
    assert ("find", "clarification") in cells(with_say(["find {order}", "find my order"], **needs_order))
    # an answer that asks something, before the first call
    asking = with_say(["hi"], answer={"en": ["Which order do you mean?"]})
    asking["turns"].append({"say": {"en": ["{order}"]}, **needs_order})
    assert ("find", "clarification") in cells(asking)
    asking["turns"][0]["answer"] = {"en": ["Hello."]}
    assert ("find", "clarification") not in cells(asking)


# ---------------------------------------------------------------- a run of a small pack

TOOLS = {"tools": [
    {"name": n, "description": n, "parameters": {"type": "object", "properties": {}}, "read_only": n == "find",
     "returns": {"type": "object", "properties": {"id": {"type": "string"}}}}
    for n in ("find", "buy", "cancel")
]}
PERSONAS = {"en1": "en", "en2": "en", "zh1": "zh"}
SCENARIOS = [
    # English only: zh1 cannot play it
    {**_scenario("s_find", "positive", [[{"tool": "find", "args": {}}]], hard_cases=["tool_boundary"]),
     "turns": [{"say": {"en": ["find it"]}, "expect": [{"tool": "find", "args": {}}]}]},
    _scenario("s_both", "hard", [[{"tool": "find", "args": {}}, {"tool": "buy", "args": {}}]],
              hard_cases=["mixed_intent"]),
    _scenario("s_neg", "negative", [[]]),
    # only en1 may play it
    _scenario("s_fail", "error-recovery", [[{"tool": "buy", "args": {}, "expect_error": True}],
                                           [{"tool": "find", "args": {}}]], personas=["en1"]),
]


def write_pack(root: Path) -> Path:
    (root / "personas").mkdir(parents=True)
    for pid, language in PERSONAS.items():
        (root / "personas" / f"{pid}.yaml").write_text(yaml.safe_dump({"id": pid, "name": pid, "language": language}))
    (root / "tools.yaml").write_text(yaml.safe_dump(TOOLS))
    path = root / "pack.yaml"
    path.write_text(yaml.safe_dump({"name": "small", "domain": {"tools": "tools.yaml", "system_prompt": "sys"},
                                    "personas": ["personas"], "scenarios": SCENARIOS}, allow_unicode=True))
    return path


def _trace(tid: str, scenario: str, persona: str, messages: list[dict]) -> dict:
    episode = {"id": tid, "scenario_id": scenario, "persona_id": persona, "seed": 1, "sample": 0,
               "category": "x", "tool": None, "language": "en", "multi_turn": False}
    return {"id": tid, "episode": episode, "messages": messages, "termination": "user_stop"}


FIND = _conversation(_calls("find"), _result("find"))
SERIAL = _conversation(_calls("find"), _result("find"), _calls("buy"), _result("buy"))  # not parallel
NEG = _conversation()
RECOVERED = _conversation(_calls("buy"), _result("buy", error=True), _say("assistant", "sorry"),
                          _say("user", "ok find it"), _calls("find"), _result("find"))


def write_run(root: Path, pack_file: Path, *, selected: bool = True) -> RunDir:
    traces = [
        _trace("t1", "s_find", "en1", FIND),
        _trace("t2", "s_find", "en1", FIND),
        _trace("t3", "s_both", "zh1", SERIAL),
        _trace("t4", "s_neg", "en2", NEG),
        _trace("t5", "s_fail", "en1", RECOVERED),
        _trace("t6", "s_neg", "en1", NEG),  # rejected: not counted
        _trace("t1", "s_find", "en1", SERIAL),  # t1 simulated again: this later line wins
    ]
    root.mkdir(parents=True)
    (root / "traces.jsonl").write_text("".join(json.dumps(t) + "\n" for t in traces))
    verdicts = [{"trace_id": t, "decision": "reject" if t == "t6" else "accept"} for t in ("t1", "t2", "t3", "t4", "t5", "t6")]
    (root / "verdicts.jsonl").write_text("".join(json.dumps(v) + "\n" for v in verdicts))
    if selected:
        (root / "selection.json").write_text(json.dumps({t: "train" for t in ("t1", "t2", "t3", "t4", "t5")}))
    pack = load_pack(pack_file)
    config = pack.file.model_dump(mode="json")
    write_snapshot(RunDir(root), pack)
    (root / "manifest.json").write_text(json.dumps({"name": "small", "status": "finished",
                                                     "scenario_file": str(pack_file), "config": config}))
    return RunDir(root)


@pytest.fixture
def small(tmp_path):
    pack_file = write_pack(tmp_path / "pack")
    return pack_file, write_run(tmp_path / "run", pack_file)


def test_grid_counts(small):
    _, run = small
    cov = compute_coverage(run)
    assert cov["traces"] == 5 and cov["source"] == "dataset" and cov["possible_known"] and cov["note"] is None
    assert cov["scenario_persona"]["s_find"] == {"en1": 2, "en2": 0}  # zh1 cannot play it: no cell
    assert cov["scenario_persona"]["s_fail"] == {"en1": 1}
    assert cov["scenario_persona"]["s_both"] == {"en1": 0, "en2": 0, "zh1": 1}
    assert cov["tools"] == {"find": 4, "buy": 3, "cancel": 0, NO_TOOL: 1}  # buy: t1 (again), t3, t5
    assert cov["tool_behaviour"]["find"]["multi_step"] == 3  # t1 (again), t3, t5
    assert cov["tool_behaviour"]["find"]["single_call"] == 1  # t2
    assert cov["tool_behaviour"]["find"]["hard:tool_boundary"] == 2
    assert cov["tool_behaviour"]["buy"]["error_recovery"] == 1
    assert cov["tool_behaviour"]["buy"]["parallel_calls"] == 0  # implied by s_both, never seen
    assert cov["behaviour_traces"]["hard:mixed_intent"] == 1
    cells = {(c["persona"], c["scenario"], c["tool"], c["behaviour"]): c["traces"] for c in cov["cells"]}
    assert cells[("en1", "s_find", "find", "hard:tool_boundary")] == 2
    assert cells[("en1", "s_find", "buy", "multi_step")] == 1
    assert cells[("en2", "s_neg", NO_TOOL, "no_tool")] == 1
    assert not [cell for cell in cells if cell[:2] == ("en1", "s_neg")]  # t6 was rejected


def test_empty_cells_name_possible_pairs_only(small):
    _, run = small
    cov = compute_coverage(run)
    empty = cov["empty"]
    pairs = {(c["scenario"], c["persona"]) for c in empty["persona_scenario"]}
    # possible but missing
    assert ("s_find", "en2") in pairs and ("s_both", "en1") in pairs and ("s_neg", "zh1") in pairs
    # impossible: s_find is English only, s_fail allows en1 alone
    assert ("s_find", "zh1") not in pairs and ("s_fail", "en2") not in pairs and ("s_fail", "zh1") not in pairs
    assert pairs == {("s_find", "en2"), ("s_both", "en1"), ("s_both", "en2"), ("s_neg", "en1"), ("s_neg", "zh1")}
    assert empty["tools"] == ["cancel"]
    assert {(c["tool"], c["behaviour"]) for c in empty["tool_behaviour"]} == {
        ("find", "parallel_calls"), ("buy", "parallel_calls")}
    assert empty["hard_cases"] == []
    assert cov["empty_count"] == 5 + 1 + 2


def test_an_absent_hard_case_is_named_once(small):
    _, run = small
    selection = json.loads(run.selection_path.read_text())
    del selection["t3"]  # the only s_both trace (mixed_intent)
    run.selection_path.write_text(json.dumps(selection))
    empty = compute_coverage(run)["empty"]
    assert empty["hard_cases"] == ["mixed_intent"]
    assert not [c for c in empty["tool_behaviour"] if c["behaviour"] == "hard:mixed_intent"]


def test_without_a_dataset_the_accepted_verdicts_count(tmp_path):
    pack_file = write_pack(tmp_path / "pack")
    cov = compute_coverage(write_run(tmp_path / "run", pack_file, selected=False))
    assert cov["traces"] == 5 and cov["source"].startswith("accepted verdicts")


def test_a_run_without_its_pack_snapshot_leaves_the_possible_cells_unknown(small):
    """A run made before runs kept `pack.json`: the observed grid still shows."""
    _, run = small
    (run.path / "pack.json").unlink()
    cov = compute_coverage(run)
    assert cov["possible_known"] is False and cov["possible"] is None and cov["empty"] is None
    assert cov["empty_count"] is None and "has no pack.json" in cov["note"]
    assert cov["traces"] == 5 and cov["scenario_persona"]["s_find"] == {"en1": 2}
    # the hard-case tags still come from the configuration the manifest recorded
    assert cov["tool_behaviour"]["find"]["hard:tool_boundary"] == 2


def test_the_scenario_file_is_not_needed_after_the_run(small):
    """The run directory is self-contained: moving, editing or deleting the scenario file changes
    nothing of the coverage report."""
    pack_file, run = small
    before = compute_coverage(run)
    data = yaml.safe_load(pack_file.read_text())
    data["scenarios"] = data["scenarios"][:1]
    pack_file.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert compute_coverage(run) == before
    pack_file.unlink()
    assert compute_coverage(run) == before and before["possible_known"] and before["note"] is None
