"""Runs for the report's Statistics panel.

`stats_sample`: the audit sample run (tests/audit/sample_run.py) made to look curated and paid for —
a dataset with tool schemas (so argument coverage knows required from optional parameters), three
splits, dedupe counts, a cell short of target, and model usage with tokens and cost.
`real_run`: the customer-support scenario run end to end, offline (no model, no cost).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.review.audit.sample_run import SampleRun, write_sample_run

ROOT = Path(__file__).resolve().parents[3]


def _function(name: str, properties: list[str], required: list[str]) -> dict:
    return {"type": "function", "function": {"name": name, "description": name, "parameters": {
        "type": "object", "required": required, "properties": {p: {"type": "string"} for p in properties}}}}


TOOLS = [
    _function("initiate_refund", ["order_id", "reason", "amount"], ["order_id"]),
    _function("lookup_order", ["order_id", "email"], []),
]
SPLITS = {"accepted": "train", "model_passed": "validation", "overridden": "test"}
USAGE = {
    "user": {"calls": 2, "input_tokens": 300, "output_tokens": 40, "cost_usd": 0.0012, "cached_calls": 1},
    "assistant": {"calls": 3, "input_tokens": 900, "output_tokens": 120, "cost_usd": 0.0045, "cached_calls": 0},
}


def write_stats_sample(path: Path) -> SampleRun:
    sample = write_sample_run(path)
    run = sample.run
    selection = {sample.ids[role]: split for role, split in SPLITS.items()}
    (run.path / "selection.json").write_text(json.dumps(selection), encoding="utf-8")
    run.dataset_dir.mkdir(parents=True, exist_ok=True)
    (run.dataset_dir / "train.jsonl").write_text(json.dumps({"messages": [], "tools": TOOLS}) + "\n", encoding="utf-8")
    manifest = run.read_manifest()
    manifest["counts"] = {"duplicates_removed": 3, "near_duplicates_removed": 2, "short": {"category:hard": 4},
                          "balance": {"counts": {"initiate_refund": 1}, "mean": 1.0, "tolerance": 0.3,
                                      "within": {"initiate_refund": True}, "balanced": True}}
    run.write_manifest(manifest)
    traces = [json.loads(line) for line in run.traces_path.read_text(encoding="utf-8").splitlines()]
    for trace in traces:
        trace["usage"] = USAGE
    run.traces_path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in traces), encoding="utf-8")
    return sample


@pytest.fixture
def stats_sample(tmp_path) -> SampleRun:
    return write_stats_sample(tmp_path / "stats-run")


@pytest.fixture(scope="session")
def real_run(tmp_path_factory) -> Path:
    """`toolsim run scenarios/customer_support.yaml`, offline, into a temporary directory."""
    from simulator.cli import main

    out = tmp_path_factory.mktemp("real") / "run"
    assert main(["run", str(ROOT / "scenarios" / "customer_support.yaml"), "--out", str(out), "--quiet"]) == 0
    return out
