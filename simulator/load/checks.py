"""Cross-reference checks of a scenario file against its tools, personas and seeded state.

Each scenario is structurally valid by now (pydantic); what remains are mistakes that only show
when the parts meet — and that would otherwise surface hours later as rejected traces or a
`MissingValue` in the middle of a run: a call to a tool that does not exist, a `{slot}` no slot
fills (a seed utterance the offline user cannot render), a `{@tool.path}` read before the tool is
called, a literal argument the tool's schema refuses, a record from a collection the sims never
create, a no-tool turn the offline assistant has no answer for. Every problem points at the line
of the offending value.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from simulator.core.errors import Problem
from simulator.core.yaml_lines import Loc, YamlDocument, format_loc
from simulator.load.hard_cases import check_hard_cases
from simulator.load.tools import LoadedTools
from simulator.spec import (
    LANGUAGES,
    DomainConfig,
    ExpectedCall,
    Persona,
    Scenario,
    ToolSpec,
)
from simulator.spec.blueprint import (
    PLACEHOLDER,
    MissingValue,
    lookup,
    matches,
    placeholders,
    takes_arrays,
    walk_strings,
)
from simulator.spec.toolkit import State
from simulator.spec.validation import format_path, validator_for


@dataclass
class PackContext:
    """What the checks compare scenarios against. A part that failed to load is None (its own
    problems are reported already; checking against it would only add noise)."""

    doc: YamlDocument
    tools: LoadedTools | None = None
    personas: dict[str, Persona] = field(default_factory=dict)
    persona_ids: set[str] | None = None  # every id declared, including files that failed to validate
    personas_complete: bool = False  # every persona file loaded: language coverage can be judged
    state: State | None = None  # seeded tool state; None for schema-only domains

    def problem(self, loc: Loc, message: str) -> Problem:
        return self.doc.problem(loc, f"{format_loc(loc)}: {message}")


def check_domain(ctx: PackContext, domain: DomainConfig) -> list[Problem]:
    """`domain.replies` keys must be tools (`ask` keys are free-form slot names: not checked)."""
    if ctx.tools is None:
        return []
    return [
        ctx.problem(
            ("domain", "replies", name),
            f"replies for unknown tool {name!r}{_choices(name, ctx.tools.names, 'tools')}",
        )
        for name in domain.replies
        if name not in ctx.tools.names
    ]


def check_scenarios(ctx: PackContext, scenarios: Iterable[tuple[int, Scenario]]) -> list[Problem]:
    """Every cross-reference problem of the (structurally valid) scenarios, by their list index."""
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, scenario in scenarios:
        base: Loc = ("scenarios", index)
        if scenario.id in first_index:
            other = first_index[scenario.id]
            problems.append(ctx.problem(base + ("id",), (
                f"duplicate scenario id {scenario.id!r} (also scenarios[{other}] on line "
                f"{ctx.doc.line(('scenarios', other, 'id'))})"
            )))
        else:
            first_index[scenario.id] = index
        problems += _check_scenario(ctx, base, scenario)
    return problems


def _check_scenario(ctx: PackContext, base: Loc, scenario: Scenario) -> Iterator[Problem]:
    tools = ctx.tools
    if tools is not None and scenario.tool is not None and scenario.tool not in tools.names:
        hint = _choices(scenario.tool, tools.names, "tools")
        yield ctx.problem(base + ("tool",), f"unknown tool {scenario.tool!r}{hint}")
    yield from _check_personas(ctx, base, scenario)
    yield from _check_record(ctx, base, scenario)
    yield from check_hard_cases(ctx.problem, base, scenario)
    yield from _check_choice_entries(ctx, base, scenario)
    called: set[str] = set()
    for t, turn in enumerate(scenario.turns):
        turn_loc = base + ("turns", t)
        if turn.variant_of:
            yield ctx.problem(turn_loc + ("variant_of",), (
                "`variant_of` is set by the loader for generated variants (the variants file); "
                "remove it from the scenario file"
            ))
        for loc, template in _localized(ctx.doc, turn_loc + ("say",), turn.say):
            yield from _check_template(ctx, loc, template, scenario, called)
        for c, call in enumerate(turn.expect):
            yield from _check_call(ctx, base, turn_loc + ("expect", c), call, scenario, called)
            called.add(call.tool)
        if turn.answer is not None:
            for loc, template in _localized(ctx.doc, turn_loc + ("answer",), turn.answer):
                yield from _check_template(ctx, loc, template, scenario, called)
        if not turn.expect:
            have = turn.answer.languages() if turn.answer else set()
            missing = sorted(scenario.languages - have)
            if missing:
                yield ctx.problem(turn_loc, (
                    f"a turn without expected calls needs an `answer` (the offline assistant's reply) "
                    f"in every language of the scenario; missing: {', '.join(missing)}"
                ))


def _check_choice_entries(ctx: PackContext, base: Loc, scenario: Scenario) -> Iterator[Problem]:
    """A choice entry with an empty key: `{code: x, en: a, b and c}` is YAML for `en: a` plus a
    key `b and c` with no value (a phrase with a comma needs quotes), and the rest is lost."""
    for name, slot in scenario.slots.items():
        for i, entry in enumerate(slot.choice or []):
            if isinstance(entry, dict):
                for key, value in entry.items():
                    if value is None:
                        yield ctx.problem(base + ("slots", name, "choice", i), (
                            f"choice entry has a key {key!r} with no value: a phrase with a comma "
                            f"needs quotes (en: \"a, b and c\")"
                        ))


def _check_personas(ctx: PackContext, base: Loc, scenario: Scenario) -> Iterator[Problem]:
    """Known persona ids, a language shared by every turn, and a persona who speaks it."""
    if ctx.persona_ids is not None:
        for j, pid in enumerate(scenario.personas or []):
            if pid not in ctx.persona_ids:
                hint = _choices(pid, ctx.persona_ids, "personas")
                yield ctx.problem(base + ("personas", j), f"unknown persona {pid!r}{hint}")
    if not scenario.languages:
        per_turn = "; ".join(
            f"turn {t}: {', '.join(sorted(turn.say.languages())) or 'none'}" for t, turn in enumerate(scenario.turns)
        )
        yield ctx.problem(base + ("turns",), f"no language has a `say` in every turn ({per_turn})")
        return
    if not ctx.personas_complete:
        return  # a persona that failed to load might be the one who speaks it
    pool = [p for pid, p in ctx.personas.items() if scenario.personas is None or pid in scenario.personas]
    if pool and not any(p.language in scenario.languages for p in pool):
        spoken = ", ".join(sorted({p.language for p in pool}))
        yield ctx.problem(base, (
            f"no persona that may play scenario {scenario.id!r} speaks {', '.join(sorted(scenario.languages))} "
            f"(the languages every turn has); they speak {spoken}"
        ))


def _check_record(ctx: PackContext, base: Loc, scenario: Scenario) -> Iterator[Problem]:
    field_slots = {name: slot.field for name, slot in scenario.slots.items() if slot.field is not None}
    if scenario.record is None:
        for name in field_slots:
            yield ctx.problem(base + ("slots", name, "field"), (
                f"slot {name!r} reads a field of the scenario's record, but the scenario has no `record`"
            ))
        return
    if ctx.tools is not None and ctx.tools.sims is None:
        # Schema-only tools keep no state: every episode would crash picking the record.
        yield ctx.problem(base + ("record",), (
            "schema-only tools (a tools.yaml) keep no state, so there is no record to pick and every "
            "episode would fail; give the slots as `fake`, `choice`, `value` or `date` instead"
            + (f" (field slots: {', '.join(field_slots)})" if field_slots else "")
        ))
        return
    if not field_slots:
        yield ctx.problem(base + ("record",), "`record` is given but no slot reads a `field` from it")
    if ctx.state is None:
        return  # schema-only tools (or a seeder that failed): nothing to check against
    collection = scenario.record.collection
    if collection not in ctx.state:
        yield ctx.problem(base + ("record", "collection"), (
            f"collection {collection!r} is not in the sims' seeded state"
            f"{_choices(collection, ctx.state, 'collections')}"
        ))
        return
    records = [r for r in ctx.state[collection] if isinstance(r, dict)]
    for key in scenario.record.where:
        if not _resolves_somewhere(key, records):
            yield ctx.problem(base + ("record", "where", key), f"no seeded {collection!r} record has a field {key!r}")
    for index, path in enumerate(scenario.record.unique):
        if not _resolves_somewhere(path, records):
            yield ctx.problem(base + ("record", "unique", index), f"no seeded {collection!r} record has a field {path!r}")
    for name, path in field_slots.items():
        if not _resolves_somewhere(path, records):
            yield ctx.problem(base + ("slots", name, "field"), f"no seeded {collection!r} record has a field {path!r}")
        elif scenario.slots[name].scale is not None:
            text = _non_number(path, records, scenario.record.where)
            if text is not None:
                yield ctx.problem(base + ("slots", name, "scale"), (
                    f"slot {name!r} scales field {path!r}, but it is not a number in the seeded "
                    f"{collection!r} records ({text!r})"
                ))


def _resolves_somewhere(path: str, records: list[dict[str, Any]]) -> bool:
    for record in records:
        try:
            lookup(path, record)
            return True
        except MissingValue:
            continue
    return False


def _non_number(path: str, records: list[dict[str, Any]], where: dict[str, Any]) -> Any:
    """A value at `path` that `scale` cannot multiply, in the records `where` picks from (all
    records when none matches in this seeding), or None."""
    picked = [r for r in records if matches(r, where)] or records
    for record in picked:
        try:
            value = lookup(path, record)
        except MissingValue:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
    return None


def _check_call(
    ctx: PackContext, base: Loc, loc: Loc, call: ExpectedCall, scenario: Scenario, called: set[str]
) -> Iterator[Problem]:
    for name, value in call.args.items():
        for text in walk_strings(value):
            yield from _check_template(ctx, loc + ("args", name), text, scenario, called)
    tools = ctx.tools
    if tools is None:
        return
    if call.tool not in tools.names:
        yield ctx.problem(loc + ("tool",), f"unknown tool {call.tool!r}{_choices(call.tool, tools.names, 'tools')}")
        return
    spec = tools.specs.get(call.tool)
    if spec is None or call.expect_error:
        return  # a broken spec is reported at the tool; an error-recovery call may be invalid on purpose
    properties = spec.parameters.get("properties", {})
    # An argument the schema does not declare is invisible to the model, unless explicitly allowed.
    open_ended = spec.parameters.get("additionalProperties", False) is not False
    for name, value in call.args.items():
        if name not in properties and not open_ended:
            yield ctx.problem(loc + ("args", name), (
                f"tool {call.tool!r} has no parameter {name!r}{_choices(name, properties, 'parameters')}"
            ))
        elif isinstance(value, list) and not takes_arrays(properties.get(name)):
            yield from _check_alternatives(ctx, loc + ("args", name), base, scenario, spec, call, name, value)
        elif not _has_placeholder(value):
            for message in _argument_errors(spec, name, value):
                yield ctx.problem(loc + ("args", name), f"{call.tool}.{name}: {message}")
        else:
            yield from _check_slot_literals(ctx, base, scenario, spec, call, name, value)
    missing = [r for r in spec.required if r not in call.args]
    if missing:
        yield ctx.problem(loc, f"call of {call.tool!r} lacks required argument(s) {', '.join(missing)}")


def _check_alternatives(
    ctx: PackContext, loc: Loc, base: Loc, scenario: Scenario, spec: ToolSpec, call: ExpectedCall, arg: str,
    options: list[Any],
) -> Iterator[Problem]:
    """A set of acceptable values (`priority: [high, normal]`): each must fit the parameter."""
    if not options:
        yield ctx.problem(loc, f"{call.tool}.{arg}: an empty list accepts nothing; give the value, or the "
                               "values the policy allows (e.g. [high, normal])")
    for index, option in enumerate(options):
        if isinstance(option, list):
            yield ctx.problem(loc + (index,), f"{call.tool}.{arg}: takes no arrays, so a list is a set of "
                                              "acceptable values, and a set of sets means nothing")
        elif not _has_placeholder(option):
            for message in _argument_errors(spec, arg, option):
                yield ctx.problem(loc + (index,), f"{call.tool}.{arg}: {message}")
        else:
            yield from _check_slot_literals(ctx, base, scenario, spec, call, arg, option)


def _check_slot_literals(
    ctx: PackContext, base: Loc, scenario: Scenario, spec: ToolSpec, call: ExpectedCall, arg: str, value: Any
) -> Iterator[Problem]:
    """A `value:` or `choice:` slot used as a whole argument (`"{reason}"`) must fit the parameter."""
    match = PLACEHOLDER.fullmatch(value) if isinstance(value, str) else None
    slot = scenario.slots.get(match.group(1)) if match else None
    if slot is None:
        return
    slot_loc = base + ("slots", match.group(1))
    candidates = [(slot_loc + ("value",), slot.value)] if slot.value is not None else []
    candidates += [(slot_loc + ("choice", i), option) for i, option in enumerate(slot.choice or [])]
    for loc, literal in candidates:
        for message in _argument_errors(spec, arg, literal):
            yield ctx.problem(loc, f"cannot fill {call.tool}.{arg}: {message}")


def _argument_errors(spec: ToolSpec, name: str, value: Any) -> list[str]:
    """Schema errors of one argument, validated inside the whole `parameters` schema (so `$ref`s
    resolve) and keeping only errors about that argument."""
    messages = []
    for error in validator_for(spec.parameters).iter_errors({name: value}):
        path = list(error.absolute_path)
        if path[:1] == [name]:
            inner = format_path(path[1:])
            messages.append(f"{inner}: {error.message}" if inner else error.message)
    return messages


def _check_template(
    ctx: PackContext, loc: Loc, template: str, scenario: Scenario, called: set[str]
) -> Iterator[Problem]:
    """`{slot}` must name a slot of the scenario; `{@tool.path}` a tool an earlier call called."""
    for name in placeholders(template):
        if name.startswith("@"):
            tool = name[1:].split(".")[0]
            if tool not in called:
                yield ctx.problem(loc, (
                    f"{{{name}}} reads the result of {tool!r}, but no earlier expected call of "
                    f"scenario {scenario.id!r} calls it"
                ))
        elif name.split(".")[0] not in scenario.slots:
            slots = ", ".join(scenario.slots) or "none"
            yield ctx.problem(
                loc, f"placeholder {{{name}}} is not filled by any slot of scenario {scenario.id!r} (slots: {slots})"
            )


def _localized(doc: YamlDocument, loc: Loc, text: Any) -> Iterator[tuple[Loc, str]]:
    """Each template with the location the author wrote it at: `say.en[1]` for a list, `say.en`
    for a single string per language, `say` for the bare-string shorthand."""
    for language in LANGUAGES:
        for k, template in enumerate(text.for_language(language)):
            written = [c for c in (loc + (language, k), loc + (language,)) if c in doc.lines]
            yield (written[0] if written else loc), template


def _has_placeholder(value: Any) -> bool:
    return any(placeholders(text) for text in walk_strings(value))


def _choices(name: str, known: Iterable[str], what: str = "") -> str:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    label = f"{what}: " if what else ""
    return f" ({label}{', '.join(known)})" if known else f" (no {what or 'choices'} defined)"
