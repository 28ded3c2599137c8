"""`toolsim stats`: counts, turns, argument coverage, diversity and charts, read from a run's files."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.cli.stats import bar, print_stats
from simulator.core.rundir import RunDir
from simulator.review.stats import compute_stats, exported_user_turns

REFUND = {"type": "function", "function": {"name": "refund", "description": "r", "parameters": {
    "type": "object", "required": ["order_id"],
    "properties": {"order_id": {"type": "string"}, "reason": {"type": "string"}, "amount": {"type": "number"}}}}}
LOOKUP = {"type": "function", "function": {"name": "lookup", "description": "l", "parameters": {
    "type": "object", "properties": {"email": {"type": "string"}}}}}


def _call(name: str, **args) -> dict:
    return {"id": "c1", "name": name, "arguments": json.dumps(args)}


def _trace(tid: str, users: list[str], *, tool: str | None, language: str = "en", calls=(), persona: str = "p1",
           category: str = "positive") -> dict:
    messages = [{"role": "system", "content": "sys"}]
    for i, text in enumerate(users):
        messages.append({"role": "user", "content": text})
        if i == len(users) - 1 and calls:
            messages.append({"role": "assistant", "content": None, "tool_calls": list(calls)})
            messages.append({"role": "tool", "tool_call_id": "c1", "content": "{}"})
        messages.append({"role": "assistant", "content": "ok", "tool_calls": []})
    messages.append({"role": "user", "content": "thanks ###STOP###"})  # closing: not exported
    episode = {"id": tid, "scenario_id": "s", "persona_id": persona, "seed": 1, "sample": 0, "category": category,
               "tool": tool, "language": language, "multi_turn": len(users) > 1}
    return {"id": tid, "episode": episode, "messages": messages, "termination": "user_stop",
            "usage": {"user": {"calls": 2, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0, "cached_calls": 0}}}


def make_run(root: Path) -> RunDir:
    traces = [
        _trace("t1", ["a b c", "a b d"], tool="refund", calls=[_call("refund", order_id="O1", reason="broken")]),
        _trace("t2", ["a b c"], tool="refund", calls=[_call("refund", order_id="O2", reason="late", amount=3)],
               persona="p2", category="hard"),
        _trace("t3", ["我想退货"], tool=None, language="zh", category="negative"),
        _trace("t4", ["not in the dataset"], tool="lookup", calls=[_call("lookup", email="x@y.z")]),
    ]
    root.mkdir(parents=True)
    (root / "traces.jsonl").write_text("".join(json.dumps(t) + "\n" for t in traces))
    verdicts = [{"trace_id": t["id"], "decision": "accept" if t["id"] != "t4" else "reject",
                 "reasons": [] if t["id"] != "t4" else ["schema"]} for t in traces]
    (root / "verdicts.jsonl").write_text("".join(json.dumps(v) + "\n" for v in verdicts))
    (root / "selection.json").write_text(json.dumps({"t1": "train", "t2": "train", "t3": "test"}))
    (root / "dataset").mkdir()
    (root / "dataset" / "train.jsonl").write_text(json.dumps({"messages": [], "tools": [REFUND, LOOKUP]}) + "\n")
    manifest = {"name": "tiny", "status": "finished",
                "counts": {"duplicates_removed": 4, "near_duplicates_removed": 2, "short": {"category:hard": 1},
                           "balance": {"balanced": True}}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return RunDir(root)


def test_counts_per_dimension_and_dedupe_figures(tmp_path):
    stats = compute_stats(make_run(tmp_path / "run"))
    assert stats["dataset"]["tool"] == {"(none)": 1, "refund": 2}
    assert stats["dataset"]["persona"] == {"p1": 2, "p2": 1}
    assert stats["dataset"]["language"] == {"en": 2, "zh": 1}
    assert list(stats["dataset"]["split"]) == ["train", "test"]  # canonical order, not alphabetical
    assert stats["duplicates_removed"] == {"exact": 4, "near": 2}
    assert stats["short_of_target"] == {"category:hard": 1}
    assert (stats["accepted"], stats["rejected_by_reason"]) == (3, {"schema": 1})


def test_turns_per_trace_count_exported_user_turns_only(tmp_path):
    turns = compute_stats(make_run(tmp_path / "run"))["turns_per_trace"]
    assert turns == {"mean": 1.33, "median": 1, "max": 2, "histogram": {"1": 2, "2": 1}}
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"},
                {"role": "user", "content": "bye ###STOP###"}]
    assert exported_user_turns(messages) == ["hi"]


def test_argument_coverage_is_per_optional_parameter_of_each_tool(tmp_path):
    coverage = compute_stats(make_run(tmp_path / "run"))["argument_coverage"]
    assert coverage["refund"] == {"calls": 2, "required": ["order_id"], "optional": {"reason": 1.0, "amount": 0.5}}
    assert coverage["lookup"] == {"calls": 0, "required": [], "optional": {"email": 0.0}}  # t4 is not in the dataset


def test_diversity_uses_word_bigrams_and_character_bigrams_for_chinese(tmp_path):
    diversity = compute_stats(make_run(tmp_path / "run"))["diversity"]
    # en: "a b c", "a b d", "a b c" -> bigrams ab bc ab bd ab bc: 3 distinct of 6; zh: 我想 想退 退货: 3 of 3
    assert diversity["distinct_2_by_language"] == {"en": 0.5, "zh": 1.0}
    assert diversity["distinct_2"] == round(6 / 9, 4)
    # first messages: "a b c" twice, "我想退货" once
    assert diversity["unique_first_user_messages"] == round(2 / 3, 4)
    assert diversity["first_user_messages_seen_once"] == round(1 / 3, 4)


def test_bars_scale_to_the_largest_value():
    assert bar(10, 10, width=4) == "████"
    assert bar(5, 10, width=4) == "██"
    assert bar(1, 16, width=2) == "▏"
    assert bar(0, 10) == "" and bar(3, 0) == ""


def test_terminal_output_has_charts_and_json_is_plain(tmp_path, capsys):
    run = make_run(tmp_path / "run")
    print_stats(run)
    out = capsys.readouterr().out
    assert "dataset by tool" in out and "█" in out
    assert "argument coverage" in out and "amount" in out
    assert "distinct-2" in out and "4 / 2" in out  # duplicates removed, exact / near
    print_stats(run, as_json=True)
    assert json.loads(capsys.readouterr().out)["dataset_size"] == 3
