"""Run directories are owned and locked (issue 16): a scenario named `..` cannot turn the current
directory into a run for `--force` to empty, `--out` never takes over a directory toolsim did not
make, `--force` removes only toolsim's files, and one command at a time holds a run directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.guard_kit import cli, lock_held_elsewhere, snapshot
from tests.pack_copy import pack_copy

SMALL = ("--n", "4", "--max-episodes", "8", "--quiet")


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return pack_copy(tmp_path)


def _rename(pack: Path, name: str) -> Path:
    path = pack / "scenarios" / "office.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nname: office\n", f'\nname: "{name}"\n'), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["..", ".", "../escape", "a/b", "-rf", ""])
def test_a_scenario_name_that_is_not_an_identifier_is_refused_and_nothing_is_written(pack, tmp_path, monkeypatch, name):
    scenario = _rename(pack, name)
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("precious")
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    for command in (["validate", scenario], ["run", scenario, *SMALL], ["run", scenario, "--force", *SMALL]):
        outcome = cli(*command)
        assert outcome.code == 2, outcome.err
        line = scenario.read_text(encoding="utf-8").splitlines().index(f'name: "{name}"') + 1
        assert f"{scenario}:{line}: name: must be an identifier" in outcome.err
    assert snapshot(tmp_path) == before


def test_without_out_a_run_lands_in_runs_name(pack, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("run", pack / "scenarios" / "office.yaml", *SMALL).code == 0
    assert (tmp_path / "runs" / "office" / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack", "runs"]


@pytest.mark.parametrize("force", [False, True])
def test_out_on_a_directory_that_is_not_a_run_is_refused(pack, tmp_path, force):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    (mine / "data").mkdir()
    before = snapshot(tmp_path)
    outcome = cli("run", pack / "scenarios" / "office.yaml", "--out", mine, *SMALL, *(["--force"] if force else []))
    assert outcome.code == 2
    assert "not empty and not a toolsim run" in outcome.err and "Traceback" not in outcome.err
    assert snapshot(tmp_path) == before


def test_out_on_an_empty_directory_or_a_new_one_is_fine(pack, tmp_path):
    (tmp_path / "empty").mkdir()
    assert cli("run", pack / "scenarios" / "office.yaml", "--out", tmp_path / "empty", *SMALL).code == 0
    assert cli("run", pack / "scenarios" / "office.yaml", "--out", tmp_path / "new" / "deep", *SMALL).code == 0
    assert (tmp_path / "new" / "deep" / "dataset" / "train.jsonl").exists()


def test_force_on_a_run_keeps_the_files_toolsim_did_not_write(pack, tmp_path):
    scenario, out = pack / "scenarios" / "office.yaml", tmp_path / "run"
    assert cli("run", scenario, "--out", out, *SMALL).code == 0
    assert cli("export", out, "--format", "trl").code == 0
    (out / "notes.md").write_text("what I saw")
    (out / "export" / "trl" / "train_config.yaml").write_text("lr: 1e-5")
    first = (out / "dataset" / "train.jsonl").read_bytes()
    assert cli("run", scenario, "--out", out, *SMALL).code == 2  # finished: --force is needed
    assert cli("run", scenario, "--out", out, *SMALL, "--force").code == 0
    assert (out / "notes.md").read_text() == "what I saw"
    assert (out / "export" / "trl" / "train_config.yaml").read_text() == "lr: 1e-5"
    assert not (out / "export" / "trl" / "train.jsonl").exists()  # the export's own file went
    assert (out / "dataset" / "train.jsonl").read_bytes() == first  # and the run was made again


# ---------------------------------------------------------------- the lock


@pytest.fixture
def finished(pack, tmp_path) -> Path:
    out = tmp_path / "run"
    assert cli("run", pack / "scenarios" / "office.yaml", "--out", out, *SMALL).code == 0
    return out


@pytest.mark.parametrize("command", [
    ["run", "SCENARIO", "--out", "RUN", *SMALL, "--force"],
    ["export", "RUN"],
    ["export", "RUN", "--format", "sharegpt"],
    ["report", "RUN"],
    ["audit", "RUN", "--override", "ID", "--reject", "--reason", "wrong"],
])
def test_a_second_command_on_a_held_run_directory_exits_2_naming_the_holder(pack, finished, command):
    trace_id = json.loads((finished / "traces.jsonl").read_text().splitlines()[0])["id"]
    args = [{"SCENARIO": pack / "scenarios" / "office.yaml", "RUN": finished, "ID": trace_id}.get(a, a) for a in command]
    with lock_held_elsewhere(finished) as pid:
        before = {k: v for k, v in snapshot(finished).items() if k != ".lock"}
        outcome = cli(*args)
        assert outcome.code == 2
        assert f"in use by another toolsim command (pid {pid}, toolsim run)" in outcome.err
        assert {k: v for k, v in snapshot(finished).items() if k != ".lock"} == before
    assert cli(*args).code == 0  # the holder is gone: the same command now runs


def test_reading_commands_do_not_wait_for_the_lock(finished):
    with lock_held_elsewhere(finished):
        assert cli("stats", finished, "--json").code == 0
        assert cli("audit", finished, "--limit", "2").code == 0


@pytest.mark.slow
def test_two_runs_started_on_one_directory_make_one_run(pack, tmp_path):
    """Both used to exit 0 with 2,056 trace lines for 1,031 ids. Now the second exits 2 while the
    first holds the directory, and every id is written once."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "simulator.cli", "run", str(pack / "scenarios" / "customer_support.yaml"),
               "--out", str(out), "--n", "1500", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    while not (out / ".lock").exists() and first.poll() is None:
        time.sleep(0.01)  # the first has made the directory and holds (or is taking) its lock
    second = subprocess.run(command, stderr=subprocess.PIPE, text=True, env=env)
    assert first.wait() == 0, first.stderr.read()
    assert second.returncode == 2, second.stderr
    if "holds a finished run" in second.stderr:
        pytest.skip("the first run finished before the second reached the lock")
    assert "in use by another toolsim command" in second.stderr
    ids = [json.loads(line)["id"] for line in (out / "traces.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)) > 0
