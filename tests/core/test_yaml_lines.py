"""yaml_lines: the value matches `yaml.safe_load`, every location knows its line, and syntax errors
and duplicate keys become `file:line` problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from simulator.core.errors import InputError
from simulator.core.yaml_lines import (
    YamlDocument,
    display_path,
    format_loc,
    parse_yaml,
    read_yaml,
)

DOC = textwrap.dedent("""\
    defaults: &defaults
      language: en
      patience: 3
    persona:
      <<: *defaults
      patience: 5
      bio: |
        first line
        second line
      name: Ann
    turns:
      - say: hello
        expect: []
      - say: >-
          folded
          text
        expect:
          - tool: lookup
    alias_user: *defaults
""")


def test_value_is_what_safe_load_gives():
    assert parse_yaml(DOC, "f.yaml").value == yaml.safe_load(DOC)


def test_lines_of_keys_and_sequence_items():
    lines = parse_yaml(DOC, "f.yaml").lines
    assert lines[("persona",)] == 4
    assert lines[("persona", "name")] == 10
    assert lines[("turns", 0)] == 12
    assert lines[("turns", 1, "expect")] == 17
    assert lines[("turns", 1, "expect", 0, "tool")] == 18


def test_multi_line_strings_keep_the_following_lines_right():
    doc = parse_yaml(DOC, "f.yaml")
    assert doc.lines[("persona", "bio")] == 7
    assert doc.lines[("persona", "name")] == 10  # after the block scalar
    assert doc.value["turns"][1]["say"] == "folded text"
    assert doc.lines[("turns", 1, "expect")] == 17


def test_merged_keys_point_at_the_anchor_and_overrides_at_themselves():
    lines = parse_yaml(DOC, "f.yaml").lines
    assert lines[("persona", "language")] == 2  # merged from the anchor
    assert lines[("persona", "patience")] == 6  # overridden here
    assert lines[("alias_user", "patience")] == 3  # an alias reuses the anchor's lines


def test_missing_location_falls_back_to_nearest_parent():
    doc = parse_yaml(DOC, "f.yaml")
    assert doc.line(("turns", 1, "expect", 0, "args", "order_id")) == 18
    assert doc.line(("nowhere", 3)) == 1
    assert doc.line(("persona", "[key]")) == 4  # pydantic's dict-key marker is ignored
    assert doc.problem(("turns", 0, "goal"), "missing").line == 12


def test_duplicate_key_is_a_problem_and_the_last_value_wins():
    doc = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert doc.value == {"a": 1, "b": {"c": 2}}
    assert [str(p) for p in doc.problems] == ["f.yaml:4: b: duplicate key 'c' (first given on line 3)"]


def test_override_of_a_merged_key_is_not_a_duplicate():
    assert parse_yaml(DOC, "f.yaml").problems == []


def test_syntax_error_reports_the_mark_line():
    with pytest.raises(InputError) as err:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml")
    (problem,) = err.value.problems
    assert problem.path == "bad.yaml"
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML: ")
    assert "flow sequence on line 2" in problem.message


def test_mapping_value_in_plain_scalar_is_a_syntax_error():
    with pytest.raises(InputError) as err:
        parse_yaml("name: ok\ngoal: find: it\n", "bad.yaml")
    assert str(err.value) == "bad.yaml:2: invalid YAML: mapping values are not allowed here (column 11)"


def test_several_documents_are_refused():
    with pytest.raises(InputError) as err:
        parse_yaml("a: 1\n---\nb: 2\n", "two.yaml")
    assert err.value.problems[0].line == 2
    assert "single document" in err.value.problems[0].message


def test_control_character_is_a_problem_with_its_line():
    with pytest.raises(InputError) as err:
        parse_yaml("a: 1\nb: \x07\n", "ctl.yaml")
    assert err.value.problems[0].line == 2


def test_python_tags_are_refused_not_executed():
    with pytest.raises(InputError) as err:
        parse_yaml("a: !!python/object/apply:os.system [echo hi]\n", "evil.yaml")
    assert err.value.problems[0].line == 1


def test_recursive_alias_is_refused_at_its_line():
    with pytest.raises(InputError) as caught:
        parse_yaml("x: 1\na: &a [1, *a]\n", "r.yaml")
    [problem] = caught.value.problems
    assert problem.line == 2 and "alias *a refers to a node that contains it" in problem.message


def test_empty_document_is_none():
    assert parse_yaml("", "e.yaml") == YamlDocument("e.yaml", None, {(): 1}, [])


def test_format_loc():
    assert format_loc(("scenarios", 3, "turns", 0, "say")) == "scenarios[3].turns[0].say"
    assert format_loc(()) == ""
    assert format_loc(("slots", "x", "[key]")) == "slots.x"


def test_read_yaml_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        read_yaml(tmp_path / "nope.yaml", "nope.yaml")
    assert str(err.value) == "nope.yaml: file not found"


def test_read_yaml_non_utf8(tmp_path):
    (tmp_path / "latin.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError) as err:
        read_yaml(tmp_path / "latin.yaml", "latin.yaml")
    assert "not UTF-8" in str(err.value)


def test_display_path_is_relative_below_cwd_else_absolute(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert display_path(Path("x/../a.yaml")) == "a.yaml"
    assert display_path(tmp_path / "sub" / "b" / "c.py") == str(Path("b/c.py"))
    assert display_path(tmp_path / "outside.yaml") == str(tmp_path / "outside.yaml")


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[2]).glob("[sp]*/*.yaml")), ids=lambda p: p.name)
def test_libyaml_reads_every_shipped_file_as_the_pure_python_loader_does(path):
    """Files are parsed by libyaml when it can (several times faster); same values, same lines."""
    from simulator.core import yaml_lines

    text = path.read_text(encoding="utf-8")
    fast = yaml_lines._parse(text, path.name, yaml.CSafeLoader)
    pure = yaml_lines._parse(text, path.name, yaml.SafeLoader)
    assert (fast.value, fast.lines, fast.problems) == (pure.value, pure.lines, pure.problems)
