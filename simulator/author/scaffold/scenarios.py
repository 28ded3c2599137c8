"""The scenarios of a new pack: one per tool (positive), then one of each other category the tools
allow — a question with no tool (negative), a missing fact asked for (clarification), two calls
where the second reads the first (multi-turn, along the tool graph), a refusal (error-recovery:
a declared `errors:` rule, or records a Python sim refuses), a relative day (hard) — each in every
language asked for. What cannot be made is said in `notes`, with how to add it by hand.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.author.scaffold.nested import nested_template
from simulator.author.scaffold.probe import Probe, probe
from simulator.author.scaffold.values import argument, is_date, meeting, parameter, placeholder, simple, slot_for
from simulator.core.data_files import read_data_yaml
from simulator.load.tool_graph import build_graph, identifier_graph
from simulator.spec.blueprint import walk_strings
from simulator.spec.toolkit import State, ToolSimModule
from simulator.spec.tools import ToolSpec

PHRASES = Path(__file__).with_name("phrases.yaml")


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    return read_data_yaml(PHRASES)


def _needed(spec: ToolSpec) -> list[str]:
    """The arguments a scenario's call passes: the required ones — or, when none is required,
    the first parameter (an id-like one first): `lookup_order()` with nothing finds nothing."""
    if spec.required:
        return list(spec.required)
    names = list(spec.parameters.get("properties", {}))
    ids = [n for n in names if n.endswith("_id") or n in ("id", "query", "name", "email")]
    return (ids or names)[:1]


def scenario_id(*parts: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "_", "_".join(parts).lower()).strip("_")


def action(spec: ToolSpec) -> str:
    """"Find doctors by specialty." -> "find doctors by specialty" (braces would be placeholders).
    Only the first clause: "Look up a loan: the book, when it is due" says "look up a loan" (a long
    one would make every request of the tool read alike, and be dropped as near-duplicates)."""
    text = re.split(r"\. |: |; | \(| — ", spec.description.strip())[0].rstrip(". ")
    text = text.replace("{", "(").replace("}", ")")
    text = text or spec.name.replace("_", " ")
    return text[0].lower() + text[1:] if len(text) > 1 and not text[:2].isupper() else text


class Part:
    """One tool's call as a scenario makes it: slots, arguments, an optional record."""

    def __init__(self, spec: ToolSpec) -> None:
        self.spec = spec
        self.slots: dict[str, dict[str, Any]] = {}
        self.args: dict[str, Any] = {}
        self.record: dict[str, Any] | None = None

    def say(self, language: str, kind: str = "ask", leave_out: str | None = None) -> list[str]:
        book = phrases()[language]
        facts = [book["fact"].format(label=name.replace("_", " "), slot=placeholder(name, slot, language))
                 for name, slot in self.slots.items() if name != leave_out and name in self.said]
        joined = book["fact_joiner"].join(facts)
        if joined and language == "en":
            joined = joined[0].upper() + joined[1:] + "."
        lines = book[kind] if facts else book[f"{kind}_bare"]
        return [line.format(action=action(self.spec), facts=joined).strip() for line in lines]

    @property
    def said(self) -> list[str]:
        """Slots the user says (a result read from an earlier call is not said)."""
        return [name for value in self.args.values() for text in walk_strings(value)
                if text.startswith("{") and not text.startswith("{@")
                and (name := text.strip("{}").split(".")[0]) in self.slots]

    def expect(self, **extra: Any) -> dict[str, Any]:
        return {"tool": self.spec.name, "args": dict(self.args), **extra}


