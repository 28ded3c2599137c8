"""`toolsim export RUN --format bfcl`: the eval items in BFCL's files (checked by hand against BFCL's
own AST checker: it agrees with `toolsim eval` on every item of this run but the free-text note,
which BFCL compares as a string)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.export.formats.bfcl import bfcl_schema
from tests.eval.evalrun import write_run


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = write_run(tmp_path_factory.mktemp("bfcl") / "run")
    assert main(["export", str(run), "--format", "bfcl"]) == 0
    return run / "export" / "bfcl"


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_item_per_assistant_turn_in_bfcl_categories(exported: Path) -> None:
    test = {r["toolsim_item"]: r for r in rows(exported / "test.jsonl")}
    assert len(test) == 24 and not (exported / "train.jsonl").exists()  # an empty split gets no file
    assert test["t01#0"]["category"] == "multiple" and test["t01#1"]["category"] == "irrelevance"
    assert test["t07#0"]["category"] == "parallel_multiple" and test["t05#0"]["category"] == "irrelevance"
    assert all(r["id"] == f"{r['category']}_{r['id'].rsplit('_', 1)[1]}" for r in test.values())
    assert len({r["id"] for r in test.values()}) == 24
    question = test["t05#1"]["question"]
    assert [m["role"] for m in question[0]] == ["system", "user", "assistant", "user"]


def test_possible_answers_hold_aliases_optional_and_defaults(exported: Path) -> None:
    test = {r["toolsim_item"]: r for r in rows(exported / "test.jsonl")}
    assert test["t01#0"]["ground_truth"] == [{"get_weather": {"city": ["New York", "NYC", "纽约"], "units": ["c", ""]}}]
    assert test["t02#0"]["ground_truth"] == [{"get_weather": {"city": ["Paris"], "days": [3], "units": ["c", ""]}}]
    assert test["t07#0"]["ground_truth"] == [{"get_weather": {"city": ["Paris"], "units": ["c", ""]}},
                                             {"get_weather": {"city": ["Rome"], "units": ["c", ""]}}]
    assert test["t01#1"]["ground_truth"] == []


def test_bfcl_layout_of_the_test_split(exported: Path) -> None:
    questions = rows(exported / "BFCL_v3_toolsim_multiple.json")
    answers = rows(exported / "possible_answer" / "BFCL_v3_toolsim_multiple.json")
    assert [q["id"] for q in questions] == [a["id"] for a in answers] and len(questions) == 8  # 10 call turns, 2 of them parallel
    assert set(questions[0]) == {"id", "question", "function"} and set(answers[0]) == {"id", "ground_truth"}
    convert = next(f for f in questions[0]["function"] if f["name"] == "convert")
    assert convert["parameters"]["type"] == "dict" and convert["parameters"]["properties"]["amount"]["type"] == "float"


def test_schema_types_become_bfcl_names() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "array"}, "where": {"type": ["object", "null"]}}}
    assert bfcl_schema(schema) == {"type": "dict", "required": [], "properties": {
        "tags": {"type": "array", "items": {"type": "any"}}, "where": {"type": "dict", "required": [], "properties": {}}}}
