"""The bad-case loop on a customer-support run, from the command line: evaluate a base model and a
fine-tuned one (scripted, on the local fake server), compare them, export the base model's failures
as scenario stubs that validate once pasted into the pack, and find both in the HTML report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main
from simulator.core.rundir import RunDir
from simulator.eval.items import split_items
from simulator.llm.client import provider_message
from tests.fakes.openai_server import FakeOpenAIServer, Reply, Request, text, tool_calls
from tests.pack_runs import run_pack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def key(messages: list[dict[str, Any]]) -> str:
    return json.dumps([[m.get("role"), m.get("content") or ""] for m in messages], ensure_ascii=False)


def references(run: Path) -> dict[str, dict[str, Any]]:
    """Each item's reference message, by the conversation the model is asked with."""
    _, items = split_items(RunDir(run), "test")
    return {key([provider_message(m) for m in item.messages]): item.reference for item in items}


def model(refs: dict[str, dict[str, Any]], *, base: bool):
    """The fine-tuned model answers like the reference; the base model never calls a tool."""

    def answer(request: Request) -> Reply:
        reference = refs[key(request.messages)]
        if reference.get("tool_calls") and not base:
            return tool_calls(*[(c["function"]["name"], c["function"]["arguments"]) for c in reference["tool_calls"]])
        return text(reference.get("content") or "Let me think about that.")

    return answer


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("loop")
    run = run_pack(ROOT / "scenarios" / "customer_support.yaml", root / "cs", "--n", "300")
    refs = references(run)
    outs = {}
    with FakeOpenAIServer() as server:
        for name, base in (("base", True), ("tuned", False)):
            server.responder = model(refs, base=base)
            outs[name] = run / "eval" / f"{name}.json"
            assert main(["eval", str(run), "--model", f"openai/{name}", "--api-base", server.base_url, "--quiet",
                         "--no-cache", "--out", str(outs[name])]) == 0
    return {"root": root, "run": run, **outs}


def test_compare_says_what_the_fine_tune_changed(loop: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    base, tuned = (json.loads(loop[k].read_text(encoding="utf-8")) for k in ("base", "tuned"))
    calls = base["metrics"]["decision"]["tp"] + base["metrics"]["decision"]["fn"]
    assert base["metrics"]["recall"]["k"] == 0 and tuned["metrics"]["accuracy"]["rate"] == 1.0
    capsys.readouterr()
    assert main(["eval", "--compare", str(loop["base"]), str(loop["tuned"])]) == 0
    out = capsys.readouterr().out
    recall_line = next(line for line in out.splitlines() if line.startswith("│ recall"))
    assert "0.0%" in recall_line and "100.0%" in recall_line and "+100.0 pt" in recall_line and "yes" in recall_line
    assert f"B fixed {calls}, broke 0" in out


def test_base_failures_become_stubs_that_validate(loop: dict[str, Any], tmp_path: Path) -> None:
    stubs = tmp_path / "bad.yaml"
    assert main(["eval", str(loop["base"]), "--export-badcases", str(stubs), "--quiet"]) == 0
    text_ = stubs.read_text(encoding="utf-8")
    failed = {i["trace_id"] for i in json.loads(loop["base"].read_text())["items"] if not i["score"]["correct"]}
    assert text_.count("\n  - id: eval-") == len(failed) > 0
    assert "failed: missed_call" in text_
    pack = tmp_path / "pack"
    for folder in ("scenarios", "tool_sims", "personas"):
        shutil.copytree(ROOT / folder, pack / folder)
    scenario_file = pack / "scenarios" / "customer_support.yaml"
    body = text_.split("\nscenarios:\n", 1)[1]
    scenario_file.write_text(scenario_file.read_text(encoding="utf-8").rstrip("\n") + "\n" + body, encoding="utf-8")
    assert main(["validate", str(scenario_file)]) == 0


def test_the_report_shows_both_evaluations(loop: dict[str, Any]) -> None:
    assert main(["report", str(loop["run"])]) == 0
    html = (loop["run"] / "report.html").read_text(encoding="utf-8")
    panel = html.split('id="eval-panel"', 1)[1].split("</details>\n", 1)[0]
    assert "openai/base" in panel and "openai/tuned" in panel and "id='eval-metrics'" in panel
    assert "<td>recall</td><td class='num'" in panel
    first_failed = next(i for i in json.loads(loop["base"].read_text())["items"] if not i["score"]["correct"])
    assert f"href='#trace={first_failed['trace_id']}'" in html


def test_eval_results_in_a_run_are_the_runs_own_files(loop: dict[str, Any], tmp_path: Path) -> None:
    """Written under the run's lock and noted in its ledger: `toolsim run --force` removes them
    with the run, and a file the user put in eval/ stays."""
    import json
    import shutil

    run = tmp_path / "copy"
    shutil.copytree(loop["run"], run)
    ledger = json.loads((run / "export" / ".written").read_text())
    assert {"eval/base.json", "eval/tuned.json"} <= set(ledger)
    (run / "eval" / "notes.md").write_text("mine")
    assert main(["run", str(ROOT / "scenarios" / "customer_support.yaml"), "--out", str(run), "--quiet",
                 "--n", "20", "--force"]) == 0
    assert sorted(p.name for p in (run / "eval").iterdir()) == ["notes.md"]
