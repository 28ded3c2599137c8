"""Final-state verification (the τ2-bench / APIGen-MT check): did the trace's calls leave the
tool state the blueprint's calls would have left?

The rules that compare calls see what was asked; this sees what it did. An argument the
blueprint does not name can still change the outcome (a partial refund of an item's price where
the whole order was meant, an address moved to another country), and only the state shows it.

`compare_final_state(trace, pack)` replays the scenario's expected calls, in order, on a fresh
copy of the episode's seeded state (same seed, same day, so the same sims give the same results),
and compares it with the trace's own final state (the seeded state plus the trace's recorded
changes) over the records either side's writes touched. It is public so that an evaluation of a
model's episodes can ask the same question. While replaying:
- a free-text argument (an escalation reason) takes the value the matched real call used, and a
  set of acceptable values (`priority: [high, normal]`) the real call's choice when it is one of
  them, else the first: wording and allowed choices are not state differences;
- records a write added (a refund, a ticket, a booking) are compared without their generated
  identifiers (`refund_id`, `confirmation_code`: the sims mint them, the order may differ), and
  as a set: two refunds made in the other order are the same outcome.
It needs the pack's Python sims: for schema-only tools (no state) and a pack read back from a
run's pack.json (no sims) it says why it cannot compare instead of guessing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from simulator.core.messages import AssistantMessage, ToolCall
from simulator.core.records import Trace
from simulator.judge.checks import JudgeContext, Skip, check
from simulator.judge.conversation import walk
from simulator.judge.expected import ExpectedMatch, is_free_text, match_expected, values_equal
from simulator.simulate.environment import ToolEnvironment, copy_tree, diff_values, seeded_state
from simulator.spec import ExpectedCall
from simulator.spec.blueprint import MissingValue, acceptable_values, render_args
from simulator.spec.pack import Pack

_GENERATED = ("id", "code", "number")  # field-name endings of identifiers the sims mint


@dataclass
class FinalStateComparison:
    """The outcome of comparing a trace's final state with the blueprint's."""

    skipped: str | None = None  # why no comparison was possible
    touched: list[str] = field(default_factory=list)  # the records compared (JSON pointers)
    differences: list[str] = field(default_factory=list)  # "/orders/3/refunded_amount: expected 49.99, got 19.99"

    @property
    def matches(self) -> bool:
        return self.skipped is None and not self.differences

    def summary(self) -> str:
        if self.skipped:
            return f"not compared: {self.skipped}"
        if not self.touched:
            return "no write changed the state, and none was expected to"
        what = ", ".join(self.touched)
        if not self.differences:
            return f"matches the blueprint's over the records the writes touched ({what})"
        return f"differs from the blueprint's ({what}): " + "; ".join(self.differences)


# ---------------------------------------------------------------- JSON pointers


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _resolve(tree: Any, pointer: str) -> Any:
    for part in _parts(pointer):
        if isinstance(tree, dict):
            tree = tree.get(part)
        elif isinstance(tree, list) and part.isdigit() and int(part) < len(tree):
            tree = tree[int(part)]
        else:
            return None
    return tree


def apply_changes(state: Any, changes: list[Any]) -> Any:
    """A copy of `state` with a trace's recorded changes (`Trace.state_diff`) applied."""
    state = copy_tree(state)
    for change in changes:
        parts = _parts(change.path)
        if not parts:
            return copy_tree(change.after)
        parent = state
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.setdefault(part, {})
        last = parts[-1]
        if isinstance(parent, list):
            index = int(last)
            if change.after is None and index < len(parent):
                parent.pop(index)
            elif index < len(parent):
                parent[index] = copy_tree(change.after)
            else:
                parent.append(copy_tree(change.after))
        elif change.after is None and change.before is not None:
            parent.pop(last, None)
        else:
            parent[last] = copy_tree(change.after)
    return state


def _record(pointer: str) -> str:
    """The record a change belongs to: `/orders/3/shipping_address/city` -> `/orders/3`."""
    return "/" + "/".join(pointer.split("/")[1:3])


# ---------------------------------------------------------------- replay


def _replay_args(call: ExpectedCall, facts: dict[str, Any], results: dict[str, Any],
                 actual: dict[str, Any] | None, parameters: dict[str, Any],
                 rendered: dict[str, Any] | None = None) -> dict[str, Any]:
    """The arguments a replay sends (`rendered`: the blueprint's, already rendered at that point)."""
    args = dict(rendered) if rendered is not None else render_args(call, facts, results)
    properties = parameters.get("properties", {})
    for name, value in args.items():
        chosen = (actual or {}).get(name)
        if is_free_text(call.args.get(name)) and isinstance(chosen, str) and chosen.strip():
            args[name] = chosen
        elif (options := acceptable_values(value, properties.get(name))) is not None:
            args[name] = next((o for o in options if chosen is not None and values_equal(o, chosen)), options[0])
    return args


