"""BFCL (Berkeley Function Calling Leaderboard) items: the turns `toolsim eval` scores, in the files
BFCL's own AST checker reads, so the same items can be scored by BFCL's checker.

Each assistant turn of a record is one item (`simulator.export.answers`): `question` is the
conversation before the turn (BFCL's list of turns holding one list of messages: the system prompt,
user messages, and the reference's earlier calls and results in OpenAI shape), `function` the
record's tools, `ground_truth` the turn's possible answers. The category follows BFCL's names and
decides which checker applies: a turn without a call is `irrelevance` (right when the model calls
nothing), one call `multiple` (`simple` when the record has one tool), several calls
`parallel_multiple` (`parallel`; BFCL matches them in any order).

What BFCL's format asks for and toolsim's schemas differ in:
- parameter types use BFCL's names (`dict` for `object`, `float` for `number`); a type list
  keeps its first non-null type; `required` is always present and an `array` always has `items`;
- possible answers list every acceptable value (`{"city": ["New York", "NYC"]}`: the pack's
  aliases and labels, as toolsim's eval accepts them); `""` marks an argument that may be left
  out, and a schema `default` the reference left out is offered as `[default, ""]`;
- a free-text argument (an escalation reason) accepts any wording in toolsim's eval, but BFCL
  compares strings, so its possible answer is the reference's wording only: BFCL is stricter there;
  lists compare in order in BFCL (as a multiset in toolsim's eval);
- an object argument's answer is `{key: [value]}`, as BFCL's dict checker reads it.

Ids are BFCL's `<category>_<n>` (its runner reads the category off the id); `toolsim_item` names
the turn as `toolsim eval` does (`<trace id>#<turn>`).
`<split>.jsonl` holds every item of a split with its `category` and `ground_truth`; for the test
split the converter also writes BFCL's own layout: `BFCL_v3_toolsim_<category>.json` (questions)
and `possible_answer/BFCL_v3_toolsim_<category>.json`, one JSON object a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.atomic import atomic_write
from simulator.export.formats.base import Converter, bare_functions
from simulator.export.formats.registry import export_format

if TYPE_CHECKING:
    from simulator.export.answers import Turn

BFCL_TYPES = {"object": "dict", "number": "float"}
QUESTION_FILE = "BFCL_v3_toolsim_{category}.json"


def bfcl_schema(schema: Any) -> Any:
    """A JSON Schema with BFCL's type names, `required` on objects and `items` on arrays."""
    if not isinstance(schema, dict):
        return schema
    out = {k: bfcl_schema(v) if k in ("items", "additionalProperties") else v for k, v in schema.items()}
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is not None:
        out["type"] = BFCL_TYPES.get(kind, kind)
    if "properties" in schema:
        out["properties"] = {name: bfcl_schema(p) for name, p in schema["properties"].items()}
    if kind == "object":
        out.setdefault("required", [])
        out.setdefault("properties", {})
    if kind == "array" and not isinstance(out.get("items"), dict):
        out["items"] = {"type": "any"}
    return out


def bfcl_functions(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"name": f["name"], "description": f.get("description", ""), "parameters": bfcl_schema(f.get("parameters") or {})}
            for f in bare_functions(record)]


def _answer_value(value: Any) -> Any:
    """One acceptable value as BFCL's checkers read it: an object's values become lists."""
    if isinstance(value, dict):
        return {k: [_answer_value(v)] for k, v in value.items()}
    return value


def ground_truth(turn: Turn, parameters: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """BFCL's possible answers of a call turn: one `{tool: {param: [values]}}` per call."""
    answers = []
    for call in turn.calls:
        params: dict[str, list[Any]] = {}
        for name, key in call.args.items():
            values = [_answer_value(v) for v in key.values]
            params[name] = values + ([""] if key.optional else [])
        schema = parameters.get(call.tool) or {}
        for name, prop in (schema.get("properties") or {}).items():
            if name not in params and isinstance(prop, dict) and "default" in prop:
                params[name] = [prop["default"], ""]
        answers.append({call.tool: params})
    return answers


def category(turn: Turn, tools: int) -> str:
    if not turn.calls:
        return "irrelevance"
    if len(turn.calls) == 1:
        return "multiple" if tools > 1 else "simple"
    return "parallel_multiple" if tools > 1 else "parallel"


@export_format("bfcl")
class BFCLConverter(Converter):
    """Fed (trace, record, pack, aliases) by `export_run`; gives one row per assistant turn."""

    input_kind = "trace"

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, dict[str, Any]] = {}
        self._numbers: dict[str, int] = {}

    def _convert(self, traced: Any) -> list[dict[str, Any]]:
        # Imported here: the answer keys read the judge, whose import reads the check registry,
        # which loads plugins, which import this package's `export_format` (not defined yet
        # while this package is being imported).
        from simulator.export.answers import record_turns

        trace, record, pack, table = traced
        functions = bfcl_functions(record)
        parameters = {spec.name: spec.parameters for spec in pack.domain.tools.values()}
        rows = []
        for turn in record_turns(trace, record, pack, table):
            kind = category(turn, len(functions))
            self._numbers[kind] = self._numbers.get(kind, -1) + 1
            row = {
                "id": f"{kind}_{self._numbers[kind]}",  # BFCL reads the category off the id
                "toolsim_item": f"{trace.id}#{turn.number}",
                "category": kind,
                "question": [record["messages"][: turn.position]],
                "function": functions,
                "ground_truth": ground_truth(turn, parameters),
            }
            self._items[row["id"]] = row
            rows.append(row)
        return rows

    def extra_files(self, out_dir: str | Path, split_files: Mapping[str, str | Path] | Iterable[str | Path]) -> list[Path]:
        """BFCL's layout for the test split: a question file and a possible-answer file per category."""
        files = dict(split_files) if isinstance(split_files, Mapping) else {}
        test = files.get("test")
        if test is None or not Path(test).is_file():
            return []
        by_category: dict[str, list[dict[str, Any]]] = {}
        for line in Path(test).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = self._items.get(json.loads(line)["id"])
                if row is not None:
                    by_category.setdefault(row["category"], []).append(row)
        out = Path(out_dir)
        (out / "possible_answer").mkdir(parents=True, exist_ok=True)
        written = []
        for kind, rows in sorted(by_category.items()):
            questions = out / QUESTION_FILE.format(category=kind)
            answers = out / "possible_answer" / QUESTION_FILE.format(category=kind)
            with atomic_write(questions) as f:
                f.writelines(json.dumps({k: r[k] for k in ("id", "question", "function")}, ensure_ascii=False) + "\n"
                             for r in rows)
            with atomic_write(answers) as f:
                f.writelines(json.dumps({"id": r["id"], "ground_truth": r["ground_truth"]}, ensure_ascii=False) + "\n"
                             for r in rows)
            written += [questions, answers]
        return written
