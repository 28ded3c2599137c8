"""LLM roles end to end through the CLI, over real HTTP to a fake OpenAI-compatible server on
127.0.0.1: the assistant and judge are models, the run caches, failures are recorded, and a
killed run resumes. Runs here cap --max-episodes at --n, so they are short by design and pass
--allow-short (a short run otherwise exits 4)."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from simulator.cli import main
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Reply,
    error_reply,
    text,
    tool_calls,
)

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"
ORDER = re.compile(r"ORD-\d{5}")
JUDGE_PASS = {"rationale": "Right tool, faithful arguments.", "pass": True,
              "scores": {k: 5 for k in ("right_tool", "faithful_arguments", "no_invented_values", "asks_when_missing",
                                        "grounded_answer", "persona_kept", "task_completed")}}


def role_of(body: dict) -> str:
    if body.get("response_format"):
        return "judge"
    return "assistant" if body.get("tools") else "user"


def fake_model(request) -> Reply:
    """A tiny 'model': the assistant checks the status of any order it is told about, the judge
    passes everything, the user (if asked) opens with a policy question and then stops."""
    body = request.body
    role = role_of(body)
    messages = body["messages"]
    if role == "judge":
        scores = dict(JUDGE_PASS["scores"])
        scores = {k: scores.get(k, 5) for k in body["response_format"]["json_schema"]["schema"]["properties"]["scores"]["properties"]}
        return text(json.dumps({**JUDGE_PASS, "scores": scores}))
    if role == "assistant":
        last = messages[-1]
        if last["role"] == "tool":
            return text("Here is what I found: " + str(last["content"])[:80])
        found = ORDER.findall(str(last.get("content")))
        if found:
            return tool_calls(("check_status", {"order_id": found[0]}))
        return text("Our refund policy: 30 days after delivery. Anything else?")
    said = [m for m in messages if m["role"] == "assistant"]  # role-flipped: the user's own lines
    return text("What is your refund policy?" if not said else "Thanks, that's all. ###STOP###")


@pytest.fixture
def server(fake_keys):
    with FakeOpenAIServer() as s:
        s.responder = fake_model
        yield s


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(folder))
    return folder


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_assistant_and_judge_models_then_a_cached_rerun(server, cache_dir, tmp_path):
    out = tmp_path / "run"
    args = ["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "20", "--max-episodes", "20",
            "--assistant-model", "openai/fake-model", "--judge-model", "openai/fake-judge",
            "--api-base", server.base_url, "--price-in", "1", "--price-out", "2", "--concurrency", "4"]
    assert main(args) == 0
    first_calls = server.calls
    assert first_calls > 0
    traces, verdicts = _lines(out / "traces.jsonl"), _lines(out / "verdicts.jsonl")
    assert {t["agents"]["assistant"] for t in traces} == {"openai/fake-model"}
    assert all(t["agents"]["user"] == "offline" for t in traces)
    assert any(c for t in traces for m in t["messages"] if m["role"] == "assistant" for c in m["tool_calls"])
    scored = [v for v in verdicts if v["model"]["status"] == "scored"]
    rules_rejected = [v for v in verdicts if v["model"]["status"] == "not_run"]
    assert scored and all(v["model"]["rationale"] for v in scored)
    assert all(v["decision"] == "reject" for v in rules_rejected), "rules rejections never cost a judge call"
    assert all(v["model"]["prompt_hash"] and v["model"]["model"] == "openai/fake-judge" for v in scored)
    manifest = json.loads((out / "manifest.json").read_text())
    usage = manifest["counts"]["usage"]
    assert usage["assistant"]["calls"] > 0 and usage["judge"]["calls"] == len(scored)
    assert usage["assistant"]["cost_usd"] > 0
    assert json.dumps(manifest).count("sk-fake") == 0, "no key in the run directory"

    again = tmp_path / "again"
    assert main([*args[:3], str(again), *args[4:]]) == 0
    assert server.calls == first_calls, "a rerun of the same command is served from the cache"
    for split in ("train", "validation", "test"):
        assert (again / "dataset" / f"{split}.jsonl").read_bytes() == (out / "dataset" / f"{split}.jsonl").read_bytes()


def test_every_role_a_model_with_user_defects_named(server, cache_dir, tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "12", "--max-episodes", "12",
                 "--model", "openai/fake-model", "--api-base", server.base_url, "--no-cache"]) == 0
    traces = _lines(out / "traces.jsonl")
    assert all(t["agents"]["user"] == "openai/fake-model" for t in traces)
    # a user who says "that's all" before any expected call happened is a named defect
    defects = [t for t in traces if t["termination"] == "user_defect"]
    assert defects and all("premature_stop" in t["error"] for t in defects)
    stops = [t for t in traces if t["termination"] == "user_stop"]
    assert stops, "no-tool episodes end normally after one answer"
    assert all(t["episode"]["tool"] is None for t in stops), "only no-tool episodes may end after one answer"


def test_failing_requests_are_recorded_and_the_run_goes_on(server, cache_dir, tmp_path):
    count = {"n": 0}

    def flaky(request):
        count["n"] += 1
        if role_of(request.body) == "assistant" and count["n"] % 3 == 0:
            return error_reply(500, "upstream exploded")
        return fake_model(request)

    server.responder = flaky
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "12", "--max-episodes", "12",
                 "--assistant-model", "openai/fake-model", "--api-base", server.base_url, "--retries", "0",
                 "--no-cache"]) == 0
    traces = _lines(out / "traces.jsonl")
    failed = [t for t in traces if t["termination"] == "error"]
    assert failed and all("500" in t["error"] or "server" in t["error"] for t in failed)
    assert len(traces) == 12
    assert "sk-fake" not in (out / "traces.jsonl").read_text()


@pytest.mark.slow
def test_killed_llm_run_resumes_without_duplicates(fake_keys, cache_dir, tmp_path):
    with FakeOpenAIServer(latency=0.05) as server:
        server.responder = fake_model
        out = tmp_path / "run"
        cmd = [sys.executable, "-m", "simulator.cli", "run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short",
               "--n", "40", "--max-episodes", "40", "--assistant-model", "openai/fake-model",
               "--api-base", server.base_url, "--concurrency", "4", "--no-cache"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        traces = out / "traces.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (traces.exists() and len(traces.read_text().splitlines()) >= 8):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        before = {t["id"]: t["created_at"] for t in _lines(traces)[:-1]}
        calls_before = server.calls
        assert 0 < len(before) < 40
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        after = _lines(traces)
        ids = [t["id"] for t in after]
        assert len(ids) == len(set(ids)) == 40
        assert all(t["created_at"] == before[t["id"]] for t in after if t["id"] in before)
        assert server.calls - calls_before < calls_before * 40 / len(before), "finished episodes not replayed"


def test_anthropic_assistant_through_its_own_api(fake_keys, cache_dir, tmp_path):
    from tests.fakes.anthropic_server import FakeAnthropicServer

    with FakeAnthropicServer() as server:
        out = tmp_path / "run"
        assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "4", "--max-episodes", "4",
                     "--assistant-model", "anthropic/claude-fake", "--assistant-api-base", server.url,
                     "--no-cache"]) == 0
        assert server.calls > 0
        assert all(r.path.endswith("/v1/messages") for r in server.requests)
        assert all(r.headers.get("x-api-key") == fake_keys["anthropic"] for r in server.requests)
    traces = _lines(out / "traces.jsonl")
    assert {t["agents"]["assistant"] for t in traces} == {"anthropic/claude-fake"}
    assert all(t["usage"]["assistant"]["calls"] > 0 for t in traces)
    assert all(t["termination"] != "error" for t in traces), [t["error"] for t in traces]


def test_judge_committee_votes_and_garbage_is_unscored(server, cache_dir, tmp_path):
    def committee(request):
        body = request.body
        if role_of(body) == "judge" and body["model"] == "judge-b":
            return text("I think it's fine!! {not json")  # garbage from one judge
        return fake_model(request)

    server.responder = committee
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "20", "--max-episodes", "20",
                 "--assistant-model", "openai/fake-model", "--api-base", server.base_url, "--no-cache",
                 "--judges", "openai/judge-a,openai/judge-b,openai/judge-c", "--price-in", "1", "--price-out", "1"]) == 0
    verdicts = [v for v in _lines(out / "verdicts.jsonl") if v["model"]["status"] != "not_run"]
    assert verdicts
    for v in verdicts:
        votes = v["model"]["votes"]
        assert len(votes) == 3
        assert [x["status"] for x in votes].count("unscored") == 1
        assert v["model"]["status"] == "scored" and v["model"]["agreement"] == 1.0
        assert v["decision"] == "accept"  # 2 of 3 passed: a majority
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["cost_per_accepted_example"] > 0
    assert manifest["agents"]["judge"] == "openai/judge-a, openai/judge-b, openai/judge-c"


def test_a_lone_garbage_judge_never_accepts(server, cache_dir, tmp_path):
    def garbage(request):
        if role_of(request.body) == "judge":
            return text("garbage")
        return fake_model(request)

    server.responder = garbage
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "20", "--max-episodes", "20",
                 "--assistant-model", "openai/fake-model", "--judge-model", "openai/fake-judge",
                 "--api-base", server.base_url, "--no-cache"]) == 0
    judged = [v for v in _lines(out / "verdicts.jsonl") if v["model"]["status"] != "not_run"]
    assert judged and all(v["model"]["status"] == "unscored" and v["decision"] == "reject" for v in judged)
    assert all("model_unscored" in v["reasons"] for v in judged)
    assert not json.loads((out / "selection.json").read_text())


def test_dpo_pairs_from_samples_of_one_plan(server, cache_dir, tmp_path):
    """Two samples per plan; the fake assistant answers a user line naming an order with a wrong
    tool the first time it sees that line and rightly the second time, so a plan whose samples
    share their user lines gets one rejected and one accepted sample: a preference pair. (Keyed on
    the line, not on a request counter, so episodes running side by side cannot pair up two wrong
    or two right samples.)"""
    seen: set[str] = set()
    lock = threading.Lock()

    def sometimes_wrong(request):
        body = request.body
        if role_of(body) == "assistant" and body["messages"][-1]["role"] == "user":
            line = str(body["messages"][-1].get("content"))
            found = ORDER.findall(line)
            with lock:
                first_time = line not in seen
                seen.add(line)
            if found and first_time:
                return tool_calls(("escalate_to_human", {"reason": "unsure", "order_id": found[0]}))
        return fake_model(request)

    server.responder = sometimes_wrong
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--allow-short", "--n", "30", "--max-episodes", "60",
                 "--samples-per-episode", "2", "--assistant-model", "openai/fake-model",
                 "--api-base", server.base_url, "--no-cache"]) == 0
    assert main(["export", str(out), "--format", "dpo"]) == 0
    files = [out / "export" / "dpo" / f"{split}.jsonl" for split in ("train", "validation", "test")]
    rows = [json.loads(line) for path in files if path.exists() for line in path.read_text().splitlines()]
    assert rows, "some plans have an accepted and a rejected sample"
    assert all(path.read_text().strip() for path in files if path.exists()), "no empty split file"
    planted = 0
    for row in rows:
        assert row["prompt"][0]["role"] == "system" and row["prompt"][-1]["role"] == "user"
        assert row["chosen"] != row["rejected"]
        rejected_calls = [c["function"]["name"] for m in row["rejected"] for c in m.get("tool_calls") or []]
        planted += "escalate_to_human" in rejected_calls
    assert planted, "the planted wrong call shows up on the rejected side"
