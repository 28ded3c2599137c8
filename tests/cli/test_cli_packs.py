"""What every shipped pack promises, checked the same way for each, through the CLI with its
default settings: it validates; its offline run fails nothing, the judge accepts every episode and
the dataset meets its targets; every tool and every hard-case tag of the pack is in the data;
no-tool scenarios never call; the same seed gives the same bytes; and the run directory is all a
later command needs (export, stats, audit and report give the same files after the scenario file
is gone, run from another directory). Pack-specific promises live in `test_cli_<pack>.py`."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.load import load_pack
from tests.cli.conftest import PACKS, ROOT
from tests.pack_runs import SPLITS, read_records, read_traces, run_pack

pytestmark = pytest.mark.slow  # runs every pack end to end


ALL_HARD_CASES = {"alias", "missing_argument", "mixed_intent", "near_miss", "number_words", "relative_date",
                  "tool_boundary", "tool_error"}
HARD_CASES = {  # what each pack teaches; a tag dropped from a scenario file fails here
    "customer_support": {"missing_argument", "mixed_intent", "near_miss", "tool_boundary", "tool_error"},
    "travel": ALL_HARD_CASES,
    "office": ALL_HARD_CASES,
    "wuxia": ALL_HARD_CASES - {"number_words", "relative_date"},
    "generalist": ALL_HARD_CASES - {"tool_error"},
    "smart_home": set(),
}


@pytest.fixture(scope="module")
def packs():
    return {name: load_pack(ROOT / "scenarios" / f"{name}.yaml") for name in PACKS}


def _calls(trace: dict) -> list[str]:
    return [c["function"]["name"] for m in trace["messages"] for c in m.get("tool_calls") or []]


@pytest.mark.parametrize("name", PACKS)
def test_the_pack_validates(name, packs, capsys):
    assert main(["validate", str(ROOT / "scenarios" / f"{name}.yaml")]) == 0
    assert f"{len(packs[name].domain.tools)} tools" in capsys.readouterr().out


@pytest.mark.parametrize("name", PACKS)
def test_offline_run_is_accepted_in_full_and_meets_its_targets(name, pack_run, packs):
    run = pack_run(name)
    counts = json.loads((run / "manifest.json").read_text())["counts"]
    assert counts["failed"] == 0 and not counts["rejected"], counts["rejected"]
    assert counts["short"] == {} and counts["stopped_by"] is None
    records = read_records(run)
    assert len(records) == sum(counts["splits"].values()) > 0
    called = {c for record in records for c in _calls(record)}
    assert called == set(packs[name].domain.tools), "every tool of the pack is in the dataset"
    for record in records:
        assert "{today}" not in record["messages"][0]["content"]
        assert all("returns" not in tool["function"] for tool in record["tools"]), "models never see `returns`"


@pytest.mark.parametrize("name", PACKS)
def test_every_hard_case_tag_of_the_pack_is_in_the_data(name, pack_run, packs):
    pack = packs[name]
    declared = {tag for scenario in pack.scenarios.values() for tag in scenario.hard_cases}
    seen = Counter(tag for t in read_traces(pack_run(name), selected_only=True)
                   for tag in pack.scenarios[t["episode"]["scenario_id"]].hard_cases)
    assert set(seen) == declared == HARD_CASES[name]
    if name == "travel":
        assert min(seen.values()) >= 10, seen


@pytest.mark.parametrize("name", PACKS)
def test_no_tool_scenarios_never_call(name, pack_run, packs):
    pack = packs[name]
    no_tool = [t for t in read_traces(pack_run(name))
               if not any(turn.expect for turn in pack.scenarios[t["episode"]["scenario_id"]].turns)]
    assert no_tool and all(not _calls(t) for t in no_tool)


@pytest.mark.parametrize("name", PACKS)
def test_same_seed_same_bytes(name, tmp_path):
    scenario = ROOT / "scenarios" / f"{name}.yaml"
    first, second = (run_pack(scenario, tmp_path / run, "--n", "60") for run in ("a", "b"))
    for name_ in [f"dataset/{split}.jsonl" for split in SPLITS] + ["selection.json", "dataset/README.md"]:
        assert (first / name_).read_bytes() == (second / name_).read_bytes(), name_


# ---------------------------------------------------------------- the run directory is self-contained


FORMATS = ("openai", "sharegpt", "trl", "hermes", "llama3", "instruction", "dpo")


def _later_commands(run: Path, out: Path, capsys) -> dict[str, bytes]:
    """Every file the later commands write, and what they print, keyed by a stable name."""
    made: dict[str, bytes] = {}
    for fmt in FORMATS:
        assert main(["export", str(run), "--format", fmt, "--out", str(out / fmt)]) == 0
        assert (out / fmt / "train.jsonl").exists(), f"{fmt} wrote no train split"
        made.update({f"{fmt}/{p.name}": p.read_bytes() for p in sorted((out / fmt).iterdir())})
    assert main(["export", str(run)]) == 0  # rebuilds dataset/ from the run directory alone
    made.update({f"dataset/{p.name}": p.read_bytes() for p in sorted((run / "dataset").iterdir())})
    capsys.readouterr()
    for command in (["stats", "--json"], ["stats", "--coverage", "--json"], ["audit", "--json"]):
        assert main([command[0], str(run), *command[1:]]) == 0
        made[" ".join(command)] = capsys.readouterr().out.encode()
    assert main(["report", str(run), "--out", str(out / "report.html")]) == 0
    # the one thing allowed to differ: when the report was generated
    made["report.html"] = re.sub(rb'"generated_at":"[^"]*"', b"", (out / "report.html").read_bytes())
    return made


@pytest.mark.parametrize("name", ["customer_support", "smart_home"])  # Python sims; schema-only tools
def test_later_commands_need_only_the_run_directory(name, tmp_path, monkeypatch, capsys):
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "scenarios", copy / "scenarios")
    shutil.copytree(ROOT / "personas", copy / "personas")
    shutil.copytree(ROOT / "tool_sims", copy / "tool_sims")
    monkeypatch.chdir(copy)
    # --mistake-share: mistake twins beside the episodes, so that dpo has pairs to write
    assert main(["run", f"scenarios/{name}.yaml", "--out", "runs/r", "--quiet", "--n", "40", "--mistake-share", "0.3"]) == 0
    named = json.loads((copy / "runs" / "r" / "manifest.json").read_text())["scenario_file"]
    assert named == str((copy / "scenarios" / f"{name}.yaml").resolve())  # resolves from any directory
    before = _later_commands(copy / "runs" / "r", tmp_path / "before", capsys)  # the same path both times: it is shown

    shutil.rmtree(copy / "scenarios")  # the scenario file, its prompt and tools.yaml are gone
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    after = _later_commands(copy / "runs" / "r", tmp_path / "after", capsys)
    assert after.keys() == before.keys()
    different = [key for key in before if after[key] != before[key]]
    assert not different, different
