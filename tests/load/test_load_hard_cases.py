"""Hard-case tags and date slots are load-checked: a tag the blueprint does not back, a date slot
read with an unknown key, and an unknown relative day are `file:line` problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.core.errors import InputError
from simulator.load.loader import load_pack

FIXTURE = Path(__file__).parents[1] / "fixtures" / "hard_cases"
PERSONAS = Path(__file__).resolve().parents[2] / "personas"


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "pack")
    shutil.copytree(PERSONAS, tmp_path / "personas")
    path = tmp_path / "pack" / "hard.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("../../../personas", "../personas"), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "pack")
    return Path("hard.yaml")


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.splitlines()[0] in line)


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load_pack(path)
    return [str(p) for p in err.value.problems]


def test_the_fixture_loads(pack: Path):
    loaded = load_pack(pack)
    assert loaded.scenarios["book_relative_alias_words"].hard_cases == ["relative_date", "alias", "number_words"]


@pytest.mark.parametrize(
    "tag, needs",
    [
        ("tool_error", "expect_error: true"),
        ("missing_argument", "leave out a slot"),
        ("mixed_intent", "clarifying question"),
        ("near_miss", "expect no call"),
    ],
)
def test_a_tag_the_blueprint_does_not_back_is_a_problem(pack: Path, tag: str, needs: str):
    line = _edit(pack, "hard_cases: [relative_date]\n", f"hard_cases: [relative_date, {tag}]\n")
    problems = _problems(pack)
    assert len(problems) == 1
    assert problems[0].startswith(f"hard.yaml:{line}: scenarios[1].hard_cases[1]: hard case {tag!r} is not backed")
    assert needs in problems[0]


def test_relative_date_needs_a_date_slot_in_a_call(pack: Path):
    line = _edit(pack, "hard_cases: [near_miss]", "hard_cases: [near_miss, relative_date]")
    assert _problems(pack) == [
        f"hard.yaml:{line}: scenarios[2].hard_cases[1]: hard case 'relative_date' is not backed by the scenario: "
        "an expected call must carry a `date:` slot (e.g. `{when.code}`)"
    ]


def test_an_unknown_hard_case_is_a_problem(pack: Path):
    line = _edit(pack, "hard_cases: [near_miss]", "hard_cases: [near_mis]")
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(f"hard.yaml:{line}: ")
    assert "near_miss" in problems[0]


def test_an_unknown_relative_day_is_a_problem(pack: Path):
    line = _edit(pack, "when: {date: any}", "when: {date: yesterday}")
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(f"hard.yaml:{line}: ")
    assert "unknown relative day 'yesterday'" in problems[0]


def test_a_date_slot_read_with_an_unknown_key(pack: Path):
    _edit(pack, 'date: "{when.code}", party_size', 'date: "{when.iso}", party_size')
    problems = _problems(pack)
    assert len(problems) == 1
    assert "{when.iso}: a date slot reads as {when.code}, {when.en}" in problems[0]
    assert problems[0].startswith("hard.yaml:")
