"""The bounded YAML loader: bombs, deep nesting and values Python cannot hold are `file:line`
problems, found fast; ordinary anchors, merge keys and values load exactly as `yaml.safe_load`."""

from __future__ import annotations

import pytest
import yaml

from simulator.core import yaml_lines
from simulator.core.errors import InputError
from simulator.core.yaml_lines import parse_yaml
from simulator.core.yaml_limits import MAX_ALIAS_VALUES, MAX_DEPTH, BoundedLoader, FastBoundedLoader


def _problem(text: str):
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yaml")
    [problem] = caught.value.problems
    return problem


def bomb(levels: int, fan: int = 9) -> str:
    """The classic billion laughs: each anchor a list of `fan` aliases of the one before."""
    lines = [f"a0: &a0 [{','.join(['lol'] * fan)}]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * fan)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_the_alias_that_overflows():
    text = "name: x\n" + bomb(9)  # 387 million values in a few hundred bytes (used to run > 300 s)
    assert len(text) < 500
    problem = _problem(text)
    assert problem.line == 7  # a5: its aliases of a4 (66,430 values each) overflow the budget
    assert "alias bomb" in problem.message and f"{MAX_ALIAS_VALUES:,}" in problem.message


def test_a_small_bomb_under_the_budget_loads_like_safe_load():
    text = bomb(3)  # 9**3 = 729 values
    assert parse_yaml(text, "f.yaml").value == yaml.safe_load(text)


def test_merge_keys_and_shared_anchors_still_load():
    text = "base: &b {x: 1, y: 2}\nitems:\n  - <<: *b\n    y: 3\n  - *b\n"
    assert parse_yaml(text, "f.yaml").value == {"base": {"x": 1, "y": 2}, "items": [{"x": 1, "y": 3}, {"x": 1, "y": 2}]}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000])
def test_nesting_past_the_limit_is_a_problem_not_a_recursion_error(depth):
    text = "ok: 1\nx: " + "[" * depth + "]" * depth + "\n"
    problem = _problem(text)
    assert problem.line == 2 and "nest" in problem.message  # ours, or libyaml's own limit at 1,000


def test_block_nesting_past_the_limit_is_a_problem():
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v\n"
    problem = _problem(text)
    assert problem.line == MAX_DEPTH and f"nested more than {MAX_DEPTH} levels deep" in problem.message


def test_nesting_at_the_limit_loads():
    depth = MAX_DEPTH - 1
    assert parse_yaml("[" * depth + "]" * depth, "f.yaml").value is not None


@pytest.mark.parametrize("value, words", [
    ("!!timestamp 2026-13-45", "cannot read this timestamp value"),
    ("!!int " + "9" * 5000, "cannot read this int value"),
    ('"ok \\ud800 no"', "lone surrogate"),  # (libyaml refuses the escape; the pure-Python parser words it)
    ("!!python/object:os.system ls", "could not determine a constructor"),
])
def test_values_python_cannot_hold_are_problems_at_their_line(value, words):
    problem = _problem(f"a: 1\nb: {value}\n")
    assert problem.line == 2 and words in problem.message


def test_a_lone_surrogate_in_a_key_is_refused_too():
    problem = _problem('a: 1\n"k\\udfff": 2\n')
    assert problem.line == 2 and "lone surrogate" in problem.message


def test_the_python_composer_refuses_a_surrogate_the_parser_let_through():
    from yaml.nodes import ScalarNode

    from simulator.core.yaml_limits import BoundedLoader

    loader = BoundedLoader("a: 1")
    node = ScalarNode("tag:yaml.org,2002:str", "k\udfff", start_mark=None)
    with pytest.raises(yaml.constructor.ConstructorError, match="lone surrogate"):
        loader.construct_checked_str(node)


def test_a_control_character_after_chinese_text_has_its_character_column():
    problem = _problem("a: 中文中文\nb: x\x07y\n")
    assert problem.line == 2 and "column 5" in problem.message


@pytest.mark.parametrize("loader", [BoundedLoader, FastBoundedLoader], ids=["pure", "libyaml"])
def test_both_loaders_hold_the_limits(loader):
    """parse_yaml tries the libyaml one first: it must not be a way around the limits."""
    if loader is None:
        pytest.skip("PyYAML built without libyaml")
    for text, words in ((bomb(9), "alias bomb"), ("x: " + "[" * 100 + "]" * 100, "nested more than"),
                        ("a: &a [1, *a]", "recursive structure")):
        with pytest.raises(InputError, match=words):
            yaml_lines._parse(text, "f.yaml", loader)
    assert yaml_lines._parse(bomb(2), "f.yaml", loader).value == yaml.safe_load(bomb(2))
