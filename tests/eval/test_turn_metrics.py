"""Turn-level eval of a scripted model with known mistakes, over real HTTP to the local fake
server: every metric equals the figure worked out by hand from `tests/eval/evalrun.py`.

The hand count (23 items scored: 24 turns less t13's infrastructure failure):
- malformed: t04#1 → parsed 22 of 23;
- decision (parsed): should call and called 9 (all call turns but t09#0), missed 1 (t09#0),
  needless 3 (t02#1, t05#0, t08#0), rightly silent 9;
- tools, over the 9 that called rightly: t05#1 wrong tool, t07#0 one of two calls → 7 of 9;
- arguments, over those 7: t02#0 (string for integer) and t03#0 (invented id) fail → 5 of 7;
  exact: only t04#0 (20 for 20.0 is the same number) and t12#0 (other order) → 2 of 7;
  per argument given/right/expected/found: t01 1/1/1/1, t02 2/1/2/1, t03 3/2/3/2, t04 2/2/2/2,
  t10 2/2/1/1 (units is the schema default), t11 4/4/4/4, t12 2/2/2/2 → 16/14/15/13;
- clarification: t05#0 called → 0 of 1;
- hallucination (parsed): t02#0 schema, t02#1 needless, t03#0 ungrounded id, t05#0 needless +
  schema (no required argument), t08#0 unknown + needless → 5 of 22; over the 12 that called:
  unknown 1, schema 2, ungrounded 1; needless 3 of the 12 that should not call;
- correct: 23 − 9 failures (t02#0, t02#1, t03#0, t04#1, t05#0, t05#1, t07#0, t08#0, t09#0) = 14;
  call turns right: t01, t04, t10, t11, t12 → 5 of 10.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from simulator.cli import main
from tests.eval.evalrun import PACK, item_of, reference_of, scripted_model, write_run
from tests.fakes.openai_server import FakeOpenAIServer, Reply, Request, text

HAND = {
    "accuracy": (14, 23), "call_accuracy": (5, 10), "parse_rate": (22, 23), "decision_accuracy": (18, 22),
    "precision": (9, 12), "recall": (9, 10), "tool_selection": (7, 9), "arguments": (5, 7), "exact_match": (2, 7),
    "argument_precision": (14, 16), "argument_recall": (13, 15), "clarification": (0, 1), "hallucination": (5, 22),
    "unknown_tool": (1, 12), "schema_invalid": (2, 12), "ungrounded_id": (1, 12), "needless_call": (3, 12),
}
pytestmark = pytest.mark.slow  # one evaluation over HTTP (litellm's import alone takes seconds)

FAILED = {
    "t02#0": "arguments", "t02#1": "needless_call", "t03#0": "arguments", "t04#1": "parse", "t05#0": "no_clarification",
    "t05#1": "tools", "t07#0": "tools", "t08#0": "needless_call", "t09#0": "missed_call",
}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, int]:
    """The evaluation, and the same command again (its calls in `again_calls.txt`)."""
    root = tmp_path_factory.mktemp("evalrun")
    run = write_run(root / "run")
    with FakeOpenAIServer() as server:
        server.responder = scripted_model
        for out in ("scripted.json", "again.json"):
            before = server.calls
            assert main(["eval", str(run), "--model", "openai/scripted", "--api-base", server.base_url, "--quiet",
                         "--retries", "0", "--cache-dir", str(root / "cache"), "--out", str(root / out)]) == 0
            (root / f"{out}.calls").write_text(str(server.calls - before))
    return json.loads((root / "scripted.json").read_text(encoding="utf-8")), root, int((root / "scripted.json.calls").read_text())


def test_every_metric_equals_the_hand_count(evaluated: tuple[dict, Path, int]) -> None:
    result, _, calls = evaluated
    metrics = result["metrics"]
    assert calls == 24 and result["errors"] == 1 and metrics["items"] == 23
    for name, (k, n) in HAND.items():
        assert (metrics[name]["k"], metrics[name]["n"]) == (k, n), name
        assert metrics[name]["rate"] == pytest.approx(k / n), name
    assert metrics["decision"] == {"tp": 9, "fp": 3, "fn": 1, "tn": 9}
    p, r = 9 / 12, 9 / 10
    assert metrics["f1"] == pytest.approx(2 * p * r / (p + r))


def test_each_item_fails_where_its_mistake_is(evaluated: tuple[dict, Path, int]) -> None:
    items = {i["id"]: i for i in evaluated[0]["items"]}
    assert items["t13#0"]["status"] == "error" and "bad request" in items["t13#0"]["error"]
    failed = {i: item["score"]["failed"] for i, item in items.items() if item["status"] == "ok" and item["score"]["failed"]}
    assert failed == FAILED
    assert items["t01#0"]["score"]["correct"] and not items["t01#0"]["score"]["exact"]  # NYC for New York
    assert "NYC" in items["t01#0"]["answer"][0]["args"]["city"]["values"]
    assert items["t11#0"]["answer"][0]["args"]["note"]["free_text"] is True
    assert "expected integer" in items["t02#0"]["score"]["reason"]
    assert items["t08#0"]["score"]["hallucinations"] == ["unknown_tool", "needless_call"]
    assert items["t03#0"]["score"]["hallucinations"] == ["ungrounded_id"]


def test_groups_count_items_under_each_of_their_values(evaluated: tuple[dict, Path, int]) -> None:
    groups = evaluated[0]["groups"]
    assert groups["kind"]["call"]["k"] == 5 and groups["kind"]["call"]["n"] == 10
    assert (groups["kind"]["clarify"]["k"], groups["kind"]["clarify"]["n"]) == (0, 1)
    assert (groups["tool"]["book_table"]["k"], groups["tool"]["book_table"]["n"]) == (1, 3)  # t03, t05#1, t11
    assert (groups["category"]["negative"]["k"], groups["category"]["negative"]["n"]) == (1, 2)  # t06 right, t08 not
    assert (groups["behaviour"]["hard:alias"]["k"], groups["behaviour"]["hard:alias"]["n"]) == (2, 2)


def test_a_rerun_is_answered_from_the_cache(evaluated: tuple[dict, Path, int]) -> None:
    result, root, _ = evaluated
    assert (root / "again.json.calls").read_text() == "1"  # only the request that failed is asked again
    again = json.loads((root / "again.json").read_text(encoding="utf-8"))
    assert again["metrics"] == result["metrics"]
    assert again["usage"]["cached_calls"] == 23 and again["usage"]["requests"] == 0 and again["errors"] == 1


def test_failed_items_become_stubs_that_validate(evaluated: tuple[dict, Path, int], tmp_path: Path) -> None:
    result, root, _ = evaluated
    stubs = tmp_path / "bad.yaml"
    assert main(["eval", str(root / "scripted.json"), "--export-badcases", str(stubs), "--quiet"]) == 0
    text = stubs.read_text(encoding="utf-8")
    failed_traces = sorted({item.split("#")[0] for item in FAILED})
    assert [line.split("id: ")[1] for line in text.splitlines() if line.startswith("  - id: ")] == [
        f"eval-{t}" for t in failed_traces]
    assert "failed: arguments — restaurant_id='R-999', expected one of ['R-101']" in text
    assert "the model answered 'It is probably sunny in Oslo.'" in text
    pack_dir = tmp_path / "pack"
    shutil.copytree(PACK.parent, pack_dir)
    scenario_file = pack_dir / PACK.name
    body = text.split("\nscenarios:\n", 1)[1]
    scenario_file.write_text(scenario_file.read_text(encoding="utf-8").rstrip("\n") + "\n" + body, encoding="utf-8")
    assert main(["validate", str(scenario_file)]) == 0


def prompt_format_model(request: Request) -> Reply:
    """The reference, written as <tool_call> blocks in the text; t04#1 writes a broken block."""
    item = item_of(request)
    if item == "t04#1":
        return text('<tool_call>{"name": "convert", "arguments": {"amount": 20</tool_call>')
    reference = reference_of(item)
    blocks = [f'<tool_call>{{"name": "{c["name"]}", "arguments": {c["arguments"]}}}</tool_call>'
              for c in reference.get("tool_calls") or []]
    return text("\n".join(blocks) if blocks else reference["content"])


