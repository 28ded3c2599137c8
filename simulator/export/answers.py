"""What each assistant turn of a dataset record accepts: the answer key that turn-level evaluation
(`simulator.eval`) scores a model against and the BFCL export (`formats/bfcl.py`) writes as
"possible answers".

A record is cut at every assistant message: the messages before it are the prompt, the message is
the reference. For a turn that calls tools, each reference call gets, per argument, the list of
values that count as right, built the way BFCL writes its possible answers and from what the pack
knows:
- the value the reference passed, and the blueprint's value for it (a blueprint list for a
  parameter that takes no arrays is a set of acceptable values);
- the pack's aliases of each of those values — the words of a `choice` entry whose `code` it is
  (`{code: New York, en: NYC, zh: 纽约}`) and `domain.value_labels` (`shipped` → 已发货) — kept
  only where the parameter's schema accepts them: "NYC" is right for a free-text city, not for a
  city `enum` of canonical names;
- a blueprint literal written as prose (an escalation reason) accepts any non-empty string, as the
  judge does (`simulator.judge.expected.is_free_text`);
- an argument the blueprint does not name and the schema does not require may be left out.
A turn that calls nothing is a clarifying question (`asks`: it answers a user message, a later turn
of the record calls, and it asks — a question mark, or a scenario that teaches asking), an answer
after tool results ("… Anything else?" is an answer, not a clarification), or an answer without a
call.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from simulator.core.records import Trace
from simulator.judge.conversation import walk
from simulator.judge.expected import is_free_text, match_expected
from simulator.spec.blueprint import MissingValue, render_args
from simulator.spec.pack import Pack
from simulator.spec.scenario import Scenario
from simulator.spec.validation import schema_errors

QUESTION_MARKS = ("?", "？")
KEEP_IN_STRINGS = frozenset("@")  # punctuation that tells values apart (an e-mail address)


@dataclass(frozen=True)
class ArgAnswer:
    """The values one argument may take. `free_text`: any non-empty string is right."""

    values: tuple[Any, ...]
    free_text: bool = False
    optional: bool = False


@dataclass(frozen=True)
class CallAnswer:
    tool: str
    reference: dict[str, Any]  # the arguments the reference call passed
    args: dict[str, ArgAnswer]


@dataclass(frozen=True)
class Turn:
    """One assistant turn of a record: `position` indexes `record["messages"]`, `number` counts
    the record's assistant messages from 0."""

    number: int
    position: int
    calls: tuple[CallAnswer, ...]
    asks: bool = False
    after_results: bool = False  # the last message before it is a tool result

    @property
    def should_call(self) -> bool:
        return bool(self.calls)

    @property
    def kind(self) -> str:
        """call | clarify | answer (after tool results) | no_call."""
        if self.calls:
            return "call"
        if self.asks:
            return "clarify"
        return "answer" if self.after_results else "no_call"


# ---------------------------------------------------------------- value comparison


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """BFCL's string standardisation, Unicode-aware: case-folded, full-width folded (NFKC),
    without white space or punctuation (but keeping `@`), so "New York" = "new-york" and
    "April 1, 2024" = "April 1 2024". Cached: the same values and aliases recur in every record."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        ch for ch in folded
        if ch in KEEP_IN_STRINGS or not (ch.isspace() or unicodedata.category(ch)[0] in "PZ")
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def values_match(actual: Any, expected: Any) -> bool:
    """Normalised equality of one argument value: numbers by value (an int equals its float),
    strings by `normalize_text`, lists as multisets, objects key by key, every scalar compared."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if _is_number(actual) and _is_number(expected):
        return math.isclose(float(actual), float(expected), rel_tol=0.0, abs_tol=1e-9)
    if isinstance(actual, str) and isinstance(expected, str):
        return normalize_text(actual) == normalize_text(expected)
    if isinstance(actual, list) and isinstance(expected, list):
        if len(actual) != len(expected):
            return False
        left = list(expected)
        for item in actual:
            hit = next((i for i, e in enumerate(left) if values_match(item, e)), None)
            if hit is None:
                return False
            left.pop(hit)
        return True
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(values_match(actual[k], v) for k, v in expected.items())
    return actual is None and expected is None


def strictly_equal(actual: Any, expected: Any) -> bool:
    """Exact equality with JSON types kept apart (`true` is not `1`, `"5"` is not `5`)."""
    if type(actual) is not type(expected) and not (_is_number(actual) and _is_number(expected)):
        return False
    if isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(strictly_equal(actual[k], expected[k]) for k in actual)
    if isinstance(actual, list):
        return len(actual) == len(expected) and all(strictly_equal(a, e) for a, e in zip(actual, expected))
    return bool(actual == expected)


# ---------------------------------------------------------------- the pack's aliases


def _choice_aliases(scenario: Scenario, table: dict[str, set[str]]) -> None:
    for slot in scenario.slots.values():
        for entry in slot.choice or []:
            if isinstance(entry, dict) and "code" in entry and not isinstance(entry["code"], (dict, list)):
                words = {v for k, v in entry.items() if k != "code" and isinstance(v, str) and v.strip()}
                table.setdefault(normalize_text(str(entry["code"])), set()).update(words)


