"""Hostile and unlucky input is refused (issue 16): every case the hardening pass found is one
`file:line: message` (a flag error for flags), exit 2, no traceback, no hang, and nothing written —
checked through `toolsim run`, which would otherwise have made a run directory."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

import pytest

from tests.guard_kit import cli, snapshot
from tests.pack_copy import pack_copy

SMALL = ("--n", "4", "--max-episodes", "8", "--quiet")


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return pack_copy(tmp_path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(pack: Path, scenario: str, where: str, words: str, *flags: str) -> str:
    """Run `scenario` of `pack`: it must exit 2 naming `where` (`file:line`) and `words`, with no
    traceback, and leave every file under the pack's folder as it was."""
    root = pack.parent
    before = snapshot(root)
    outcome = cli("run", pack / "scenarios" / scenario, "--out", root / "out", *SMALL, *flags)
    assert outcome.code == 2, outcome.err
    assert "Traceback" not in outcome.err
    assert re.search(where, outcome.err), outcome.err
    assert words in outcome.err, outcome.err
    assert snapshot(root) == before, "nothing written"
    return outcome.err


# ---------------------------------------------------------------- flags


@pytest.mark.parametrize("flags, words", [
    (["--rpm", "0"], "argument --rpm: must be more than 0"),
    (["--rpm", "-5"], "argument --rpm: must be more than 0"),
    (["--rpm", "nan"], "argument --rpm: expected a finite number"),
    (["--rpm", "inf"], "argument --rpm: expected a finite number"),
    (["--max-cost", "inf"], "argument --max-cost: expected a finite number"),
    (["--timeout", "-1"], "argument --timeout: must be more than 0"),
    (["--temperature", "3"], "argument --temperature: must be at most 2"),
    (["--retries", "-1"], "argument --retries: must be at least 0"),
    (["--price-in", "-0.5"], "argument --price-in: must be at least 0"),
    (["--judge-threshold", "9"], "argument --judge-threshold: must be at most 5"),
    (["--judge-samples", "0"], "argument --judge-samples: must be at least 1"),
    (["--max-tokens", "0"], "argument --max-tokens: must be at least 1"),
    (["--n", "10000000000"], "argument --n: must be at most 1,000,000"),
    (["--concurrency", "0"], "argument --concurrency: must be at least 1"),
    (["--samples-per-episode", "1000"], "argument --samples-per-episode: must be at most 100"),
    (["--near-dup-threshold", "nan"], "argument --near-dup-threshold: expected a finite number"),
])
def test_every_numeric_flag_is_range_checked(pack, flags, words):
    refused(pack, "office.yaml", "", words, *flags)


# ---------------------------------------------------------------- referenced files


def _prompt(pack: Path, value: str) -> str:
    _edit(pack / "scenarios" / "office.yaml", "system_prompt_file: office.system.md", f"system_prompt_file: {value}")
    return r"office\.yaml:\d+: domain\.system_prompt_file: "


def test_a_device_as_the_system_prompt_is_refused_without_reading_it(pack):
    refused(pack, "office.yaml", _prompt(pack, "/dev/zero"), "is not a regular file")


def test_a_fifo_as_the_system_prompt_is_refused_without_opening_it(pack):
    os.mkfifo(pack / "scenarios" / "prompt.md")  # opening it would block forever
    refused(pack, "office.yaml", _prompt(pack, "prompt.md"), "is not a regular file")


@pytest.mark.parametrize("value", ["../../../../../../../etc/passwd", "/etc/passwd"])
def test_a_system_prompt_outside_the_pack_is_refused(pack, value):
    """It used to be accepted, and /etc/passwd ended up in every training record."""
    refused(pack, "office.yaml", _prompt(pack, value), "is outside the pack folder")


def test_a_symlink_out_of_the_pack_is_refused(pack):
    (pack / "scenarios" / "link.md").symlink_to("/etc/passwd")
    refused(pack, "office.yaml", _prompt(pack, "link.md"), "is outside the pack folder")


def test_personas_and_tools_outside_the_pack_are_refused(pack, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "personas").mkdir(parents=True)
    (outside / "personas" / "p.yaml").write_text((pack / "personas" / "zh_polite.yaml").read_text(encoding="utf-8"))
    _edit(pack / "scenarios" / "office.yaml", "personas: [../personas]", f"personas: [{outside / 'personas'}]")
    refused(pack, "office.yaml", r"office\.yaml:\d+: personas\[0\]: ", "is outside the pack folder")
    _edit(pack / "scenarios" / "office.yaml", f"personas: [{outside / 'personas'}]", "personas: [../personas]")
    (outside / "t.py").write_text("")
    _edit(pack / "scenarios" / "office.yaml", "tools: ../tool_sims/office.py", f"tools: {outside / 't.py'}")
    refused(pack, "office.yaml", r"office\.yaml:\d+: domain\.tools: ", "is outside the pack folder")


# ---------------------------------------------------------------- YAML that used to hang or crash


def _bomb(levels: int = 9) -> str:
    args = "{table: documents, search: x, b0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"
    for i in range(1, levels + 1):
        args += f", b{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]"
    return args + "}"


