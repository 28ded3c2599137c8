"""A run whose targets are unmet exits 4 (0 with --allow-short) and names why: every cause with a
count and an example trace, and the budget or limit that stopped it. A scenario whose episodes
all crash stops the run early with its file:line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from simulator.cli import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "clinic"
PY = "scenarios/clinic.yaml"


@pytest.fixture
def clinic(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "clinic"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    return root


def _edit(root: Path, file: str, old: str, new: str) -> None:
    text = (root / file).read_text()
    assert text.count(old) == 1
    (root / file).write_text(text.replace(old, new))


@pytest.mark.slow
def test_a_short_run_exits_3_and_names_every_cause_with_an_example(clinic, capsys):
    _edit(clinic, PY, "doctors.0.doctor_id}", "doctors.0.id}")  # every find-then-book is rejected
    assert main(["run", PY, "--out", "runs/r"]) == 4
    captured = capsys.readouterr()
    out = " ".join(captured.out.split())
    assert "short of target: book_appointment needs 10 more" in out
    assert re.search(r"stopped by: no progress: (a round of \d+ episodes had none accepted|two rounds)", out)
    found = re.search(r"(\d+) rejected by expected_calls \(book_appointment \d+\) missing book_appointment: no such "
                      r"call e\.g\. (\S+)", out)
    assert found, out
    traces = {json.loads(line)["id"] for line in (clinic / "runs/r/traces.jsonl").read_text().splitlines()}
    assert found.group(2) in traces  # the example is a real trace: `toolsim audit RUN --show ID`
    assert "short of target" in captured.err and "exit 4" in captured.err and "--allow-short" in captured.err
    counts = json.loads((clinic / "runs/r/manifest.json").read_text())["counts"]
    assert counts["stopped_by"] == "no progress" and counts["stopped_by"] != "targets met"
    cause = next(c for c in counts["causes"] if c["name"] == "expected_calls")
    assert cause["count"] == int(found.group(1)) and cause["cells"] == {"book_appointment": cause["count"]}
    assert main(["run", PY, "--out", "runs/r2", "--quiet", "--allow-short"]) == 0


def test_a_scenario_whose_episodes_all_crash_stops_the_run_with_its_line(clinic, capsys):
    _edit(clinic, "tool_sims/clinic.py", 'for d in ctx.state["doctors"] if', 'for d in ctx.state["doctor"] if')
    assert main(["run", PY, "--out", "runs/r", "--quiet"]) == 4
    err = capsys.readouterr().err
    stopped = re.search(r"^scenarios/clinic\.yaml:(\d+): scenarios\[(\d)\] '(\w+)': the run stopped early: every one "
                        r"of its first 5 episodes crashed: KeyError: 'doctor' \(at tool_sims/clinic\.py:21\)$", err, re.M)
    assert stopped, err
    line = (clinic / PY).read_text().splitlines()[int(stopped.group(1)) - 1]
    assert line == f"  - id: {stopped.group(3)}"
    episodes = (clinic / "runs/r/traces.jsonl").read_text().splitlines()
    assert len(episodes) < 20  # stopped early, not after the whole budget
    assert json.loads((clinic / "runs/r/manifest.json").read_text())["counts"]["stopped_by"] == "scenario crashes"
