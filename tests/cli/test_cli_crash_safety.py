"""What a kill leaves behind is recovered (issue 16): a torn last line of `traces.jsonl` no longer
blocks every resume, temporaries of a killed command are cleaned, and a dataset whose publication
was cut between two renames is detected and published again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.guard_kit import cli
from tests.pack_copy import pack_copy

RUN = ("--n", "60", "--quiet")
SPLITS = ("train", "validation", "test")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    """The pack and a finished run of it: what every test compares against."""
    base = tmp_path_factory.mktemp("crash")
    scenario = pack_copy(base) / "scenarios" / "office.yaml"
    assert cli("run", scenario, "--out", base / "clean", *RUN).code == 0
    return scenario, base / "clean"


def _killed_copy(clean: Path, to: Path, keep: int) -> Path:
    """The run as a kill after `keep` episodes left it: the manifest still `running`, half of the
    next trace line written, no verdict for it, no dataset yet."""
    to.mkdir()
    traces = (clean / "traces.jsonl").read_bytes().splitlines(keepends=True)
    verdicts = (clean / "verdicts.jsonl").read_bytes().splitlines(keepends=True)
    (to / "traces.jsonl").write_bytes(b"".join(traces[:keep]) + traces[keep][: len(traces[keep]) // 2])
    (to / "verdicts.jsonl").write_bytes(b"".join(verdicts[:keep]))
    manifest = json.loads((clean / "manifest.json").read_text())
    manifest["status"] = "running"
    manifest.pop("counts", None)
    (to / "manifest.json").write_text(json.dumps(manifest))
    (to / "pack.json").write_bytes((clean / "pack.json").read_bytes())
    (to / ".traces.jsonl.abcd1234.tmp").write_text("a temporary of the killed process")
    return to


def test_a_torn_last_trace_line_is_cut_and_the_run_resumes_to_the_same_dataset(made, tmp_path):
    scenario, clean = made
    killed = _killed_copy(clean, tmp_path / "killed", keep=20)
    assert cli("stats", killed, "--json").code == 0  # a reader skips the torn tail
    resumed = cli("run", scenario, "--out", killed, *RUN)
    assert resumed.code == 0, resumed.err  # used to be a JSONDecodeError traceback, every time
    ids = [json.loads(line)["id"] for line in (killed / "traces.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(json.loads(line)["id"] for line in (clean / "traces.jsonl").read_text().splitlines())
    for split in SPLITS:
        assert (killed / "dataset" / f"{split}.jsonl").read_bytes() == (clean / "dataset" / f"{split}.jsonl").read_bytes()
    assert not list(killed.glob("*.tmp")), "the killed process's temporary is gone"


def _half_published(run: Path) -> None:
    """A kill between the renames of a publication: a new train.jsonl beside the old splits,
    and the marker that says the set is incomplete."""
    (run / "dataset" / "train.jsonl").write_text('{"messages": []}\n')
    (run / "dataset" / ".publishing").write_text("[]")
    (run / "dataset" / ".validation.jsonl.zz99yy88.tmp").write_text("half")


@pytest.mark.parametrize("command", [["export", "RUN"], ["export", "RUN", "--format", "trl"]])
def test_a_half_published_dataset_is_detected_and_published_again(made, tmp_path, command):
    scenario, clean = made
    run = tmp_path / "run"
    assert cli("run", scenario, "--out", run, *RUN).code == 0
    _half_published(run)
    refused = cli("stats", run)
    assert refused.code == 2 and "half-published" in refused.err and "toolsim export" in refused.err
    assert cli(*[run if a == "RUN" else a for a in command]).code == 0
    assert not (run / "dataset" / ".publishing").exists()
    assert not list((run / "dataset").glob(".*.tmp"))
    for split in SPLITS:
        assert (run / "dataset" / f"{split}.jsonl").read_bytes() == (clean / "dataset" / f"{split}.jsonl").read_bytes()
    assert cli("stats", run).code == 0


def test_a_damaged_trace_line_in_the_middle_is_a_file_line_message(made, tmp_path):
    scenario, clean = made
    run = tmp_path / "run"
    assert cli("run", scenario, "--out", run, *RUN).code == 0
    lines = (run / "traces.jsonl").read_text().splitlines(keepends=True)
    lines[3] = lines[3][:40] + "\n"
    (run / "traces.jsonl").write_text("".join(lines))
    outcome = cli("stats", run)
    assert outcome.code == 2 and f"{run / 'traces.jsonl'}:4: not a JSON line" in outcome.err
