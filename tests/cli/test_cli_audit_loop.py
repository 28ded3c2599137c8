"""The audit loop end to end: a human override changes what `toolsim export` writes."""

import json
from pathlib import Path

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"


def _dataset_lines(run: Path) -> list[str]:
    return [line for split in ("train", "validation", "test")
            for line in (run / "dataset" / f"{split}.jsonl").read_text().splitlines()]


def test_override_then_export_drops_the_trace(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(run), "--quiet", "--n", "40"]) == 0
    selection = json.loads((run / "selection.json").read_text())
    victim = sorted(selection)[0]
    before = _dataset_lines(run)
    assert main(["audit", str(run), "--override", victim, "--reject", "--reason", "wrong tone", "--who", "qa"]) == 0
    assert main(["export", str(run)]) == 0
    after_selection = json.loads((run / "selection.json").read_text())
    assert victim not in after_selection
    assert len(_dataset_lines(run)) == len(before) - 1
    capsys.readouterr()
    assert main(["audit", str(run), "--decision", "reject", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trace_id"] for r in rows] == [victim] and rows[0]["overridden"]

    # and back: accepting it again restores the original dataset exactly
    assert main(["audit", str(run), "--override", victim, "--accept", "--reason", "fine after all"]) == 0
    assert main(["export", str(run)]) == 0
    assert _dataset_lines(run) == before


def test_report_is_written_next_to_the_run(tmp_path):
    run = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(run), "--quiet", "--n", "20"]) == 0
    assert main(["report", str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "<script" in html and "https://" not in html.split("<body", 1)[0]