def _replayed(trace: Trace, pack: Pack, expected: list[ExpectedCall], match: ExpectedMatch) -> ToolEnvironment:
    env = ToolEnvironment(pack.domain, seed=trace.episode.seed, today=pack.today_of(trace))
    actual = {id(e): site.args for e, site in match.matched}
    results: dict[str, Any] = {}
    for index, call in enumerate(expected):
        spec = pack.domain.tools.get(call.tool)
        args = _replay_args(call, trace.facts, results, actual.get(id(call)), spec.parameters if spec else {})
        reply = env.call(ToolCall(id=f"replay_{index}", name=call.tool, arguments=json.dumps(args)))
        if not reply.is_error:
            results[call.tool] = json.loads(reply.content)
    return env


def _same_calls(trace: Trace, pack: Pack, expected: list[ExpectedCall], match: ExpectedMatch) -> bool:
    """Did the trace make exactly the calls a replay would, in the same order?"""
    # type() is, not isinstance: pydantic's metaclass makes isinstance a Python-level call (~70 ns
    # each, many per message); messages are never subclassed
    made = sum(len(m.tool_calls) for m in trace.messages if type(m) is AssistantMessage)
    if match.missing or match.unexpected or match.tolerated or made != len(expected):
        return False
    for call, site in match.matched:
        spec = pack.domain.tools.get(call.tool)
        try:
            args = _replay_args(call, trace.facts, site.results, site.args, spec.parameters if spec else {},
                                match.rendered.get(id(site)))
        except MissingValue:
            return False
        if args != site.args:
            return False
    return True


# ---------------------------------------------------------------- comparison


def _generated(key: str) -> bool:
    return key.lower().endswith(_GENERATED)


def _without_generated(record: Any) -> Any:
    if not isinstance(record, dict):
        return record
    return {k: v for k, v in record.items() if not (_generated(k) and isinstance(v, str))}


def _added(collection: str, initial: Any, final: Any) -> list[Any]:
    before = len(initial.get(collection, [])) if isinstance(initial, dict) else 0
    records = final.get(collection, []) if isinstance(final, dict) else []
    return [_without_generated(r) for r in records[before:]] if isinstance(records, list) else []


def _compare(initial: Any, expected: Any, actual: Any, touched: list[str]) -> list[str]:
    differences: list[str] = []
    collections: set[str] = set()
    for pointer in touched:
        collection, index = _parts(pointer)[0], _parts(pointer)[1:2]
        existing = initial.get(collection) if isinstance(initial, dict) else None
        if isinstance(existing, list) and index and index[0].isdigit() and int(index[0]) >= len(existing):
            collections.add(collection)  # an added record: compared as a set below
            continue
        for change in diff_values(_resolve(expected, pointer), _resolve(actual, pointer), pointer):
            differences.append(f"{change.path}: expected {change.before!r}, got {change.after!r}")
    for collection in sorted(collections):
        wanted, made = _added(collection, initial, expected), _added(collection, initial, actual)
        for record in list(wanted):
            if record in made:
                made.remove(record)
                wanted.remove(record)
        differences += [f"/{collection}: expected a new record {r!r}, not made" for r in wanted]
        differences += [f"/{collection}: a new record {r!r} the blueprint does not make" for r in made]
    return differences


def compare_final_state(trace: Trace, pack: Pack, match: ExpectedMatch | None = None) -> FinalStateComparison:
    """The trace's final tool state against the one its scenario's expected calls leave."""
    if pack.domain.sims is None:
        return FinalStateComparison(skipped="the pack has no Python tool sims (schema-only tools, or a pack "
                                            "read back from a run's pack.json): no state to replay")
    scenario = pack.scenarios.get(trace.episode.scenario_id)
    if scenario is None:
        return FinalStateComparison(skipped="the trace's scenario is not in this pack")
    expected = [call for turn in scenario.turns for call in turn.expect]
    writes_expected = any(pack.domain.tools.get(c.tool) is None or pack.domain.tools[c.tool].writes for c in expected)
    if not writes_expected and not trace.state_diff:
        return FinalStateComparison()
    if match is None:
        match = match_expected(walk(trace, pack.today_of(trace)).calls, expected, trace.facts, pack.domain.tools)
    if _same_calls(trace, pack, expected, match):
        # The blueprint's calls, with its arguments, in its order, and no other: the sims are
        # deterministic for a seed and a call sequence, so the replay would end where the trace did.
        return FinalStateComparison(touched=sorted({_record(c.path) for c in trace.state_diff}))
    try:
        env = _replayed(trace, pack, expected, match)
    except MissingValue as exc:
        return FinalStateComparison(skipped=f"the blueprint's calls cannot be replayed: {exc.args[0]!r} has no value")
    initial = seeded_state(pack.domain, trace.episode.seed, pack.today_of(trace))
    actual = apply_changes(initial, trace.state_diff)
    touched = sorted({_record(c.path) for c in trace.state_diff} | {_record(c.path) for c in env.diff()})
    return FinalStateComparison(touched=touched, differences=_compare(initial, env.state, actual, touched))


@check("final_state")
def final_state(ctx: JudgeContext) -> list[str] | Skip:
    comparison = compare_final_state(ctx.trace, ctx.pack, ctx.match)
    ctx.cache["final_state"] = comparison
    if comparison.skipped:
        return Skip(comparison.skipped)
    return [f"final state differs: {d}" for d in comparison.differences]
