"""`toolsim stats RUN --coverage` (text and `--json`) on a small real run of the customer-support file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.core.names import NO_TOOL
from simulator.load.loader import load_pack

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("coverage") / "cs"
    assert main(["run", str(SCENARIO), "--out", str(out), "--quiet", "--n", "14"]) == 0
    return out


def _coverage(run: Path, capsys) -> dict:
    assert main(["stats", str(run), "--coverage", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _text(run: Path, capsys) -> str:
    assert main(["stats", str(run), "--coverage"]) == 0
    return " ".join(capsys.readouterr().out.split())  # rich wraps long lines; compare words


def _dataset(run: Path) -> list[dict]:
    return [json.loads(line) for split in ("train", "validation", "test")
            for line in (run / "dataset" / f"{split}.jsonl").read_text().splitlines()]


def test_json_counts_the_dataset(run_dir, capsys):
    cov = _coverage(run_dir, capsys)
    records = _dataset(run_dir)
    assert cov["traces"] == len(records) == len(json.loads((run_dir / "selection.json").read_text()))
    assert cov["possible_known"] and cov["source"] == "dataset"
    assert sum(n for row in cov["scenario_persona"].values() for n in row.values()) == cov["traces"]
    no_call = sum(1 for r in records if not any(m.get("tool_calls") for m in r["messages"]))
    assert cov["tool_behaviour"][NO_TOOL].get("no_tool", 0) == cov["tools"][NO_TOOL] == no_call
    for tool in ("lookup_order", "check_status", "initiate_refund", "update_address", "escalate_to_human"):
        calling = sum(1 for r in records if any(c["function"]["name"] == tool for m in r["messages"]
                                                for c in m.get("tool_calls") or []))
        assert cov["tools"][tool] == calling


def test_json_empty_cells_are_possible_and_empty(run_dir, capsys):
    cov = _coverage(run_dir, capsys)
    pack = load_pack(SCENARIO)
    empty = cov["empty"]
    assert cov["empty_count"] == sum(len(v) for v in empty.values()) > 0  # 14 traces cannot fill 27 × 7 pairs
    for cell in empty["persona_scenario"]:
        scenario = pack.scenarios[cell["scenario"]]
        assert cell["persona"] in [p.id for p in pack.personas_for(scenario)]
        assert cov["scenario_persona"][cell["scenario"]][cell["persona"]] == 0
    for cell in empty["tool_behaviour"]:
        assert cov["tool_behaviour"][cell["tool"]][cell["behaviour"]] == 0
    for tag in empty["hard_cases"]:
        assert cov["behaviour_traces"].get("hard:" + tag, 0) == 0
    filled = [(s, p) for s, row in cov["scenario_persona"].items() for p, n in row.items() if n]
    named = {(c["scenario"], c["persona"]) for c in empty["persona_scenario"]}
    assert filled and not named & set(filled)


def test_text_names_the_empty_cells(run_dir, capsys):
    cov = _coverage(run_dir, capsys)
    text = _text(run_dir, capsys)
    assert "accepted traces per scenario × persona" in text and "accepted traces per tool × behaviour" in text
    assert f"Empty cells ({cov['empty_count']})" in text
    assert f"persona × scenario pairs with no trace ({len(cov['empty']['persona_scenario'])})" in text
    allowed = cov["possible"]["scenario_personas"]
    untouched = [s for s, row in cov["scenario_persona"].items() if not any(row.values()) and len(allowed[s]) > 1]
    assert untouched, "a 14-trace run leaves some scenario without any trace"
    assert f"{untouched[0]} × all {len(allowed[untouched[0]])} personas" in text
    partly = next(s for s, row in cov["scenario_persona"].items() if any(row.values()) and not all(row.values()))
    missing = [p for p, n in cov["scenario_persona"][partly].items() if not n]
    assert re.search(re.escape(partly) + r" × " + re.escape(", ".join(missing)), text)


def test_plain_stats_do_not_print_coverage(run_dir, capsys):
    assert main(["stats", str(run_dir)]) == 0
    assert "Empty cells" not in capsys.readouterr().out


def test_a_moved_run_needs_no_scenario_file(run_dir, tmp_path, capsys, monkeypatch):
    """Copied elsewhere, its scenario file gone and read from another directory, a run reports
    the same coverage: it holds its own pack (`pack.json`)."""
    moved = tmp_path / "moved"
    shutil.copytree(run_dir, moved)
    manifest = json.loads((moved / "manifest.json").read_text())
    manifest["scenario_file"] = str(tmp_path / "gone.yaml")
    (moved / "manifest.json").write_text(json.dumps(manifest))
    expected = _coverage(run_dir, capsys)
    monkeypatch.chdir(tmp_path)
    cov = _coverage(moved, capsys)
    assert cov["possible"] == expected["possible"] and cov["empty_count"] == expected["empty_count"]
    assert cov["traces"] == expected["traces"] and cov["cells"] == expected["cells"]


def test_a_run_without_a_pack_snapshot_leaves_the_possible_cells_unknown(run_dir, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    (old / "pack.json").unlink()
    cov = _coverage(old, capsys)
    assert cov["possible"] is None and cov["empty"] is None and cov["empty_count"] is None
    assert cov["traces"] == _coverage(run_dir, capsys)["traces"]
    text = _text(old, capsys)
    assert "Empty cells (unknown)" in text and "possible cells unknown: the run has no pack.json" in text
