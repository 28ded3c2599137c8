"""Run directory: torn lines cut on reopen, finished runs protected, resume fingerprint checked."""

from pathlib import Path

import pytest

from simulator.core.errors import InputError
from simulator.core.records import RuleCheck, Verdict
from simulator.core.run_files import note_written_files
from simulator.core.rundir import JsonlAppender, RunDir, RunExistsError, iter_jsonl, resolve_run


def _verdict(i):
    return Verdict(trace_id=f"t{i}", checks=[RuleCheck(name="x", passed=True)], decision="accept")


def test_torn_last_line_is_cut_on_reopen(tmp_path):
    path = tmp_path / "v.jsonl"
    w = JsonlAppender(path)
    w.write(_verdict(1))
    w.write(_verdict(2))
    w.close()
    with path.open("a") as f:
        f.write('{"trace_id": "t3", "chec')  # kill -9 mid-write
    w = JsonlAppender(path)
    w.write(_verdict(4))
    w.close()
    assert [r["trace_id"] for r in iter_jsonl(path)] == ["t1", "t2", "t4"]


def test_records_are_flushed_before_close(tmp_path):
    path = tmp_path / "v.jsonl"
    w = JsonlAppender(path)
    w.write(_verdict(1))
    assert [r["trace_id"] for r in iter_jsonl(path)] == ["t1"]  # visible without close
    w.close()


def test_finished_run_needs_force(tmp_path):
    run = RunDir(tmp_path / "run")
    assert run.prepare(force=False, fingerprint="f") is False
    run.write_manifest({"name": "r", "status": "finished", "fingerprint": "f"})
    with pytest.raises(RunExistsError, match="--force"):
        run.prepare(force=False, fingerprint="f")
    assert run.prepare(force=True, fingerprint="f") is False
    assert not run.manifest_path.exists()


def test_unfinished_run_resumes_only_with_same_settings(tmp_path):
    run = RunDir(tmp_path / "run")
    run.prepare(force=False, fingerprint="f")
    run.write_manifest({"name": "r", "status": "running", "fingerprint": "f"})
    assert run.prepare(force=False, fingerprint="f") is True
    with pytest.raises(RunExistsError, match="different settings"):
        run.prepare(force=False, fingerprint="g")


def test_foreign_directory_is_not_clobbered(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(RunExistsError, match="not a toolsim run"):
        RunDir(tmp_path / "run").prepare(force=False, fingerprint="f")


# ---------------------------------------------------------------- ownership (issue 16)


def _finished_run(path):
    run = RunDir(path)
    run.prepare(force=False, fingerprint="f")
    run.write_manifest({"name": "r", "status": "finished", "fingerprint": "f"})
    for name in ("pack.json", "traces.jsonl", "verdicts.jsonl", "selection.json", "report.html"):
        (path / name).write_text("{}\n")
    (path / "dataset").mkdir()
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "README.md"):
        (path / "dataset" / name).write_text("x\n")
    return run


def test_force_removes_only_the_files_toolsim_writes(tmp_path):
    run = _finished_run(tmp_path / "run")
    (tmp_path / "run" / "notes.txt").write_text("mine")
    (tmp_path / "run" / "dataset" / "my_analysis.ipynb").write_text("mine too")
    (tmp_path / "run" / "export" / "trl").mkdir(parents=True)
    (tmp_path / "run" / "export" / "trl" / "train.jsonl").write_text("x\n")
    (tmp_path / "run" / "export" / "trl" / "train_config.yaml").write_text("mine as well")
    note_written_files(run.path, [run.path / "export" / "trl" / "train.jsonl"])
    assert run.prepare(force=True, fingerprint="f") is False
    left = sorted(str(p.relative_to(run.path)) for p in run.path.rglob("*"))
    assert left == ["dataset", "dataset/my_analysis.ipynb", "export", "export/trl",
                    "export/trl/train_config.yaml", "notes.txt"]


def test_force_removes_emptied_folders_toolsim_made(tmp_path):
    run = _finished_run(tmp_path / "run")
    (tmp_path / "run" / "export" / "dpo").mkdir(parents=True)
    (tmp_path / "run" / "export" / "dpo" / "train.jsonl").write_text("x\n")
    note_written_files(run.path, [run.path / "export" / "dpo" / "train.jsonl"])
    run.prepare(force=True, fingerprint="f")
    assert sorted(p.name for p in run.path.iterdir()) == []


