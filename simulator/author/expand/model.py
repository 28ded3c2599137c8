"""Expansion by a model: one request per scenario (and a second for what the first left short).

The model sees the scenario — goal, slots as placeholders, each turn's expected calls, seeds,
which slots are required / askable / kept back — the other tools it must not sound like, and how
many variants each (turn, language) needs; it answers JSON (`REPLY_SCHEMA`). Nothing it says is
trusted: every variant goes through the same `analysis.Checker` as offline ones, choice entries
must carry a code the slot already uses and the slot's keys, new factors of scaled field slots
must be numbers in (0, 1] the slot does not have yet, and whatever fails is dropped and counted.
Prompts live in `prompts/expand.md` and `prompts/expand_case.md`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from simulator.author.expand.analysis import Cell
from simulator.core.messages import SystemMessage, UserMessage
from simulator.core.records import RoleUsage
from simulator.llm.client import LLMClient
from simulator.llm.retry import LLMCallError
from simulator.llm.templates import fill, load_prompt
from simulator.llm.tool_model import parse_json_reply
from simulator.load.variants import choice_codes
from simulator.spec import Scenario
from simulator.spec.models import ModelSettings
from simulator.spec.pack import Pack

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "variants": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "turn": {"type": "integer"}, "language": {"type": "string", "enum": ["en", "zh"]},
                "text": {"type": "string"}, "vague": {"type": "boolean"},
            },
            "required": ["turn", "language", "text", "vague"], "additionalProperties": False,
        }},
        "choices": {"type": "array", "items": {
            "type": "object",
            "properties": {"slot": {"type": "string"}, "entry": {"type": "object"}},
            "required": ["slot", "entry"], "additionalProperties": False,
        }},
        "scales": {"type": "array", "items": {
            "type": "object",
            "properties": {"slot": {"type": "string"}, "factor": {"type": "number"}},
            "required": ["slot", "factor"], "additionalProperties": False,
        }},
    },
    "required": ["variants", "choices", "scales"],
    "additionalProperties": False,
}


def build_messages(pack: Pack, scenario: Scenario, cells: list[Cell], want: dict[tuple[int, str], int],
                   choice_want: dict[str, int], accepted: dict[tuple[int, str], list[str]],
                   scale_want: dict[str, int] | None = None, factors: dict[str, list[float]] | None = None) -> list:
    """`scale_want`: new factors wanted per scaled field slot; `factors`: the ones it has."""
    system = fill(load_prompt("simulator.author.expand", "expand.md"), domain=pack.name)
    case = fill(
        load_prompt("simulator.author.expand", "expand_case.md"),
        scenario_id=scenario.id, category=scenario.category, goal=scenario.goal,
        slots=_slots(scenario, factors or {}), turns=_turns(scenario, cells, accepted),
        other_tools=_other_tools(pack, cells), wanted=_wanted(want, choice_want, scale_want or {}),
    )
    return [SystemMessage(content=system), UserMessage(content=case)]


def _slots(scenario: Scenario, factors: dict[str, list[float]]) -> str:
    lines = []
    for name, spec in scenario.slots.items():
        if spec.choice is not None and choice_codes(scenario, name) is not None:
            keys = sorted(set(spec.choice[0]) - {"code"})
            shown = "; ".join(json.dumps(c, ensure_ascii=False) for c in spec.choice[:6])
            lines.append(f"- `{{{name}}}`: a choice; write `{{{name}.{keys[0]}}}` etc. Entries: {shown}")
        elif spec.field is not None and spec.scale is not None:
            have = ", ".join(f"{f:g}" for f in factors.get(name, spec.scale))
            lines.append(f"- `{{{name}}}`: a number from the record ({spec.field}) times a scale factor; "
                         f"factors so far: {have}")
        else:
            lines.append(f"- `{{{name}}}`")
    return "\n".join(lines) or "- (none)"


def _turns(scenario: Scenario, cells: list[Cell], accepted: dict[tuple[int, str], list[str]]) -> str:
    blocks = []
    for index, turn in enumerate(scenario.turns):
        calls = ", ".join(f"{c.tool}({json.dumps(c.args, ensure_ascii=False)})" for c in turn.expect) or "no tool"
        block = [f"### Turn {index}", f"Expected: {calls}"]
        for cell in (c for c in cells if c.turn == index):
            block.append(
                f"- {cell.language}: required {_names(cell.required)}; askable {_names(cell.askable & cell.allowed)}"
                f"{'' if cell.vague_ok else ' (no vague variants in this scenario)'}; "
                f"kept back {_names(cell.needed - cell.allowed)}"
            )
            block += [f"  - seed: {json.dumps(s, ensure_ascii=False)}" for s in cell.seeds]
            block += [f"  - accepted: {json.dumps(s, ensure_ascii=False)}" for s in accepted.get(cell.key, [])]
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def _names(slots: frozenset[str]) -> str:
    return ", ".join(f"{{{s}}}" for s in sorted(slots)) or "none"


def _other_tools(pack: Pack, cells: list[Cell]) -> str:
    mine = set().union(*(c.tools for c in cells)) if cells else set()
    others = [t for name, t in pack.domain.tools.items() if name not in mine]
    return "\n".join(f"- {t.name}: {t.description}" for t in others) or "- (none)"


def _wanted(want: dict[tuple[int, str], int], choice_want: dict[str, int], scale_want: dict[str, int]) -> str:
    lines = [f"- turn {turn}, {language}: {n} new message(s)" for (turn, language), n in sorted(want.items()) if n]
    lines += [f"- slot {slot}: {n} new choice phrase(s)" for slot, n in sorted(choice_want.items()) if n]
    lines += [f"- slot {slot}: {n} new scale factor(s), each more than 0 and at most 1, not one it has"
              for slot, n in sorted(scale_want.items()) if n]
    return "\n".join(lines) or "- nothing"


Items = list[dict[str, Any]]


def parse_reply(raw: str | None) -> tuple[Items, Items, Items, Counter]:
    """(variant items, choice items, scale items, problems) of a reply; a reply that is not JSON is
    one problem. A scale item's factor is checked later, with the slot's factors at hand."""
    problems: Counter = Counter()
    try:
        value = parse_json_reply(raw)
    except ValueError:
        problems["unparseable model reply"] += 1
        return [], [], [], problems
    if not isinstance(value, dict):
        problems["unparseable model reply"] += 1
        return [], [], [], problems
    variants, choices, scales = [], [], []
    for item in value.get("variants") or []:
        if (isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(item.get("turn"), int)
                and item.get("language") in ("en", "zh")):
            variants.append({**item, "vague": item.get("vague") is True})
        else:
            problems["malformed variant item"] += 1
    for item in value.get("choices") or []:
        if isinstance(item, dict) and isinstance(item.get("slot"), str) and isinstance(item.get("entry"), dict):
            choices.append(item)
        else:
            problems["malformed choice item"] += 1
    for item in value.get("scales") or []:
        if isinstance(item, dict) and isinstance(item.get("slot"), str) and "factor" in item:
            scales.append(item)
        else:
            problems["malformed scale item"] += 1
    return variants, choices, scales, problems


async def ask(settings: ModelSettings, client: LLMClient, messages: list, salt: str,
              usage: RoleUsage) -> str | None:
    """The raw reply text, or None when the call failed."""
    response_format = {"type": "json_schema", "json_schema": {"name": "variants", "schema": REPLY_SCHEMA}}
    try:
        completion = await client.complete(settings, messages, response_format=response_format, cache_salt=salt)
    except LLMCallError:
        return None
    usage.add(completion.usage)
    return completion.raw_content
