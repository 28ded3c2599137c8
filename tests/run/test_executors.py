"""Where episodes are played does not change the data: in process, in worker processes (forked or
started afresh) and on Ray actors, the same seed gives byte-identical dataset files and the same
verdict for every episode — offline, for packs with Python sims, schema-only tools and Chinese
personas, and for model runs over HTTP (a toy model behind a fake server, replies in random
order), where `--rpm` is paced by the runner for every worker and the cache is the worker's."""

from __future__ import annotations

import shutil

import pytest

from simulator.cli import main
from simulator.run.executors.pool import WorkerError
from simulator.simulate.agents.factory import AgentSettings
from simulator.spec.models import ModelSettings
from tests.run.executor_kit import PACKS, dataset, run, trace_ids, verdict_lines

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    """Each pack's in-process run: what every executor must reproduce."""
    out = {}
    for name, pack in PACKS.items():
        runner = run(pack, tmp_path_factory.mktemp(name), n=60, seed=11)
        assert runner.executor.describe()["executor"] == "inprocess"
        out[name] = runner
    return out


@pytest.mark.parametrize("name", sorted(PACKS))
def test_two_worker_processes_write_the_same_dataset(in_process, tmp_path, name):
    runner = run(PACKS[name], tmp_path, workers=2, n=60, seed=11, batch_size=8)
    reference = in_process[name].options.out
    described = runner.executor.describe()
    assert (described["executor"], described["workers"], described["workers_lost"]) == ("processes", 2, 0)
    assert runner.result.accepted > 0 and runner.result.episodes == in_process[name].result.episodes
    assert dataset(tmp_path) == dataset(reference)
    assert verdict_lines(tmp_path) == verdict_lines(reference)
    assert sorted(trace_ids(tmp_path)) == sorted(trace_ids(reference))


def test_workers_started_afresh_load_the_pack_and_write_the_same_dataset(in_process, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLSIM_WORKER_START", "spawn")
    runner = run(PACKS["customer_support"], tmp_path, workers=2, n=60, seed=11)
    assert runner.executor.describe()["start"] == "spawn"
    assert dataset(tmp_path) == dataset(in_process["customer_support"].options.out)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_ray_actors_write_the_same_dataset(ray_cluster, in_process, tmp_path, name):
    runner = run(PACKS[name], tmp_path, kind="ray", n=60, seed=11, batch_size=8)
    described = runner.executor.describe()
    assert (described["executor"], described["workers"]) == ("ray", 2), "one actor per CPU of the cluster"
    assert dataset(tmp_path) == dataset(in_process[name].options.out)
    assert verdict_lines(tmp_path) == verdict_lines(in_process[name].options.out)


def test_a_worker_that_reads_another_pack_stops_the_run_before_anything_is_written(tmp_path, monkeypatch, capsys):
    """A worker started afresh loads the scenario file itself; if it no longer holds the pack the
    runner loaded (edited since, another version on a Ray node), the run stops and says so."""
    from simulator.load.loader import load_pack

    source = PACKS["smart_home"].path
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    for f in source.parent.glob("smart_home*"):
        (pack_dir / f.name).write_bytes(f.read_bytes())
    personas = source.parent.parent / "personas"
    shutil.copytree(personas, tmp_path / "personas")  # references stay inside the pack folder
    pack = load_pack(pack_dir / "smart_home.yaml")
    edited = (pack_dir / "smart_home.system.md").read_text() + "\nAlways answer in haiku.\n"
    (pack_dir / "smart_home.system.md").write_text(edited)
    monkeypatch.setenv("TOOLSIM_WORKER_START", "spawn")
    with pytest.raises(WorkerError, match="is not the pack the runner loaded"):
        run(pack, tmp_path / "run", workers=2, n=20)
    assert not (tmp_path / "run").exists()
    # The command line says so in one line (the runner's digest differs from the workers' here).
    monkeypatch.setattr("simulator.run.executors.choice.pack_digest", lambda pack: "not-this-pack")
    assert main(["run", str(pack_dir / "smart_home.yaml"), "--out", str(tmp_path / "cli"), "--workers", "2",
                 "--n", "20", "--quiet"]) == 1
    assert "is not the pack the runner loaded" in capsys.readouterr().err
    assert not (tmp_path / "cli").exists()


# ---------------------------------------------------------------- model runs over HTTP


def model_run(server, out, **options):
    model = ModelSettings(model="openai/toy", api_base=server.base_url, retries=0)
    return run(PACKS["customer_support"], out, n=24, max_episodes=72,
               agents=AgentSettings(models={"user": model, "assistant": model}), **options)


def test_model_runs_write_the_same_dataset_on_every_executor(server, ray_cluster, tmp_path):
    one = model_run(server, tmp_path / "one", concurrency=6)
    two = model_run(server, tmp_path / "two", workers=2, concurrency=12)
    actors = model_run(server, tmp_path / "ray", kind="ray", concurrency=12)
    assert one.result.episodes > 24 and one.result.accepted > 0, "rejections were refilled"
    assert dataset(tmp_path / "one") == dataset(tmp_path / "two") == dataset(tmp_path / "ray")
    assert one.result.episodes == two.result.episodes == actors.result.episodes


def test_rpm_is_the_runs_and_each_worker_uses_the_machines_cache(server, tmp_path):
    cache = tmp_path / "cache.sqlite"
    first = model_run(server, tmp_path / "first", workers=2, concurrency=8, rpm=60_000, cache_path=cache)
    calls = server.calls
    assert first.executor.paced == calls > 0, "every call's start was asked of the runner's one rate"
    again = model_run(server, tmp_path / "again", workers=2, concurrency=8, rpm=60_000, cache_path=cache)
    assert server.calls == calls, "the workers answered from the cache they share on this machine"
    assert again.executor.paced == 0
    assert dataset(tmp_path / "first") == dataset(tmp_path / "again")
