"""`toolsim eval ... --export-badcases FILE`: every failed item as a scenario stub, the bad-case loop.

What a fine-tuned model still gets wrong is where the next round of data should go. Each trace
with a failed item (a turn, or an episode-level trial) becomes one stub, built the way `toolsim
audit --export-badcases` builds its stubs (`simulator.review.audit.badcases`): the scenario it
was played from (goal, record query, slots), the user's own words as `say` templates
with fact values put back as `{slot}` placeholders, and the blueprint's expected calls. A comment
block above the stub says, per failed item, what the user had just said, the expected call, what
the model did and the metric that failed. Stubs validate with `toolsim validate` once pasted under
`scenarios:` of the pack's scenario file (tested).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from simulator.core.atomic import atomic_write
from simulator.core.errors import InputError
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.review.audit.badcases import BadCase, render_badcases, stub_turns
from simulator.spec.pack import Pack
from simulator.spec.scenario import Scenario
from simulator.spec.snapshot import read_snapshot

_NOT_ID = re.compile(r"[^a-z0-9_\-]+")


def _one_line(text: Any, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _calls(calls: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c['name']}({_one_line(c.get('arguments', ''), 100)})" for c in calls) or "no call"


def _expected(item: dict[str, Any]) -> str:
    reference = item.get("reference") or {}
    calls = [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]}
             for c in reference.get("tool_calls") or []]
    if calls:
        return _calls(calls)
    return "ask the user" if item["tags"].get("kind") == "clarify" else "answer without a call"


def _did(output: dict[str, Any] | None) -> str:
    if output is None:
        return "nothing (infrastructure failure)"
    if output.get("tool_calls"):
        return "called " + _calls(output["tool_calls"])
    return f"answered {_one_line(output.get('content') or '', 100)!r}"


def item_comments(item: dict[str, Any]) -> list[str]:
    score = item.get("score") or {}
    return [
        f"turn {item['turn']}: the user said {_one_line(item.get('user') or '', 120)!r}",
        f"  expected: {_expected(item)}",
        f"  the model {_did(item.get('output'))}",
        f"  failed: {score.get('failed')} — {_one_line(score.get('reason') or '', 200)}",
    ]


def scenario_dict(scenario: Scenario | None) -> dict[str, Any] | None:
    return scenario.model_dump(mode="json", by_alias=True) if scenario is not None else None


def trace_stub(trace: dict[str, Any], scenario: Scenario | None, comments: list[str]) -> BadCase:
    """A stub scenario replaying `trace`'s conversation, with `comments` above it."""
    episode = trace.get("episode") or {}
    original = scenario_dict(scenario)
    made = stub_turns(trace, original, episode.get("language") or "en")
    stub: dict[str, Any] = {
        "id": "eval-" + (_NOT_ID.sub("-", str(trace["id"]).lower()).strip("-").removeprefix("eval-") or "case"),
        "category": "hard",
        "goal": original["goal"] if original else "TODO: the user's goal",
    }
    if original:
        for key in ("tool", "record"):
            if original.get(key):
                stub[key] = original[key]
        if original.get("slots"):
            stub["slots"] = {name: {k: v for k, v in spec.items() if v is not None}
                             for name, spec in original["slots"].items()}
    stub["turns"] = made.turns
    head = [f"from trace {trace['id']}: scenario {episode.get('scenario_id')}, persona {episode.get('persona_id')}, "
            f"category {episode.get('category')}"]
    tail = []
    if made.closing:
        tail.append(f"the user's closing message is left out: {_one_line(made.closing, 80)!r}")
    if not made.aligned:
        tail.append("TODO: the user's messages do not line up with the original script; "
                    "check which turn each expected call belongs to")
    if original is None:
        tail.append(f"TODO: scenario {episode.get('scenario_id')!r} is not in the pack; write the goal and expected calls")
    tail.append("TODO: keep what the model must learn here, vary the wording, then paste under `scenarios:`")
    return BadCase(stub, head + comments + tail)


def _turn_stubs(result: dict[str, Any]) -> tuple[list[BadCase], str]:
    run = RunDir(Path(result["source"]))
    if not run.traces_path.is_file():
        raise InputError.single(result["source"], "the evaluated run is not there any more (no traces.jsonl)")
    pack: Pack = read_snapshot(run)
    failed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in result.get("items") or []:
        if item.get("status") == "ok" and not item["score"]["correct"]:
            failed[item["trace_id"]].append(item)
    traces = {raw["id"]: raw for raw in iter_jsonl(run.traces_path) if raw.get("id") in failed}
    stubs = []
    for trace_id in sorted(failed):
        if trace_id not in traces:
            continue
        trace = traces[trace_id]
        scenario = pack.scenarios.get((trace.get("episode") or {}).get("scenario_id", ""))
        comments = [line for item in sorted(failed[trace_id], key=lambda i: i["turn"]) for line in item_comments(item)]
        stubs.append(trace_stub(trace, scenario, comments))
    return stubs, pack.name


def _episode_stubs(result: dict[str, Any]) -> tuple[list[BadCase], str]:
    from simulator.load.loader import load_pack

    pack = load_pack(Path(result["source"]))
    stubs = []
    for trial in result.get("trials") or []:
        if trial.get("status") != "ok" or trial.get("success"):
            continue
        scenario = pack.scenarios.get(trial["trace"]["episode"]["scenario_id"])
        comments = [f"trial {trial['trial']} of task {trial['task']} failed: " + "; ".join(trial.get("failed") or [])]
        stubs.append(trace_stub(trial["trace"], scenario, comments))
    return stubs, pack.name


def write_eval_badcases(result: dict[str, Any], path: Path) -> int:
    """Write the stubs of `result`'s failed items to `path`; returns how many stubs."""
    stubs, name = _turn_stubs(result) if result["kind"] == "turns" else _episode_stubs(result)
    title = (f"Bad cases of `toolsim eval` ({result['model']['model']} on {result['source']}): "
             f"{len(stubs)} trace(s) with failed items as scenario stubs.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        f.write(render_badcases(stubs, name, title=title))
    return len(stubs)


__all__ = ["item_comments", "trace_stub", "write_eval_badcases"]
