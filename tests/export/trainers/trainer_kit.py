"""Shared by the trainer compatibility tests: the two runs, their exports, the environments and
the probe that loads an export in an environment the way a trainer does.

Environments: `main` is the interpreter running pytest (with `.[trainers]`: TRL 1.x, datasets
5.x). The others are virtual environments `.ci/trainer-envs` builds under `.ci-trainers/<name>/`
(or named in `TOOLSIM_TRAINER_ENVS=lf=/path/bin/python,...`):

- `lf`: LLaMA-Factory 0.9.5 with what it pins — datasets 4.0.0, TRL 0.24.0, transformers 5.6.0;
- `trl024`: TRL 0.24.0 with datasets 4.8.5;
- `ds48`: TRL 1.x with datasets 4.8.5;
- `lf5`: LLaMA-Factory 0.9.5's data pipeline on the main environment (datasets 5.x), past its
  version check (its pin stops at datasets 4.0.0).

A test whose environment or packages are missing is skipped — unless
`TOOLSIM_REQUIRE_TRAINERS=1` (set by `.ci/run`), where it fails: CI never passes by skipping these.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = Path(__file__).resolve().parent / "probe.py"
SPLITS = ("train", "validation", "test")
RUNS = {"customer_support": ROOT / "scenarios" / "customer_support.yaml", "travel": ROOT / "scenarios" / "travel.yaml"}
REQUIRED = os.environ.get("TOOLSIM_REQUIRE_TRAINERS") == "1"


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"TOOLSIM_REQUIRE_TRAINERS=1 but {reason}")
    pytest.skip(reason)


def environments() -> dict[str, str]:
    found = {"main": sys.executable}
    for name in ("lf", "trl024", "ds48", "lf5"):
        python = ROOT / ".ci-trainers" / name / "bin" / "python"
        if python.exists():
            found[name] = str(python)
    for item in filter(None, os.environ.get("TOOLSIM_TRAINER_ENVS", "").split(",")):
        name, _, python = item.partition("=")
        found[name.strip()] = python.strip()
    return found


def python_of(env: str) -> str:
    python = environments().get(env)
    if python is None or not Path(python).exists():
        unavailable(f"trainer environment {env!r} is not prepared (run .ci/trainer-envs)")
    return python


def canonical(run: Path, split: str) -> list[dict]:
    path = run / "dataset" / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def probe(env: str, jobs: list[dict], tmp_path: Path) -> dict:
    """Run probe.py with `jobs` in environment `env` (one process for all of them); its answer:
    `{"versions": {...}, "results": [rows per input, for each job]}`."""
    python = python_of(env)
    job_path, out_path = tmp_path / f"jobs-{env}.json", tmp_path / f"out-{env}.json"
    job_path.write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    done = subprocess.run([python, str(PROBE), str(job_path), str(out_path)], capture_output=True, text=True,
                          timeout=1800, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, f"probe failed in {env}:\n{done.stderr[-4000:]}"
    return json.loads(out_path.read_text(encoding="utf-8"))


def batched(make_jobs):
    """A cache of one probe run per environment: `get(env)` runs every job `make_jobs(env)`
    gives, once, and returns (versions, {job key: rows per input})."""
    results: dict[str, tuple[dict, dict]] = {}

    def get(env: str, tmp_path: Path):
        if env not in results:
            jobs = make_jobs(env)
            answer = probe(env, [job for _, job in jobs], tmp_path)
            results[env] = (answer["versions"], {key: rows for (key, _), rows in zip(jobs, answer["results"])})
        return results[env]

    return get


def first_difference(a: str, b: str, context: int = 160) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at {index}:\n  got:    {a[max(0, index - context):index + context]!r}\n  native: {b[max(0, index - context):index + context]!r}"
