"""The README's `toolsim validate` examples are real: each console block under "Bad input" is run
from the repository's root and prints exactly what the README shows."""

import re
import shlex
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^### Bad input\n(.*?)^## ", re.S | re.M)
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[list[str], list[str]]]:
    section = SECTION.search((ROOT / "README.md").read_text(encoding="utf-8")).group(1)
    examples = []
    for block in CONSOLE.findall(section):
        command, *output = block.splitlines()
        assert command.startswith("$ toolsim ")
        examples.append((shlex.split(command[2:])[1:], output))
    return examples


EXAMPLES = _examples()


def test_the_readme_shows_both_kinds_of_problems():
    assert [args[1] for args, _ in EXAMPLES] == ["examples/broken-pack/scenarios/typos.yaml",
                                                 "examples/broken-pack/scenarios/plays_wrong.yaml"]


@pytest.mark.parametrize("args,output", EXAMPLES, ids=lambda x: x[-1] if isinstance(x, list) and x else "")
def test_each_bad_input_example_prints_what_the_readme_shows(args, output, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert (captured.out + captured.err).splitlines() == output