YAML_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "alias bomb in expect.args": (
        lambda p: _edit(p, 'args: {table: documents, search: "{doc.code}"}', f"args: {_bomb()}"), "alias bomb"),
    "1,000-deep nesting": (lambda p: _edit(p, "\nname: office\n", "\nname: office\nx: " + "[" * 1000 + "]" * 1000 + "\n"),
                           "nest"),
    "impossible timestamp": (lambda p: _edit(p, "\nname: office\n", "\nname: office\nwhen: !!timestamp 2026-13-45\n"),
                             "cannot read this timestamp value"),
    "lone surrogate": (lambda p: _edit(p, "\nname: office\n", '\nname: office\ndescription: "a \\ud800 b"\n'), "lone surrogate"),
}


@pytest.mark.parametrize("case", list(YAML_CASES))
def test_yaml_that_used_to_hang_or_crash_is_a_problem_at_its_line(pack, case):
    mutate, words = YAML_CASES[case]
    mutate(pack / "scenarios" / "office.yaml")
    refused(pack, "office.yaml", r"office\.yaml:\d+: ", words)


def test_a_non_utf8_file_is_reported_at_its_line_and_column(pack):
    path = pack / "scenarios" / "office.yaml"
    data = path.read_bytes().replace(b"\nname: office\n", b"\nname: office # caf\xe9\n", 1)
    path.write_bytes(data)
    line = data[: data.index(b"caf\xe9")].count(b"\n") + 1
    refused(pack, "office.yaml", rf"office\.yaml:{line}: column 19: not UTF-8 text", "byte 0xE9")


def test_a_returns_schema_asking_for_ten_million_items_is_refused(pack):
    _edit(pack / "scenarios" / "smart_home.tools.yaml", "minItems: 1\n          maxItems: 5", "minItems: 10000000")
    refused(pack, "smart_home.yaml", r"smart_home\.tools\.yaml:\d+: tools\[0\]\.returns: ", "minItems 10000000 is over")


# ---------------------------------------------------------------- tool modules


def _module(pack: Path, edit: Callable[[str], str]) -> Path:
    path = pack / "tool_sims" / "office.py"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


CUSTOM = "class Meltdown(BaseException):\n    pass\n\n\n"
SIMS = 'sims = ToolSimModule("office")'


def test_a_custom_base_exception_at_import_is_a_problem_at_its_line(pack):
    path = _module(pack, lambda s: s.replace('sims = ToolSimModule("office")',
                                             CUSTOM + 'raise Meltdown("boom")\nsims = ToolSimModule("office")'))
    line = path.read_text().splitlines().index('raise Meltdown("boom")') + 1
    refused(pack, "office.yaml", rf"tool_sims/office\.py:{line}: cannot import the tool sims: Meltdown: boom", "")


def test_a_custom_base_exception_in_the_seeder_is_a_problem_at_its_line(pack):
    path = _module(pack, lambda s: s.replace("def seed_state(rng: random.Random, today: date) -> State:\n",
                                                      "def seed_state(rng: random.Random, today: date) -> State:\n"
                                                      "    raise Meltdown('seeder')\n").replace(SIMS, CUSTOM + SIMS))
    line = path.read_text().splitlines().index("    raise Meltdown('seeder')") + 1
    refused(pack, "office.yaml", rf"tool_sims/office\.py:{line}: seeding the tool state failed: Meltdown", "")


def test_a_custom_base_exception_from_a_sim_call_is_an_episode_error_not_a_crash(pack, tmp_path):
    _module(pack, lambda s: s.replace("def query_database(\n", "def query_database(*_a, **_k):\n"
                                                                "    raise Meltdown('in a call')\n\n\n"
                                                                "def _unused(\n").replace(SIMS, CUSTOM + SIMS))
    # every call of a sim fails: the run is short by design (it goes on; --allow-short accepts it)
    outcome = cli("run", pack / "scenarios" / "office.yaml", "--out", tmp_path / "out", *SMALL, "--allow-short")
    assert outcome.code == 0, outcome.err
    errors = [line for line in (tmp_path / "out" / "traces.jsonl").read_text().splitlines() if "Meltdown" in line]
    assert errors, "the episodes whose sim raised are recorded as errors"


def test_a_module_without_tool_sim_module_is_reported_where_the_scenario_names_it(pack):
    _module(pack, lambda s: "x = 1\n")
    refused(pack, "office.yaml", r"office\.yaml:\d+: domain\.tools: \S*tool_sims/office\.py defines no ToolSimModule", "")


def test_a_yaml_error_in_a_sims_data_file_is_reported_in_that_file(pack):
    path = pack / "tool_sims" / "travel_data.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = lines[20] + " : : ["
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(pack, "travel.yaml", r"tool_sims/travel_data\.yaml:2[01]: invalid YAML", "")


def test_a_packs_judge_check_raising_its_own_base_exception_rejects_the_trace_not_the_run(pack, tmp_path):
    _module(pack, lambda s: s.replace(SIMS, CUSTOM + SIMS) + "\n\n@sims.check()\ndef explodes(ctx):\n"
                                                             "    raise Meltdown('in a check')\n")
    # every call of a sim fails: the run is short by design (it goes on; --allow-short accepts it)
    outcome = cli("run", pack / "scenarios" / "office.yaml", "--out", tmp_path / "out", *SMALL, "--allow-short")
    assert outcome.code == 0, outcome.err
    verdicts = (tmp_path / "out" / "verdicts.jsonl").read_text()
    assert "the check itself failed: Meltdown: in a check" in verdicts
