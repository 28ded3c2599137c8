"""A run killed with SIGKILL resumes: no episode lost, none duplicated, none simulated twice,
and the final dataset is byte-identical to an uninterrupted run's."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"
N = "3000"


def _start(out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "run", str(SCENARIO), "--out", str(out), "--n", N, "--quiet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_kill_9_then_rerun_finishes_exactly(tmp_path):
    out = tmp_path / "killed"
    proc = _start(out)
    traces = out / "traces.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if traces.exists() and traces.stat().st_size > 200_000:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert not (out / "dataset" / "train.jsonl").exists(), "no dataset file before the run finished"
    before = {}
    for line in traces.read_text().splitlines():
        try:
            t = json.loads(line)
        except ValueError:
            continue  # the torn line the kill left behind
        before[t["id"]] = t["created_at"]
    assert before

    rerun = _start(out)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read().decode()
    after = _lines(traces)
    ids = [t["id"] for t in after]
    assert len(ids) == len(set(ids)), "no duplicated episode"
    for t in after:  # finished episodes were not simulated again
        if t["id"] in before:
            assert t["created_at"] == before[t["id"]]
    verdict_ids = [v["trace_id"] for v in _lines(out / "verdicts.jsonl")]
    assert sorted(verdict_ids) == sorted(ids)

    clean = tmp_path / "clean"
    proc = _start(clean)
    assert proc.wait(timeout=300) == 0
    assert sorted(t["id"] for t in _lines(clean / "traces.jsonl")) == sorted(ids), "no missing episode"
    for split in ("train", "validation", "test"):
        assert (out / "dataset" / f"{split}.jsonl").read_bytes() == (clean / "dataset" / f"{split}.jsonl").read_bytes()