def test_force_never_clears_a_directory_that_is_not_a_run(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("years of work")
    with pytest.raises(RunExistsError, match="not empty and not a toolsim run"):
        RunDir(tmp_path / "home").prepare(force=True, fingerprint="f")
    assert (tmp_path / "home" / "thesis.tex").read_text() == "years of work"


def test_a_web_apps_manifest_does_not_make_a_run(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "manifest.json").write_text('{"name": "app", "start_url": "/"}')
    with pytest.raises(RunExistsError, match="not a toolsim run"):
        RunDir(tmp_path / "site").prepare(force=True, fingerprint="f")
    assert (tmp_path / "site" / "manifest.json").exists()


def test_a_file_is_not_a_run_directory(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(RunExistsError, match="is a file"):
        RunDir(tmp_path / "f").check_claimable()


def test_a_directory_holding_only_the_lock_and_temporaries_of_a_killed_start_is_claimable(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".lock").write_text("123 run\n")
    (tmp_path / "run" / ".manifest.json.ab12cd_3.tmp").write_text("{")
    RunDir(tmp_path / "run").check_claimable()


def test_names_resolve_inside_runs_only(tmp_path, monkeypatch):
    _finished_run(tmp_path / "runs" / "mine")
    (tmp_path / "manifest.json").write_text('{"name": "decoy", "status": "finished"}')  # runs/.. is a run
    monkeypatch.chdir(tmp_path / "runs" / "mine")
    assert resolve_run(".").path == Path(".")  # a path on the command line is taken as given
    monkeypatch.chdir(tmp_path)
    assert resolve_run("mine").path == Path("runs") / "mine"
    with pytest.raises(InputError, match="no run here"):
        resolve_run("..")  # a name is never looked up as runs/.. (that is runs/ itself)


# ---------------------------------------------------------------- torn tails and temporaries


def test_resume_cuts_the_torn_tails_before_anything_reads(tmp_path):
    run = RunDir(tmp_path / "run")
    run.prepare(force=False, fingerprint="f")
    run.write_manifest({"name": "r", "status": "running", "fingerprint": "f"})
    w = JsonlAppender(run.verdicts_path)
    w.write(_verdict(1))
    w.close()
    with run.verdicts_path.open("a") as f:
        f.write('{"trace_id": "t2", "che')  # the kill, or a full disk, landed mid-line
    assert [r["trace_id"] for r in iter_jsonl(run.verdicts_path)] == ["t1"]  # a reader skips it
    assert run.prepare(force=False, fingerprint="f") is True
    assert run.verdicts_path.read_text().endswith("\n")
    assert [r["trace_id"] for r in iter_jsonl(run.verdicts_path)] == ["t1"]


def test_a_damaged_line_in_the_middle_is_a_file_line_problem(tmp_path):
    path = tmp_path / "v.jsonl"
    path.write_text('{"a": 1}\n{"a": \n{"a": 3}\n')
    with pytest.raises(InputError) as caught:
        list(iter_jsonl(path))
    assert str(caught.value) == f"{path}:2: not a JSON line (the file was edited or damaged)"


def test_a_failed_append_is_cut_back_off(tmp_path, monkeypatch):
    """A full disk mid-record: the part that made it to disk is truncated away."""
    import errno
    import os as real_os

    path = tmp_path / "v.jsonl"
    w = JsonlAppender(path)
    w.write(_verdict(1))
    good = path.read_bytes()

    def short_then_full(fd, data):
        real_os.write(fd, bytes(data[:20]))  # a partial write...
        raise OSError(errno.ENOSPC, "No space left on device")  # ...then the disk is full

    monkeypatch.setattr("simulator.core.rundir.write_all", short_then_full)
    with pytest.raises(OSError) as caught:
        w.write(_verdict(2))
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    monkeypatch.undo()
    assert path.read_bytes() == good
    w.write(_verdict(3))
    w.close()
    assert [r["trace_id"] for r in iter_jsonl(path)] == ["t1", "t3"]


def test_temporaries_of_a_crashed_command_are_removed_under_the_lock(tmp_path):
    run = _finished_run(tmp_path / "run")
    stale = [run.path / ".manifest.json.k3j_x9ab.tmp", run.path / "dataset" / ".train.jsonl.q1w2e3r4.tmp"]
    for path in stale:
        path.write_text("half")
    mine = run.path / ".notes.tmp"  # not an atomic_write name: not toolsim's
    mine.write_text("mine")
    with run.locked("export"):
        assert not any(p.exists() for p in stale)
    assert mine.exists()


def test_a_locked_command_starts_from_whole_lines(tmp_path):
    """`toolsim export` of a run a kill interrupted must not trip over the torn line."""
    run = _finished_run(tmp_path / "run")
    run.traces_path.write_text('{"id": "a"}\n{"id": "b", "mess')
    with run.locked("export"):
        assert run.traces_path.read_text() == '{"id": "a"}\n'


def test_a_batch_of_lines_is_one_write_and_a_full_disk_keeps_whole_lines_only(tmp_path, monkeypatch):
    """`write_lines` appends a batch in one write; when that write fails part-way, the batch is cut
    back and its lines go one at a time, so the lines that fit land whole and none is torn."""
    import errno
    import os as real_os

    path = tmp_path / "v.jsonl"
    lines = [f'{{"trace_id": "t{i}"}}' for i in range(1, 4)]
    writes: list[int] = []

    def counted(fd, data):
        writes.append(len(data))
        real_os.write(fd, bytes(data))

    monkeypatch.setattr("simulator.core.rundir.write_all", counted)
    w = JsonlAppender(path)
    w.write_lines(lines)
    assert len(writes) == 1 and [r["trace_id"] for r in iter_jsonl(path)] == ["t1", "t2", "t3"]

    cap = path.stat().st_size + len(lines[0]) + 1 + 5  # the disk takes one more line and a few bytes

    def until_full(fd, data):
        granted = max(0, min(len(data), cap - real_os.fstat(fd).st_size))
        real_os.write(fd, bytes(data[:granted]))
        if granted < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("simulator.core.rundir.write_all", until_full)
    with pytest.raises(OSError) as caught:
        w.write_lines([f'{{"trace_id": "u{i}"}}' for i in range(1, 4)])
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    monkeypatch.undo()
    w.close()
    assert [r["trace_id"] for r in iter_jsonl(path)] == ["t1", "t2", "t3", "u1"]
