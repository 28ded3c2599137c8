"""`toolsim new --from-openapi` on documents it cannot import: every one is bad input — one
`file:line: what is wrong` per problem, exit 2, no traceback, nothing written — never a crash,
whatever part of the document is the wrong type."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
import yaml

from simulator.author.importers.naming import Filter
from simulator.author.importers.openapi import import_openapi
from simulator.cli import main
from simulator.core.errors import InputError

SPEC = Path(__file__).parents[2] / "examples" / "bring-your-own-tools" / "bookshop.openapi.yaml"
HEAD = "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n"


def one_get(parameters: str) -> str:
    """A document of one operation whose `parameters:` (line 7) are `parameters`."""
    return (HEAD + "paths:\n  /a:\n    get:\n      operationId: a\n      parameters:" + parameters
            + "      responses: {'200': {description: ok}}\n")


CASES = {
    "invalid YAML": (HEAD.replace("'1'}", "'1'") + "paths: {}\n", 3, "invalid YAML"),
    "parameters not a list": (one_get(" 5\n"), 7,
                              "paths./a.get.parameters: expected a list, got a number"),
    "a parameter without a name": (one_get("\n        - {in: query}\n"), 8,
                                   "paths./a.get.parameters[0]: 'name' is a required property"),
    "a Swagger 2.0 place": (one_get("\n        - {name: q, in: body}\n"), 8,
                            "parameters[0].in: expected one of path, query, header, cookie, got 'body'"),
    "a $ref to text": ("x-texts: {p: hello}\n" + one_get("\n        - $ref: '#/x-texts/p'\n"), 9,
                       "paths./a.get.parameters[0]: expected a mapping, got text"),
    "a $ref by name into a list": ("x-list: [1]\n" + one_get("\n        - $ref: '#/x-list/first'\n"), 5,
                                   "$ref '#/x-list/first' does not resolve"),
    "a $ref to a missing file": (one_get("\n        - $ref: 'common.yaml#/Q'\n"), 4,
                                 "$ref 'common.yaml#/Q' does not resolve"),
    "info and servers of the wrong type": (HEAD.replace("{title: x, version: '1'}", "just text")
                                           + "servers: {url: 'http://x'}\npaths: {}\n", 2,
                                           "info: expected a mapping, got text"),
    "a path item that is a number": (HEAD + "paths:\n  /a: 7\n", 4, "paths./a: expected a mapping, got a number"),
    "no operations": (HEAD + "paths: {}\n", 3, "no operation left to import"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_document_is_bad_input_at_its_line_and_nothing_is_written(case, tmp_path, monkeypatch, capsys):
    text, line, message = CASES[case]
    (tmp_path / "api.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["new", "shop", "--from-openapi", "api.yaml"]) == 2
    err = capsys.readouterr().err
    assert f"api.yaml:{line}: " in err and message in err, err
    assert "Traceback" not in err and sorted(p.name for p in tmp_path.iterdir()) == ["api.yaml"]


@pytest.mark.slow
def test_any_part_of_the_document_of_the_wrong_type_is_bad_input_never_a_crash(tmp_path):
    """The bookshop document with one to three of its values replaced by a value of another type
    (or a `$ref` that leads nowhere, or to the wrong thing), 150 times over: each import either
    works or raises `InputError` with a line."""
    base = yaml.safe_load(SPEC.read_text())
    locations: list[tuple] = []

    def walk(value, loc=()):
        locations.append(loc)
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            walk(child, (*loc, key))

    walk(base)
    wrong = [5, "x", [], {}, None, True, [1], -1.5, {"$ref": "#/nope"}, {"$ref": "#/info/title/0"},
             {"$ref": "#/paths"}, {"type": "object", "properties": 3}, {"type": "object", "required": [[1]]},
             {"allOf": [3]}, {"allOf": [{"properties": {"a": 1}, "required": 3}]}]
    rng = random.Random(17)
    for _ in range(150):
        document = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            *parents, last = rng.choice(locations[1:])
            node = document
            try:
                for key in parents:
                    node = node[key]
                node[last] = copy.deepcopy(rng.choice(wrong))
            except (KeyError, IndexError, TypeError):
                pass  # an earlier change in this round replaced an ancestor
        (tmp_path / "api.yaml").write_text(yaml.safe_dump(document))
        try:
            import_openapi(tmp_path / "api.yaml", name="shop", patterns=Filter())
        except InputError as exc:
            assert all(p.line for p in exc.problems if p.path.endswith("api.yaml")), exc.problems