class ScenarioBuilder:
    def __init__(self, tools: list[ToolSpec], *, languages: tuple[str, ...] = ("en", "zh"),
                 sims: ToolSimModule | None = None, state: State | None = None, today: date | None = None,
                 seed: int = 0) -> None:
        self.tools, self.languages, self.seed = tools, languages, seed
        self.sims, self.state, self.today = sims, state, today or date(2026, 3, 11)
        self.notes: list[str] = []
        self.probes: dict[str, Probe | None] = {}
        self.parts = {spec.name: part for spec in tools if (part := self._part(spec)) is not None}

    # ------------------------------------------------------------ one call

    def _part(self, spec: ToolSpec, where: str = "works") -> Part | None:
        part = Part(spec)
        extra: dict[str, Any] = {}
        for name in _needed(spec):
            schema = parameter(spec, name)
            if not simple(schema):
                nested = nested_template(schema, name, spec.name, self.seed, part.slots)
                if nested is None:
                    self.notes.append(f"{spec.name}: no scenario — its required {name!r} is an object or a list too "
                                      "deep or wide to spell out; write one by hand with a `value:` slot")
                    return None
                part.args[name] = nested
                continue
            slot = slot_for(spec, name, self.seed)
            if slot is None:
                self.notes.append(f"{spec.name}: no scenario — no value fits its parameter {name!r}")
                return None
            part.slots[name], part.args[name] = slot, argument(name, slot)
            first = (slot.get("choice") or [slot.get("value")])[0]
            extra[name] = self.today.isoformat() if "date" in slot else first
        if self.sims is not None and self.state is not None and spec.name in self.sims.tools:
            found = self.probes.setdefault(spec.name, probe(self.sims, spec, self.state, self.today, extra))
            where_ = getattr(found, where, None) if found else None
            if found is not None and where_ is not None:
                part.record = {"collection": found.collection, "where": where_}
                for param, field_name in found.fields.items():
                    part.slots[param] = {"field": field_name}
            elif found is not None and where == "works":
                self.notes.append(f"{spec.name}: its scenario draws arguments from the schema; the sim refused "
                                  f"every record of {found.collection!r} tried ({found.error})")
        return part

    # ------------------------------------------------------------ the scenarios

    def build(self) -> list[dict[str, Any]]:
        out = [self._single(p, "positive", "positive") for p in self.parts.values()]
        out += self._negatives()
        for make in (self._clarification, self._multi_turn, self._error_recovery, self._hard):
            made = make()
            if made is not None:
                out.append(made)
        return out

    def _turn(self, part: Part, kind: str = "ask", leave_out: str | None = None, **extra: Any) -> dict[str, Any]:
        say = {lang: part.say(lang, kind, leave_out) for lang in self.languages}
        return {"say": say, "expect": [part.expect(**extra)]}

    def _single(self, part: Part, category: str, suffix: str, **extra: Any) -> dict[str, Any]:
        goal = {"positive": "goal_positive", "hard": "goal_hard", "error-recovery": "goal_error"}[category]
        scenario = {"id": scenario_id(part.spec.name, suffix), "category": category,
                    "goal": phrases()["en"][goal].format(tool=part.spec.name),
                    **({"record": part.record} if part.record else {}), "slots": part.slots,
                    "turns": [self._turn(part, **extra)]}
        return scenario

    def _negatives(self) -> list[dict[str, Any]]:
        """Requests no tool answers: what the assistant can do, a greeting, general knowledge."""
        book = phrases()
        out = []
        for kind in ("capabilities", "greeting", "knowledge"):
            turn: dict[str, Any] = {"say": {}, "answer": {}}
            for lang in self.languages:
                named = [action(s) for s in self.tools[:3]]
                actions = book[lang]["actions_joiner"].join(named[:-1]) + book[lang]["actions_last"] + named[-1] \
                    if len(named) > 1 else named[0]
                turn["say"][lang] = book[lang][f"{kind}_say"]
                turn["answer"][lang] = [line.format(actions=actions) for line in book[lang][f"{kind}_answer"]]
            out.append({"id": f"no_tool_{kind}", "category": "negative", "goal": book["en"][f"goal_{kind}"],
                        "turns": [turn]})
        return out

    def _clarification(self) -> dict[str, Any] | None:
        for part in self.parts.values():
            asked = next((n for n in part.said if "choice" in part.slots[n] or "field" in part.slots[n]), None)
            if asked is None:
                continue
            return {"id": scenario_id(part.spec.name, "ask", asked), "category": "clarification",
                    "goal": phrases()["en"]["goal_clarification"].format(
                        tool=part.spec.name, label=asked.replace("_", " ")),
                    **({"record": part.record} if part.record else {}), "slots": part.slots,
                    "turns": [self._turn(part, leave_out=asked)]}
        self.notes.append("no clarification scenario: no tool has a required argument to ask for")
        return None

    def _multi_turn(self) -> dict[str, Any] | None:
        graph = identifier_graph(build_graph({s.name: s for s in self.tools}))
        for a, b, data in sorted(graph.edges(data=True)):
            first, second = self.parts.get(a), self.parts.get(b)
            if first is None or second is None or (first.record and second.record):
                continue
            feed = data["feeds"][0]
            then = Part(second.spec)
            for name, slot in second.slots.items():
                if name != feed.param and "field" not in slot:
                    then.slots[name] = slot
            then.args = {n: v for n, v in second.args.items() if n in then.slots}
            then.args[feed.param] = feed.template
            if any(n in first.slots for n in then.slots) or second.record:
                continue
            return {"id": scenario_id(a, "then", b), "category": "multi-turn",
                    "goal": phrases()["en"]["goal_multi"].format(first=a, second=b),
                    **({"record": first.record} if first.record else {}), "slots": {**first.slots, **then.slots},
                    "turns": [self._turn(first), self._turn(then, kind="then")]}
        names = list(self.parts)
        if len(names) >= 2:
            self.notes.append("multi-turn: no tool's result feeds another's argument (see `toolsim graph`); "
                              "write a two-turn scenario reading {@tool.path} by hand")
        return None

    def _error_recovery(self) -> dict[str, Any] | None:
        for spec in self.tools:
            made = self._declared_error(spec) or self._refused(spec)
            if made is not None:
                return made
        self.notes.append("no error-recovery scenario: no tool declares `errors:` (tools.yaml) or refuses a "
                          "seeded record (Python sims)")
        return None

    def _declared_error(self, spec: ToolSpec) -> dict[str, Any] | None:
        base = self.parts.get(spec.name)
        for rule in spec.errors:
            if base is None or any("." in name for name in rule.when.facts):
                continue
            slots, args = dict(base.slots), dict(base.args)
            for name, wanted in [*rule.when.args.items(), *rule.when.facts.items()]:
                if isinstance(wanted, dict):
                    values = meeting(parameter(spec, name), wanted, name, spec.name, self.seed)
                    slot = {"choice": values} if len(values) > 1 else {"value": values[0]} if values else None
                else:
                    slot = {"choice": wanted} if isinstance(wanted, list) else {"value": wanted}
                if slot is None:
                    break
                slots[name] = slot
                if name in rule.when.args:
                    args[name] = argument(name, slot)
            else:
                part = Part(spec)
                part.slots, part.args = slots, args
                return self._error_scenario(part)
        return None

    def _refused(self, spec: ToolSpec) -> dict[str, Any] | None:
        found = self.probes.get(spec.name)
        if found is None or found.fails is None:
            return None
        part = self._part(spec, where="fails")
        return self._error_scenario(part) if part is not None and part.record else None

    def _error_scenario(self, part: Part) -> dict[str, Any]:
        scenario = self._single(part, "error-recovery", "refused", expect_error=True)
        scenario["hard_cases"] = ["tool_error"]
        return scenario

    def _hard(self) -> dict[str, Any] | None:
        for part in self.parts.values():
            dated = next((n for n in part.said if is_date(parameter(part.spec, n))), None)
            if dated is None:
                continue
            hard = Part(part.spec)
            hard.slots = {**part.slots, dated: {"date": ["this_saturday", "day_after_tomorrow", "next_friday"]}}
            hard.args, hard.record = part.args, part.record
            scenario = self._single(hard, "hard", "relative_day")
            scenario["hard_cases"] = ["relative_date"]
            return scenario
        self.notes.append("no hard scenario: no tool takes a date; tag your own with `hard_cases` "
                          "(alias, number_words, near_miss, ...)")
        return None

