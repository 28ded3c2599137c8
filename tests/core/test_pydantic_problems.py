"""pydantic_problems: pydantic's wording rewritten for YAML authors, located by line."""

from __future__ import annotations

import datetime

from simulator.core.pydantic_problems import describe_value, validate
from simulator.core.yaml_lines import parse_yaml
from simulator.spec import Persona, ScenarioFile


def _messages(model, text: str) -> list[str]:
    doc = parse_yaml(text, "f.yaml")
    value, problems = validate(model, doc.value, doc)
    assert value is None
    return [str(p) for p in problems]


def test_unknown_field_suggests_the_closest_name():
    assert _messages(Persona, "id: a\nname: A\nlanguag: en\n") == [
        "f.yaml:3: unknown field 'languag' (did you mean 'language'?)"
    ]


def test_unknown_field_without_close_match_lists_the_fields():
    (message,) = _messages(Persona, "id: a\nname: A\nzzz: 1\n")
    assert message.startswith("f.yaml:3: unknown field 'zzz' (known fields: id, name, description, language")


def test_misspelt_required_field_is_one_problem_not_two():
    assert _messages(Persona, "id: a\nnme: A\n") == ["f.yaml:2: unknown field 'nme' (did you mean 'name'?)"]


def test_missing_field_points_at_the_mapping_that_lacks_it():
    assert _messages(Persona, "\n\nid: a\n") == ["f.yaml:3: missing field 'name'"]


def test_type_errors_name_the_value_and_hint_at_quotes():
    assert _messages(Persona, "id: a\nname: yes\npatience: many\n") == [
        "f.yaml:2: name: expected text, got true (YAML read it as a non-text value; put it in quotes)",
        "f.yaml:3: patience: expected an integer, got 'many'",
    ]


def test_bounds_and_patterns():
    assert _messages(Persona, "id: Not OK\nname: A\ntypo_rate: 2\n") == [
        "f.yaml:1: id: must match the pattern ^[a-z0-9_\\-]+$ (got 'Not OK')",
        "f.yaml:3: typo_rate: must be <= 1.0 (got 2)",
    ]


def test_nested_locations_model_validators_and_localized_text():
    text = (
        "name: x\n"
        "domain: {tools: t.yaml}\n"
        "scenarios:\n"
        "  - id: s\n"
        "    category: positive\n"
        "    goal: g\n"
        "    slots: {a: {}}\n"
        "    turns:\n"
        "      - say: 5\n"
    )
    assert _messages(ScenarioFile, text) == [
        "f.yaml:2: domain: give exactly one of system_prompt or system_prompt_file",
        "f.yaml:7: scenarios[0].slots.a: a slot takes exactly one of field, fake, choice, value, date (got none)",
        "f.yaml:9: scenarios[0].turns[0].say: expected text, a list of texts, or a mapping of language (en, zh) to texts, got 5",
    ]


def test_describe_value():
    assert describe_value(None) == "nothing (null)"
    assert describe_value(False) == "false"
    assert describe_value(datetime.date(2024, 1, 2)) == "the date 2024-01-02"
    assert describe_value([1]) == "a list"
    assert describe_value("x" * 100).endswith("...'")
