"""Faults lose nothing and duplicate nothing: a worker process killed mid-batch (SIGKILL) and a Ray
actor killed mid-batch (`ray.kill`) have their unfinished episodes played by another worker; a
runner killed with `kill -9` takes its workers with it, and the rerun resumes — every trace on
disk before the kill is kept, none is played twice, and the dataset is the uninterrupted run's."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from simulator.run.executors import ExecutorOptions
from simulator.run.runner import Runner, RunOptions
from tests.run.executor_kit import PACKS, ROOT, dataset, run, trace_ids

pytestmark = pytest.mark.slow
N = 400
LIMIT = 300  # seconds: a hung run fails the test instead of the whole session


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    run(PACKS["customer_support"], out, n=N, seed=3)
    return out


def killer(runner_box, kill, at=(60,)):
    """A progress hook that, once each of `at` episodes are written, kills the worker holding the
    most episodes in flight."""
    done = []

    def progress(finished, planned):
        executor = runner_box[0].executor
        if len(done) == len(at) or finished < at[len(done)] or executor is None:
            return
        worker = max(executor.workers, key=lambda w: len(w.in_flight) if w.alive else -1)
        if len(worker.in_flight) >= 4:
            done.append(list(worker.in_flight))
            kill(worker)

    return progress, done


def assert_nothing_lost_nor_doubled(out, result, reference):
    ids = trace_ids(out)
    assert len(ids) == len(set(ids)) == result.episodes, "every episode once"
    assert dataset(out) == dataset(reference)


def _run_with_kill(tmp_path, reference, kind, kill, at=(60,)):
    box = []
    progress, killed = killer(box, kill, at)
    options = RunOptions(out=tmp_path, n=N, seed=3, executor=ExecutorOptions(kind=kind, workers=2, batch_size=32))
    box.append(Runner(PACKS["customer_support"], options, progress=progress))
    result = asyncio.run(box[0].run())
    described = box[0].executor.describe()
    assert len(killed) == len(at), "a worker was killed mid-batch, each time"
    assert described["workers_lost"] == len(at) and described["workers"] == 2, "and replaced"
    # What each held when killed, and what it was sent before its end was noticed: a batch at most.
    assert len(at) <= described["episodes_retried"] <= 32 * len(at)
    assert_nothing_lost_nor_doubled(tmp_path, result, reference)


def test_killed_worker_processes_have_their_batches_played_by_others(tmp_path, reference):
    """Killed twice: the second time, maybe the replacement of the first."""
    _run_with_kill(tmp_path, reference, "processes", lambda w: os.kill(w.handle.pid, signal.SIGKILL), at=(60, 200))


def test_a_killed_ray_actor_has_its_batch_played_by_another(ray_cluster, tmp_path, reference):
    _run_with_kill(tmp_path, reference, "ray", lambda w: ray_cluster.kill(w.handle))


# ---------------------------------------------------------------- the runner killed


def _toolsim(out: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "simulator.cli", "run", str(ROOT / "scenarios" / "customer_support.yaml"),
            "--out", str(out), "--n", "2000", "--seed", "5", "--quiet", *flags]


def _kill_runner_midway(out: Path, flags: list[str], lines: int) -> tuple[list[str], list[psutil.Process]]:
    runner = subprocess.Popen(_toolsim(out, *flags), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    traces = out / "traces.jsonl"
    deadline = time.monotonic() + LIMIT
    while not (traces.exists() and traces.read_bytes().count(b"\n") >= lines):
        assert runner.poll() is None, f"the run ended before it could be killed: {runner.stderr.read()!r}"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    workers = psutil.Process(runner.pid).children(recursive=True)
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    runner.stderr.close()
    return trace_ids(out), workers


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The run the killed ones must end up as: the same command, in process, never interrupted."""
    out = tmp_path_factory.mktemp("clean") / "run"
    assert subprocess.run(_toolsim(out), cwd=ROOT, capture_output=True, timeout=LIMIT).returncode == 0
    return out


def test_a_runner_killed_with_kill_9_takes_its_workers_along_and_resumes_without_loss_or_double(clean, tmp_path):
    killed = tmp_path / "killed"
    before, workers = _kill_runner_midway(killed, ["--workers", "2"], lines=200)
    assert len(workers) == 2
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "no worker outlives its runner"
    assert subprocess.run(_toolsim(killed, "--workers", "2"), cwd=ROOT, capture_output=True, timeout=LIMIT).returncode == 0
    after = trace_ids(killed)
    assert len(after) == len(set(after)), "no episode played twice"
    kept = [i for i in before if i]  # a line torn by the kill is cut on resume
    assert set(kept[:-1]) <= set(after) and after[:len(kept) - 1] == kept[:-1], "every trace on disk was kept"
    manifest = (killed / "manifest.json").read_text()
    assert '"status": "finished"' in manifest
    assert dataset(killed) == dataset(clean)


def test_a_ray_runner_killed_with_kill_9_resumes_without_loss_or_double(ray_cluster, clean, tmp_path):
    """The runner joins the tests' Ray cluster (as `--ray-address auto` joins `ray start --head`'s)."""
    killed = tmp_path / "killed"
    flags = ["--ray-address", ray_cluster.get_runtime_context().gcs_address]
    before, _ = _kill_runner_midway(killed, flags, lines=200)
    deadline = time.monotonic() + LIMIT  # Ray reclaims the killed run's actors (and their CPUs)
    while ray_cluster.available_resources().get("CPU", 0) < 2:
        assert time.monotonic() < deadline, "Ray did not reclaim the killed run's actors"
        time.sleep(0.1)
    done = subprocess.run(_toolsim(killed, *flags), cwd=ROOT, capture_output=True, text=True, timeout=LIMIT)
    assert done.returncode == 0, done.stderr
    after = trace_ids(killed)
    assert len(after) == len(set(after)), "no episode played twice"
    assert after[:len(before) - 1] == before[:-1], "every trace on disk was kept"
    assert dataset(killed) == dataset(clean)