def aliases(pack: Pack) -> dict[str, frozenset[str]]:
    """normalised value → the words the pack uses for it (choice phrases, value labels)."""
    table: dict[str, set[str]] = {}
    for scenario in pack.scenarios.values():
        _choice_aliases(scenario, table)
    for labels in pack.domain.config.value_labels.values():
        for value, label in labels.items():
            if isinstance(label, str):
                table.setdefault(normalize_text(value), set()).add(label)
    return {k: frozenset(v) for k, v in table.items()}


# ---------------------------------------------------------------- one record's turns


def _param_schema(pack: Pack, tool: str, arg: str) -> dict[str, Any] | None:
    spec = pack.domain.tools.get(tool)
    schema = (spec.parameters.get("properties") or {}).get(arg) if spec is not None else None
    return schema if isinstance(schema, dict) else None


def _takes_arrays(schema: dict[str, Any] | None) -> bool:
    kind = (schema or {}).get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


@lru_cache(maxsize=4096)
def _accepts(schema_json: str, value: str) -> bool:
    """Whether a parameter's schema accepts a string (cached: the same aliases recur in every record)."""
    return not schema_errors(json.loads(schema_json), value)


def _with_aliases(values: list[Any], schema: dict[str, Any] | None, table: dict[str, frozenset[str]]) -> tuple[Any, ...]:
    out: list[Any] = []
    for value in values:
        if not any(strictly_equal(value, seen) for seen in out):
            out.append(value)
    for value in list(out):
        if not isinstance(value, str):
            continue
        for alias in sorted(table.get(normalize_text(value), ())):
            if any(isinstance(v, str) and normalize_text(v) == normalize_text(alias) for v in out):
                continue
            if schema is None or _accepts(json.dumps(schema, sort_keys=True), alias):
                out.append(alias)
    return tuple(out)


def _call_answer(pack: Pack, tool: str, reference: dict[str, Any], blueprint: tuple[Any, dict[str, Any]] | None,
                 table: dict[str, frozenset[str]]) -> CallAnswer:
    spec = pack.domain.tools.get(tool)
    required = set(spec.required) if spec is not None else set()
    expected, rendered = blueprint if blueprint is not None else (None, {})
    args: dict[str, ArgAnswer] = {}
    for name in list(reference) + [k for k in rendered if k not in reference]:
        schema = _param_schema(pack, tool, name)
        if expected is not None and is_free_text(expected.args.get(name)):
            args[name] = ArgAnswer(values=(reference[name],) if name in reference else (), free_text=True)
            continue
        values: list[Any] = [reference[name]] if name in reference else []
        if name in rendered:
            wanted = rendered[name]
            values += wanted if isinstance(wanted, list) and not _takes_arrays(schema) else [wanted]
        optional = name not in rendered and name not in required
        args[name] = ArgAnswer(values=_with_aliases(values, schema, table), optional=optional)
    return CallAnswer(tool=tool, reference=dict(reference), args=args)


def _blueprints(trace: Trace, pack: Pack, scenario: Scenario | None) -> dict[str, tuple[Any, dict[str, Any]]]:
    """call id → (the expected call it matched, its rendered arguments)."""
    if scenario is None:
        return {}
    view = walk(trace)
    expected = [call for turn in scenario.turns for call in turn.expect]
    found: dict[str, tuple[Any, dict[str, Any]]] = {}
    for call, site in match_expected(view.calls, expected, trace.facts).matched:
        try:
            found[site.call.id] = (call, render_args(call, trace.facts, site.results))
        except MissingValue:
            continue
    return found


def _parsed(arguments: str) -> dict[str, Any]:
    try:
        value = json.loads(arguments)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def record_turns(trace: Trace, record: dict[str, Any], pack: Pack,
                 table: dict[str, frozenset[str]] | None = None) -> list[Turn]:
    """The turns of `record` (the canonical record of `trace`, `simulator.export.openai`) with
    their answer keys. The k-th assistant message of the record is the k-th of the trace.
    `table`: `aliases(pack)`, computed once by a caller that reads many records."""
    scenario = pack.scenarios.get(trace.episode.scenario_id)
    teaches_asking = scenario is not None and (
        scenario.category == "clarification" or "missing_argument" in scenario.hard_cases
    )
    blueprints = _blueprints(trace, pack, scenario)
    table = aliases(pack) if table is None else table
    messages = record["messages"]
    positions = [i for i, m in enumerate(messages) if m.get("role") == "assistant"]
    calls_at = [bool(messages[i].get("tool_calls")) for i in positions]
    turns: list[Turn] = []
    for number, position in enumerate(positions):
        message = messages[position]
        answers = tuple(
            _call_answer(pack, c["function"]["name"], _parsed(c["function"]["arguments"]), blueprints.get(c["id"]), table)
            for c in message.get("tool_calls") or []
        )
        after_results = position > 0 and messages[position - 1].get("role") == "tool"
        asks = False
        if not answers and not after_results and any(calls_at[number + 1:]):
            text = message.get("content") or ""
            asks = teaches_asking or any(q in text for q in QUESTION_MARKS)
        turns.append(Turn(number=number, position=position, calls=answers, asks=asks, after_results=after_results))
    return turns


__all__ = [
    "ArgAnswer", "CallAnswer", "Turn", "aliases", "normalize_text", "record_turns", "strictly_equal", "values_match",
]

