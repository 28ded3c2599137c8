"""The README's "Bring your own tools" is real: its four commands, run word for word from a copy of
the clone's root, go from the example OpenAPI document to an exported dataset of the size it says."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^## Bring your own tools.*?\n(.*?)^## ", re.S | re.M)
BASH = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def _commands() -> list[str]:
    section = SECTION.search((ROOT / "README.md").read_text(encoding="utf-8")).group(1)
    return [line.split("  #")[0].strip() for line in BASH.search(section).group(1).splitlines() if line.strip()]


def test_the_section_shows_four_commands_from_the_spec_to_a_dataset():
    commands = _commands()
    assert len(commands) == 4 and [shlex.split(c)[1] for c in commands] == ["new", "validate", "run", "export"]
    assert "--from-openapi examples/bring-your-own-tools/bookshop.openapi.yaml" in commands[0]


@pytest.mark.slow
def test_the_four_commands_make_the_dataset_the_readme_describes(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples/bring-your-own-tools", tmp_path / "examples/bring-your-own-tools")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    for command in _commands():
        words = shlex.split(command)
        assert words[0] == "toolsim"
        assert main(words[1:]) == 0, command
    records = [json.loads(line) for split in ("train", "validation", "test")
               for line in (tmp_path / "runs/bookshop/dataset" / f"{split}.jsonl").read_text().splitlines()]
    with_calls = sum(any(m.get("tool_calls") for m in r["messages"]) for r in records)
    claim = re.search(r"runs/bookshop/dataset/: (\d+) tool-calling examples \+ (\d+) no-tool", _commands()[2] + " " +
                      (ROOT / "README.md").read_text(encoding="utf-8"))
    assert (with_calls, len(records) - with_calls) == (int(claim.group(1)), int(claim.group(2)))
    assert (tmp_path / "runs/bookshop/export/trl/train.jsonl").is_file()
