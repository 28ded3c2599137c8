"""The text of a new pack's files: the scenario file (commented, for a human to edit), its system
prompt, a tools.yaml and starter personas. YAML values are written in flow style as JSON, which
YAML reads as is, so a value never changes on the way (ids stay strings, Chinese stays readable).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import yaml

from simulator.spec.tools import ToolSpec

HEADER = """\
# {name}: a pack made by `toolsim new`. Next:
#   1. rewrite the `say` lines in your users' words (keep the {{placeholders}}; add more variants):
#      the generated ones are plain placeholders, and the Chinese ones quote the English descriptions,
#   2. write `replies` (how the offline assistant answers from a result) and `ask` questions,
#   3. toolsim validate {path}   then   toolsim run {path}
# Every field is described in docs/scenario-format.md.
"""

PERSONAS = {
    "en_plain": {"id": "en_plain", "name": "Sam", "description": "An everyday user who says what they need.",
                 "language": "en", "cooperativeness": 0.7},
    "en_terse": {"id": "en_terse", "name": "Alex", "description": "Busy and brief; gives details when asked.",
                 "language": "en", "verbosity": "terse", "cooperativeness": 0.3},
    "zh_plain": {"id": "zh_plain", "name": "王芳", "description": "普通用户，说清楚自己要什么。",
                 "language": "zh", "cooperativeness": 0.7},
}


def flow(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def scenario_file(name: str, path: str, tools_ref: str, personas_ref: str, tools: Sequence[ToolSpec],
                  scenarios: list[dict[str, Any]], languages: Sequence[str], notes: Sequence[str],
                  domain_lines: str = "") -> str:
    out = [HEADER.format(name=name, path=path)]
    if notes:
        out.append("# Not made (write them by hand if you need them):\n")
        out += [f"#   - {note}\n" for note in notes]
    empty = flow({lang: [] for lang in languages})
    out.append(f"name: {name}\ndomain:\n  tools: {flow(tools_ref)}\n  system_prompt_file: {name}.system.md\n")
    out.append(domain_lines)
    out.append("  replies:            # per tool, e.g. [\"I found {items_count} items: {items_list}.\"]\n")
    out += [f"    {spec.name}: {empty}\n" for spec in tools]
    out.append("  ask: {}             # per slot, e.g. item_id: {en: [\"Which item? It looks like ITM-1234.\"]}\n")
    out.append(f"personas: [{flow(personas_ref)}]\n")
    multi = any(s["category"] == "multi-turn" for s in scenarios)
    out.append("generation:\n  seed: 1\n")
    out.append("  # a small first dataset; more `say` variants (or `toolsim expand`) let it grow without duplicates\n")
    out.append(f"  mix: {{per_tool: 8, no_tool_share: 0.1, min_multi_turn: {2 if multi else 0}}}\n")
    out.append("scenarios:\n")
    for scenario in scenarios:
        out.append(_scenario(scenario))
    return "".join(out)


def _scenario(s: dict[str, Any]) -> str:
    lines = [f"  - id: {s['id']}\n", f"    category: {s['category']}\n", f"    goal: {flow(s['goal'])}\n"]
    if s.get("hard_cases"):
        lines.append(f"    hard_cases: {flow(s['hard_cases'])}\n")
    if s.get("record"):
        lines.append(f"    record: {flow(s['record'])}\n")
    if s.get("slots"):
        lines.append("    slots:\n")
        lines += [f"      {name}: {flow(slot)}\n" for name, slot in s["slots"].items()]
    lines.append("    turns:\n")
    for turn in s["turns"]:
        lines.append("      - say:\n")
        lines += [f"          {lang}: {flow(variants)}\n" for lang, variants in turn["say"].items()]
        if turn.get("expect"):
            lines.append("        expect:\n")
            lines += [f"          - {flow(call)}\n" for call in turn["expect"]]
        if turn.get("answer"):
            lines.append("        answer:\n")
            lines += [f"          {lang}: {flow(variants)}\n" for lang, variants in turn["answer"].items()]
    return "".join(lines)


def system_prompt(name: str, tools: Sequence[ToolSpec]) -> str:
    listed = "\n".join(f"- {spec.name}: {spec.description.strip()}" for spec in tools)
    return (f"You are the assistant of {name}. Use a tool when a request needs one, ask when a detail the "
            f"tool needs is missing, and answer directly when no tool fits.\n\nTools:\n{listed}\n\n"
            "Today is {today} ({weekday}).\n")


def tools_yaml(tools: Sequence[ToolSpec]) -> str:
    """A tools.yaml of schema-only tools (what `toolsim new --from-...` importers write too)."""
    entries = [spec.model_dump(mode="json", exclude_defaults=True) for spec in tools]
    return yaml.safe_dump({"tools": entries}, sort_keys=False, allow_unicode=True, width=110)


def persona_files() -> dict[str, str]:
    return {f"personas/{pid}.yaml": yaml.safe_dump(p, sort_keys=False, allow_unicode=True)
            for pid, p in PERSONAS.items()}
