"""Load checks of the `errors:` a schema-only tool declares (`simulator.spec.tool_errors`).

A rule that can never fire is a refusal the dataset silently never shows, so each is checked
where it is written: argument names must be parameters, a condition value must be one the
parameter can take (or a valid JSON Schema), the message may only name what is there when the
rule fires. Fact names are checked against the scenarios' slots once the scenarios are loaded
(`unknown_facts`): a typo there would make the rule dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from simulator.core.errors import Problem
from simulator.spec.blueprint import placeholders
from simulator.spec.scenario import Scenario
from simulator.spec.tools import ToolSpec
from simulator.spec.validation import schema_errors, schema_problems


@dataclass(frozen=True)
class FactReference:
    """A fact a declared error tests, and the problem to report if no scenario has that slot."""

    slot: str
    problem: Problem


def rule_problems(spec: ToolSpec) -> list[tuple[tuple[Any, ...], str]]:
    """(location inside the tool entry, message) for each unusable part of its `errors:`."""
    found: list[tuple[tuple[Any, ...], str]] = []
    properties = spec.parameters.get("properties", {}) if isinstance(spec.parameters, dict) else {}
    for j, rule in enumerate(spec.errors):
        loc = ("errors", j)
        for name, wanted in rule.when.args.items():
            at = loc + ("when", "args", name)
            if name not in properties:
                known = ", ".join(sorted(properties)) or "none"
                found.append((at, f"{spec.name!r} has no parameter {name!r} (parameters: {known})"))
                continue
            found += [(at, m) for m in _condition_problems(wanted, properties[name], name)]
        for name, wanted in rule.when.facts.items():
            if isinstance(wanted, dict):
                found += [(loc + ("when", "facts", name), f"not a JSON Schema: {m}") for m in schema_problems(wanted)]
        allowed = set(properties) | {name.split(".")[0] for name in rule.when.facts}
        for name in placeholders(rule.error):
            if name.split(".")[0] not in allowed:
                found.append((loc + ("error",), (
                    f"{{{name}}} is neither a parameter of {spec.name!r} nor a fact its `when.facts` tests "
                    f"(it can name: {', '.join(sorted(allowed)) or 'nothing'})"
                )))
    return found


def _condition_problems(wanted: Any, parameter: Any, name: str) -> list[str]:
    """A condition on an argument the call can never pass is a rule that never fires."""
    if isinstance(wanted, dict):
        problems = schema_problems(wanted)
        return [f"not a JSON Schema: {m}" for m in problems]
    if not isinstance(parameter, dict):
        return []
    options = wanted if isinstance(wanted, list) else [wanted]
    dead = [o for o in options if schema_errors(parameter, o)]
    if len(dead) < len(options):
        return []  # at least one value the parameter accepts: the rule can fire
    first = schema_errors(parameter, dead[0])[0]
    return [f"no call can pass {name}={dead[0]!r} ({first}), so this error never happens"]


def fact_references(spec: ToolSpec, problem_at: Any) -> list[FactReference]:
    """The facts the tool's rules test, each with the problem to report if no scenario has it;
    `problem_at(loc, message)` makes a Problem at a location inside the tool entry."""
    refs = []
    for j, rule in enumerate(spec.errors):
        for name in rule.when.facts:
            slot = name.split(".")[0]
            message = (f"no scenario has a slot {slot!r}, so this error never happens "
                       "(a fact is a slot of the scenario being played)")
            refs.append(FactReference(slot, problem_at(("errors", j, "when", "facts", name), message)))
    return refs


def unknown_facts(refs: Iterable[FactReference], scenarios: Iterable[Scenario]) -> list[Problem]:
    slots = {name for s in scenarios for name in s.slots}
    return [ref.problem for ref in refs if ref.slot not in slots]