def test_prompt_tool_format_is_scored_alike(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    out = tmp_path / "prompt.json"
    with FakeOpenAIServer() as server:
        server.responder = prompt_format_model
        assert main(["eval", str(run), "--model", "openai/prompted", "--api-base", server.base_url, "--quiet",
                     "--tool-format", "prompt", "--no-cache", "--out", str(out)]) == 0
        first = server.requests[0].body
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "tools" not in first and "<tool_call>" in first["messages"][0]["content"]
    assert (result["metrics"]["parse_rate"]["k"], result["metrics"]["parse_rate"]["n"]) == (23, 24)
    assert (result["metrics"]["accuracy"]["k"], result["metrics"]["accuracy"]["n"]) == (23, 24)
    assert {i["id"]: i["score"]["failed"] for i in result["items"] if i["score"]["failed"]} == {"t04#1": "parse"}


@pytest.mark.slow
def test_two_processes_give_the_same_evaluation(evaluated: tuple[dict, Path, int], tmp_path: Path) -> None:
    result, root, _ = evaluated
    out = tmp_path / "sharded.json"
    with FakeOpenAIServer() as server:
        server.responder = scripted_model
        assert main(["eval", str(root / "run"), "--model", "openai/scripted", "--api-base", server.base_url,
                     "--quiet", "--retries", "0", "--no-cache", "--processes", "2", "--out", str(out)]) == 0
        assert server.calls == 24
    sharded = json.loads(out.read_text(encoding="utf-8"))
    assert sharded["metrics"] == result["metrics"] and sharded["groups"] == result["groups"]
    assert [i["id"] for i in sharded["items"]] == [i["id"] for i in result["items"]]


def test_the_result_says_what_the_split_holds_out(evaluated: tuple[dict, Path, int]) -> None:
    from simulator.load.loader import load_pack

    holds_templates = getattr(load_pack(PACK).file.generation.split, "hold_out", None) == "template"
    notes = evaluated[0]["not_measured"]
    assert (notes == []) if holds_templates else ("held-out templates" in notes[0])
    assert any("AST argument match" in line for line in evaluated[0]["measured"])
