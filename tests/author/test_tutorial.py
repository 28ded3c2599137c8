"""docs/first-pack.md, run word for word: its files written, its edits made, its commands run in
order, and every output it shows compared line for line — in a folder laid out like a clean clone
(the shipped personas next to an empty scenarios/).

The tutorial's blocks say what they are: ```yaml title="PATH"``` is a file to write,
```yaml edit="PATH"``` replaces the block of PATH that starts with the same first line (through
the lines indented deeper than it), and ```console``` holds `$ toolsim ...` commands, each
followed by the output it prints (none shown: only its exit code, 0, is checked).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "first-pack.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```\s*$", re.S | re.M)


def blocks(text: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for kind, info, body in BLOCK.findall(text):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', info))
        found.append((kind, attrs, body))
    return found


def replace_block(text: str, new: str) -> str:
    """Replace the block that starts with `new`'s first line (a trailing `# comment` aside): that
    line and every following line indented deeper (or blank), as a YAML editor would select it."""
    first = new.splitlines()[0]
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.sub(r"\s+#.*$", "", line.rstrip("\n")) == first]
    assert len(starts) == 1, f"the tutorial's edit must start at a line found once: {first!r}"
    start = starts[0]
    indent = len(first) - len(first.lstrip())
    if first.lstrip().startswith("- "):
        indent += 1  # a list item's own lines are indented deeper than its dash
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return "".join(lines[:start]) + new + "".join(lines[end:])


def commands(body: str) -> list[tuple[list[str], list[str]]]:
    """(`toolsim` arguments, expected output lines) for each `$` line of a console block."""
    out: list[tuple[list[str], list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            words = shlex.split(line[2:])
            assert words[0] == "toolsim", f"the tutorial runs only toolsim commands: {line}"
            out.append((words[1:], []))
        else:
            out[-1][1].append(line)
    return out


@pytest.mark.slow
def test_the_tutorial_works_word_for_word(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "personas", tmp_path / "personas")
    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    ran = []
    for kind, attrs, body in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if "title" in attrs:
            (tmp_path / attrs["title"]).write_text(body, encoding="utf-8")
        elif "edit" in attrs:
            path = tmp_path / attrs["edit"]
            path.write_text(replace_block(path.read_text(encoding="utf-8"), body), encoding="utf-8")
        elif kind == "console":
            for args, expected in commands(body):
                capsys.readouterr()
                code = main(args)
                captured = capsys.readouterr()
                shown = (captured.out + captured.err).splitlines()
                failed = bool(expected) and expected[-1].endswith("nothing was written")
                assert code == (2 if failed else 0), (args, shown)
                if expected:
                    assert shown == expected, args
                ran.append(args[0])
    assert ran == ["new", "validate", "validate", "run"]
    run = tmp_path / "runs" / "clinic"
    counts = json.loads((run / "manifest.json").read_text())["counts"]
    records = sum(len((run / "dataset" / f"{s}.jsonl").read_text().splitlines()) for s in ("train", "validation", "test"))
    assert counts["short"] == {} and records == sum(counts["targets"].values()) == 4 * 8 + 4  # 8 per tool, as it says
