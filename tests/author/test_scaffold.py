"""`toolsim new`: a pack from its tools that validates and runs — one scenario per tool and one
of each other category the tools allow, in both languages; Python sims probed for the records
they accept and refuse; scenarios that cannot play left out with the reason; nothing overwritten."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from simulator.author.scaffold import scaffold_pack, starter_tools, write_pack
from simulator.cli import main
from simulator.core.errors import InputError
from simulator.load.loader import load_pack

FIXTURE = Path(__file__).parents[1] / "fixtures" / "clinic"


def test_the_starter_tools_give_every_category_in_both_languages():
    tools, text = starter_tools()
    scaffold = scaffold_pack("shop", tools, "shop.tools.yaml", tools_text=text)
    categories = Counter(s["category"] for s in scaffold.scenarios)
    assert categories == {"positive": 2, "negative": 3, "clarification": 1, "multi-turn": 1, "error-recovery": 1}
    assert all(set(turn["say"]) == {"en", "zh"} for s in scaffold.scenarios for turn in s["turns"])
    chain = next(s for s in scaffold.scenarios if s["category"] == "multi-turn")
    assert chain["turns"][1]["expect"][0]["args"]["item_id"] == "{@find_item.items.0.item_id}"
    refused = next(s for s in scaffold.scenarios if s["category"] == "error-recovery")
    assert all(q >= 6 for q in refused["slots"]["quantity"]["choice"])  # meets `quantity: {minimum: 6}`
    positive = next(s for s in scaffold.scenarios if s["id"] == "order_item_positive")
    assert all(q < 6 for q in positive["slots"]["quantity"]["choice"])  # a positive call must succeed
    assert any("hard" in note for note in scaffold.notes)  # no date parameter: said, not silently skipped
    files = scaffold.files()
    assert set(files) == {"scenarios/shop.yaml", "scenarios/shop.system.md", "scenarios/shop.tools.yaml"}
    assert yaml.safe_load(files["scenarios/shop.yaml"])["domain"]["replies"] == {
        "find_item": {"en": [], "zh": []}, "order_item": {"en": [], "zh": []}}


def _clinic(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(FIXTURE / "personas", root / "personas")
    shutil.copytree(FIXTURE / "tool_sims", root / "tool_sims")
    (root / "scenarios").mkdir()
    return root


def test_python_sims_are_probed_for_the_records_they_accept_and_refuse(tmp_path, monkeypatch, capsys):
    root = _clinic(tmp_path)
    monkeypatch.chdir(root)
    assert main(["new", "clinic", "--tools", "tool_sims/clinic.py"]) == 0
    scenarios = {s["id"]: s for s in yaml.safe_load((root / "scenarios/clinic.yaml").read_text())["scenarios"]}
    assert scenarios["refill_prescription_positive"]["record"] == {"collection": "prescriptions",
                                                                   "where": {"status": "active"}}
    assert scenarios["refill_prescription_refused"]["record"] == {"collection": "prescriptions",
                                                                  "where": {"status": "expired"}}
    assert scenarios["refill_prescription_refused"]["turns"][0]["expect"][0]["expect_error"] is True
    assert main(["validate", "scenarios/clinic.yaml"]) == 0


def test_a_scenario_that_cannot_play_is_left_out_with_the_reason(tmp_path, monkeypatch, capsys):
    root = _clinic(tmp_path)
    sims = root / "tool_sims" / "clinic.py"
    sims.write_text(sims.read_text() + '''

@sims.tool(read_only=False, description="Cancel an appointment", parameters={"type": "object", "properties": {
    "appointment_id": {"type": "string", "pattern": "^APT-[0-9]{4}$"}}, "required": ["appointment_id"]})
def cancel_appointment(ctx: SimContext, appointment_id: str):
    raise ToolError(f"No appointment {appointment_id}")
''')
    monkeypatch.chdir(root)
    assert main(["new", "clinic", "--tools", "tool_sims/clinic.py"]) == 0
    out = capsys.readouterr().out
    assert "scenario 'cancel_appointment_positive' was left out: the offline assistant cannot satisfy" in out
    text = (root / "scenarios/clinic.yaml").read_text()
    assert "cancel_appointment_positive' was left out" in text  # said in the file too
    assert "- id: cancel_appointment_positive" not in text
    pack = load_pack(root / "scenarios/clinic.yaml")
    assert "cancel_appointment" in pack.domain.tools  # the tool is still offered to the model
    assert main(["validate", "scenarios/clinic.yaml"]) == 0


def test_nothing_is_overwritten(tmp_path, monkeypatch, capsys):
    (tmp_path / "scenarios").mkdir()
    mine = tmp_path / "scenarios" / "shop.system.md"
    mine.write_text("my prompt")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "shop"]) == 2
    assert "shop.system.md: already exists; nothing was written" in capsys.readouterr().err
    assert mine.read_text() == "my prompt" and sorted(p.name for p in tmp_path.rglob("*")) == ["scenarios", "shop.system.md"]


def test_a_bad_name_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "My Pack"]) == 2
    assert list(tmp_path.iterdir()) == []


def test_write_pack_removes_what_it_wrote_when_the_pack_cannot_be_made_valid(tmp_path):
    tools, text = starter_tools()
    scaffold = scaffold_pack("shop", tools, "shop.tools.yaml", tools_text=text.replace("{quantity: {minimum: 6}}", "{qty: 6}"))
    (tmp_path / "personas").mkdir()
    shutil.copy(FIXTURE / "personas" / "formal_polite.yaml", tmp_path / "personas")
    with pytest.raises(InputError):
        write_pack(tmp_path, scaffold)  # a declared error on a parameter the tool lacks: the tools file's problem
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["formal_polite.yaml", "personas"]  # not even scenarios/


def test_tools_outside_the_pack_folder_are_refused_before_anything_is_written(tmp_path, monkeypatch, capsys):
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(FIXTURE / "scenarios" / "clinic.tools.yaml", tmp_path / "elsewhere")
    (tmp_path / "proj").mkdir()
    monkeypatch.chdir(tmp_path / "proj")
    assert main(["new", "clinic", "--tools", "../elsewhere/clinic.tools.yaml"]) == 2
    assert "is outside the folder the pack is written to" in capsys.readouterr().err
    assert list((tmp_path / "proj").iterdir()) == []


@pytest.mark.slow
def test_a_new_pack_in_an_empty_folder_validates_and_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "shop"]) == 0
    assert sorted(p.name for p in (tmp_path / "personas").iterdir()) == ["en_plain.yaml", "en_terse.yaml", "zh_plain.yaml"]
    assert main(["validate", "scenarios/shop.yaml"]) == 0
    assert main(["run", "scenarios/shop.yaml", "--quiet"]) == 0  # its targets met: a small dataset
    assert (tmp_path / "runs" / "shop" / "dataset" / "train.jsonl").stat().st_size > 0
