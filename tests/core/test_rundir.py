"""Run directory: torn lines cut on reopen, finished runs protected, resume fingerprint checked."""

import pytest

from simulator.core.records import RuleCheck, Verdict
from simulator.core.rundir import JsonlAppender, RunDir, RunExistsError, iter_jsonl


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
