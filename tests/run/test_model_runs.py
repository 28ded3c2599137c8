"""Model runs end to end over HTTP (a toy model behind the fake server, replies in a random order):
the dataset does not depend on concurrency or arrival order, a cached rerun makes no request and
writes the same bytes, and a run interrupted mid-way resumes to the uninterrupted run's dataset."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from simulator.load.loader import load_pack
from simulator.run.runner import Runner, RunOptions
from simulator.simulate.agents.factory import AgentSettings
from simulator.spec.models import ModelSettings

ROOT = Path(__file__).resolve().parents[2]
PACK = load_pack(ROOT / "scenarios" / "customer_support.yaml")
SPLITS = ("train", "validation", "test")

pytestmark = pytest.mark.slow


def run(server, out, *, concurrency, cache=None, progress=None):
    model = ModelSettings(model="openai/toy", api_base=server.base_url, retries=0)
    options = RunOptions(out=out, n=24, max_episodes=72, concurrency=concurrency, cache_path=cache,
                         agents=AgentSettings(models={"user": model, "assistant": model}))
    return asyncio.run(Runner(PACK, options, progress=progress).run())


def dataset(out):
    return [(out / "dataset" / f"{split}.jsonl").read_bytes() for split in SPLITS] + [(out / "selection.json").read_bytes()]


def test_concurrency_and_arrival_order_do_not_change_the_dataset(server, tmp_path):
    one = run(server, tmp_path / "one", concurrency=1)
    many = run(server, tmp_path / "many", concurrency=12)
    assert one.accepted > 0 and one.episodes > 24, "rejections were refilled"
    assert dataset(tmp_path / "one") == dataset(tmp_path / "many")
    assert one.episodes == many.episodes


def test_a_cached_rerun_makes_no_request_and_writes_the_same_bytes(server, tmp_path):
    cache = tmp_path / "cache.sqlite"
    run(server, tmp_path / "first", concurrency=12, cache=cache)
    calls = server.calls
    run(server, tmp_path / "again", concurrency=5, cache=cache)
    assert server.calls == calls
    assert dataset(tmp_path / "first") == dataset(tmp_path / "again")


def test_an_interrupted_model_run_resumes_to_the_same_dataset(server, tmp_path):
    def interrupt(finished, planned):
        if finished == 30:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(server, tmp_path / "killed", concurrency=8, progress=interrupt)
    on_disk = (tmp_path / "killed" / "traces.jsonl").read_text().count("\n")
    assert 0 < on_disk < 72
    resumed = run(server, tmp_path / "killed", concurrency=8)
    run(server, tmp_path / "clean", concurrency=3)
    assert resumed.resumed
    ids = [line.split('"', 4)[3] for line in (tmp_path / "killed" / "traces.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)), "no episode played twice"
    assert dataset(tmp_path / "killed") == dataset(tmp_path / "clean")
