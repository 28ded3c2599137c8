"""End to end through the CLI with a mix file: category and language shares are met, tool quotas
hold after exact and near dedupe, no near-duplicate pair crosses splits, and a budget that is too
small names the cells it left short."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.curate.minhash import jaccard, shingles
from simulator.curate.summaries import normalize_message

ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("train", "validation", "test")
MIX = """generation:
  seed: 11
  mix:
    per_tool: 40
    no_tool_share: 0.1
    min_multi_turn: 0
    categories: {positive: 0.6, hard: 0.3, negative: 0.1}
    languages: {en: 0.7, zh: 0.3}
  dedupe: {near_threshold: 0.8, leak_threshold: 0.5}
"""
NEAR = 0.7  # lower than the file's 0.8 (through the flag) so that dedupe has work to do


def write_pack(root: Path, generation: str = MIX) -> Path:
    """The customer-support pack copied to `root` with its `generation:` block replaced."""
    for folder in ("scenarios", "personas", "tool_sims"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = root / "scenarios" / "customer_support.yaml"
    text = path.read_text()
    replaced = re.sub(r"^generation:\n(?:  .*\n)+", generation, text, count=1, flags=re.M)
    assert replaced != text
    path.write_text(replaced)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mix")
    out = root / "run"
    assert main(["run", str(write_pack(root)), "--out", str(out), "--quiet", "--near-dup-threshold", str(NEAR)]) == 0
    return out


def _records(run: Path) -> dict[str, list[dict]]:
    return {s: [json.loads(line) for line in (run / "dataset" / f"{s}.jsonl").read_text().splitlines()]
            for s in SPLITS}


def _dataset_traces(run: Path) -> list[dict]:
    selection = json.loads((run / "selection.json").read_text())
    return [t for t in map(json.loads, (run / "traces.jsonl").read_text().splitlines()) if t["id"] in selection]


def test_category_and_language_shares_are_met(run):
    traces = _dataset_traces(run)
    total = len(traces)
    assert total == 222  # 5 tools × 40 are 90 %
    categories = Counter(t["episode"]["category"] for t in traces)
    languages = Counter(t["episode"]["language"] for t in traces)
    for name, share in {"positive": 0.6, "hard": 0.3, "negative": 0.1}.items():
        assert abs(categories[name] - share * total) <= 1, categories
    assert set(categories) == {"positive", "hard", "negative"}  # shares add up to 1: nothing else
    for name, share in {"en": 0.7, "zh": 0.3}.items():
        assert abs(languages[name] - share * total) <= 1, languages
    # the shares hold inside the tools too, not by giving one tool all the Chinese
    zh_per_tool = Counter(t["episode"]["tool"] for t in traces if t["episode"]["language"] == "zh")
    assert all(8 <= zh_per_tool[tool] <= 16 for tool in zh_per_tool if tool)


def test_quotas_hold_after_exact_and_near_dedupe(run):
    manifest = json.loads((run / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["near_duplicates_removed"] > 0  # dedupe removed examples ...
    assert counts["short"] == {} and counts["stopped_by"] is None  # ... and later rounds replaced them
    per_tool = Counter(t["episode"]["tool"] or "(none)" for t in _dataset_traces(run))
    assert per_tool == {"check_status": 40, "escalate_to_human": 40, "initiate_refund": 40, "lookup_order": 40,
                        "update_address": 40, "(none)": 22}
    assert counts["balance"]["balanced"] is True
    assert manifest["targets"]["categories"] == {"positive": 133, "hard": 67, "negative": 22, "clarification": 0,
                                                 "multi-turn": 0, "error-recovery": 0}
    assert manifest["options"]["near_dup_threshold"] == NEAR


def test_nothing_near_duplicate_crosses_splits_and_no_exact_duplicates(run):
    items = []
    for split, records in _records(run).items():
        for r in records:
            users = [normalize_message(m["content"]) for m in r["messages"] if m["role"] == "user"]
            items.append((split, tuple(users), shingles(users)))
    assert len({users for _, users, _ in items}) == len(items)
    crossing = [(a[1], b[1]) for i, a in enumerate(items) for b in items[i + 1:]
                if a[0] != b[0] and jaccard(a[2], b[2]) >= NEAR]
    assert crossing == []
    assert {split for split, _, _ in items} == set(SPLITS)


def test_card_and_stats_report_the_dedupe_and_the_composition(run, capsys):
    counts = json.loads((run / "manifest.json").read_text())["counts"]
    card = (run / "dataset" / "README.md").read_text()
    assert f"| near duplicates removed | {counts['near_duplicates_removed']} |" in card
    assert "| hard | 67 | 30.2% |" in card and "| zh | 67 | 30.2% |" in card
    assert main(["stats", str(run), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["duplicates_removed"]["near"] == counts["near_duplicates_removed"]
    assert stats["dataset"]["category"] == {"hard": 67, "negative": 22, "positive": 133}
    assert 0 < stats["diversity"]["distinct_2"] < 1
    assert set(stats["argument_coverage"]["escalate_to_human"]["optional"]) >= {"priority"}


def test_a_budget_too_small_names_the_cells_it_left_short(tmp_path, capsys):
    out = tmp_path / "small"
    assert main(["run", str(write_pack(tmp_path)), "--out", str(out), "--max-episodes", "150"]) == 4  # short
    captured = capsys.readouterr()
    printed = " ".join(captured.out.split())  # rich wraps at the terminal width
    assert "short of target" in captured.err and "--allow-short" in captured.err
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["stopped_by"] == "max episodes" and counts["episodes"] == 150
    short = counts["short"]
    assert {"category:hard", "language:zh", "update_address"} <= set(short)
    assert "short of target" in printed and "category:hard needs" in printed
    assert "stopped by: max episodes: the budget of 150 episodes is spent" in printed
    assert "| category:hard |" in (out / "dataset" / "README.md").read_text()  # the card says so too
    # the budget cut every cell in proportion rather than dropping whole tools
    assert all(0 < n < 40 for cell, n in short.items() if ":" not in cell and cell != "(none)")


def test_offline_runs_cost_nothing_so_max_cost_does_not_stop_them(tmp_path):
    out = tmp_path / "costed"
    pack = write_pack(tmp_path, MIX.replace("per_tool: 40", "per_tool: 4"))
    assert main(["run", str(pack), "--out", str(out), "--quiet", "--max-cost", "0.01"]) == 0
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["short"] == {} and len(json.loads((out / "selection.json").read_text())) == 22


def test_contradicting_shares_are_bad_input_with_a_line(tmp_path, capsys):
    pack = write_pack(tmp_path, MIX.replace("no_tool_share: 0.1", "no_tool_share: 0.25"))
    assert main(["validate", str(pack)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"customer_support\.yaml:\d+: generation\.mix\.no_tool_share: 0\.25 disagrees", err)
    assert main(["run", str(pack), "--out", str(tmp_path / "never"), "--quiet"]) == 2
    assert not (tmp_path / "never").exists()
