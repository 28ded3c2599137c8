"""The mistake makers: each turns the correct next message into a wrong one, or says it cannot.

A maker is `fn(turn) -> (message, detail) | None`. `turn` (a `Turn` of `brain`) holds the
conversation so far, the correct message and the episode. Classes the rules could not catch
before issue 11 come first; the ones they already caught after.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any, Callable

from simulator.core.messages import AssistantMessage, ToolCall, ToolMessage
from simulator.spec.blueprint import MissingValue, latest_results, render_args
from simulator.spec.validation import argument_errors
from simulator.values.fake_patterns import PatternTooComplex, fake_from_pattern
from simulator.values.schema_values import ValueBuilder
from tests.judge.mistakes.values import (
    ISO_DAY,
    leaves,
    number_forms,
    other_day,
    other_digits,
    other_number,
    parsed,
    seen,
)

if TYPE_CHECKING:
    from tests.judge.mistakes.brain import Turn

Made = tuple[AssistantMessage, str] | None
NAME_FIELDS = ("name", "customer_name", "hotel_name", "airline", "carrier", "owner", "title", "city")


def _calls(message: AssistantMessage, calls: list[ToolCall]) -> AssistantMessage:
    return AssistantMessage(content=message.content, tool_calls=tuple(calls))


def _with_args(call: ToolCall, args: dict[str, Any]) -> ToolCall:
    return ToolCall(id=call.id, name=call.name, arguments=json.dumps(args, ensure_ascii=False))


def _enum_of(schema: Any) -> list[Any] | None:
    if not isinstance(schema, dict):
        return None
    if "enum" in schema:
        return list(schema["enum"])
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        found = _enum_of(branch)
        if found:
            return found
    return None


def schema_at(schema: Any, path: tuple) -> Any:
    for part in path:
        if not isinstance(schema, dict):
            return None
        if isinstance(part, int):
            schema = schema.get("items")
        else:
            branches = [schema] + schema.get("anyOf", []) + schema.get("oneOf", [])
            schema = next((b["properties"][part] for b in branches
                           if isinstance(b, dict) and part in b.get("properties", {})), None)
    return schema


# ------------------------------------------------------------------ new in issue 11


def reply_contradiction(turn: "Turn") -> Made:
    """A report that states a value the result contradicts: a status, amount, id, date or name."""
    message, batch = turn.correct, turn.batch
    text = message.content or ""
    if message.tool_calls or not batch or any(m.is_error for m in batch):
        return None
    options = []
    for result in batch:
        spec = turn.pack.domain.tools.get(result.name)
        payload = parsed(result)
        for path, value in leaves(payload):
            for written, wrong in _wrong_values(turn, spec, path, value):
                at = _find(text, written)
                if at >= 0:
                    options.append((at, written, wrong, f"{result.name}.{'.'.join(map(str, path))}"))
    if not options:
        return None
    at, written, wrong, where = turn.rng.choice(options)
    new = text[:at] + wrong + text[at + len(written):]
    return AssistantMessage(content=new), f"{where}: says {wrong!r} where the result has {written!r}"


def _wrong_values(turn: "Turn", spec: Any, path: tuple, value: Any) -> list[tuple[str, str]]:
    """(how the value reads in the reply, a wrong value written the same way)."""
    rng, evidence = turn.rng, turn.evidence
    if value is None or isinstance(value, bool):
        return []
    enum = _enum_of(schema_at(spec.returns, path)) if spec is not None and spec.returns else None
    if enum and isinstance(value, str):
        said = turn.said(value)
        others = [e for e in enum if isinstance(e, str) and e != value
                  and turn.said(e) not in said and said not in turn.said(e)]  # "rain" is no lie about "light rain"
        return [(turn.said(value), turn.said(rng.choice(others)))] if others else []
    if isinstance(value, (int, float)):
        wrong = other_number(value, rng, evidence)
        return [(f, f"{wrong:.2f}" if isinstance(wrong, float) else str(wrong)) for f in number_forms(value)] if wrong else []
    if not isinstance(value, str):
        return []
    if ISO_DAY.match(value):
        wrong = other_day(value, rng, evidence)
        return [(value, wrong)] if wrong else []
    if any(c.isdigit() for c in value) and " " not in value:
        wrong = other_digits(value, rng, evidence)
        return [(value, wrong)] if wrong else []
    if path and path[-1] in NAME_FIELDS:
        others = [v for v in turn.state_values(str(path[-1])) if isinstance(v, str) and v != value and not seen(v, evidence)]
        return [(value, rng.choice(others))] if others else []
    return []


def _find(text: str, written: str) -> int:
    """Where `written` stands in `text` as a whole token (-1: nowhere): "5" is not in "15" nor
    in "3.5", "ORD-1" is not in "ORD-12"."""
    start = text.find(written)
    while start != -1:
        end = start + len(written)
        before = text[start - 2:start] if start else "  "
        after = text[end:end + 2]
        glued_before = _word(before[-1:]) and _word(written[0]) or (before[-1:] == "." and before[:1].isdigit())
        glued_after = _word(after[:1]) and _word(written[-1]) or (after[:1] == "." and after[1:2].isdigit())
        if not glued_before and not glued_after:
            return start
        start = text.find(written, start + 1)
    return -1


def _word(char: str) -> bool:
    return bool(char) and char.isascii() and char.isalnum()


def false_success(turn: "Turn") -> Made:
    """After a write tool failed, the reply says it worked."""
    message, batch = turn.correct, turn.batch
    failed = [m for m in batch if m.is_error and turn.writes(m.name)]
    if message.tool_calls or not failed or any(not m.is_error for m in batch):
        return None
    call = turn.call_of(failed[0])
    lie = turn.lie(failed[0].name, call)
    return (AssistantMessage(content=lie), f"{failed[0].name} failed, reply says {lie!r}") if lie else None


def premature_claim(turn: "Turn") -> Made:
    """Says a write worked before its result: alongside the call, or in a reply with the call
    held back for the next message."""
    message = turn.correct
    writes = [c for c in message.tool_calls if turn.writes(c.name)]
    if not writes:
        return None
    lie = turn.lie(writes[0].name, writes[0].parsed_arguments() or {})
    if not lie:
        return None
    if turn.rng.random() < 0.5:
        return AssistantMessage(content=lie, tool_calls=message.tool_calls), f"claims {lie!r} alongside {writes[0].name}"
    turn.hold(message)
    return AssistantMessage(content=lie), f"claims {lie!r}, calls {writes[0].name} after the user's next message"


def ungrounded_argument(turn: "Turn") -> Made:
    """An argument the blueprint does not name, filled with a value nobody said or showed."""
    return _unnamed_argument(turn, grounded=False)


def state_divergence(turn: "Turn") -> Made:
    """A write with an argument the blueprint does not name, filled with a value the
    conversation did show (so only the final state tells): a partial refund of an item's price."""
    return _unnamed_argument(turn, grounded=True)


def _unnamed_argument(turn: "Turn", grounded: bool) -> Made:
    message = turn.correct
    options = []
    for index, call in enumerate(message.tool_calls):
        spec, args = turn.pack.domain.tools.get(call.name), call.parsed_arguments()
        if spec is None or args is None or (grounded and not turn.writes(call.name)):
            continue
        named = turn.named_args(call)
        for name, schema in spec.parameters.get("properties", {}).items():
            if name in named:
                continue
            for value in _candidates(turn, schema, grounded):
                changed = {**args, name: value}
                if value != args.get(name) and value != schema.get("default") and not argument_errors(spec, changed):
                    options.append((index, call, changed, f"{call.name}.{name}={value!r}"))
    if not options:
        return None
    index, call, changed, detail = turn.rng.choice(options)
    calls = list(message.tool_calls)
    calls[index] = _with_args(call, changed)
    return _calls(message, calls), detail


def _candidates(turn: "Turn", schema: dict[str, Any], grounded: bool) -> list[Any]:
    rng, evidence = turn.rng, turn.evidence
    enum = _enum_of(schema)
    if enum:
        return [e for e in enum if isinstance(e, str) and seen(e, evidence) == grounded][:3]
    kind = schema.get("type")
    if grounded and kind in ("number", "integer"):
        numbers = [v for m in turn.results for _, v in leaves(parsed(m))
                   if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
        return [n for n in numbers if kind == "number" or isinstance(n, int)][:4]
    if not grounded and kind == "string" and "pattern" in schema:
        try:
            value = fake_from_pattern(schema["pattern"], rng)
        except PatternTooComplex:
            return []
        return [value] if not seen(value, evidence) else []
    return []


# ------------------------------------------------------------------ caught before issue 11


def wrong_tool(turn: "Turn") -> Made:
    message = turn.correct
    if not message.tool_calls:
        return None
    index = turn.rng.randrange(len(message.tool_calls))
    call = message.tool_calls[index]
    args = call.parsed_arguments() or {}
    tools = [t for t in turn.pack.domain.tools.values() if t.name != call.name]
    fitting = [t for t in tools if set(t.required) <= set(args) and set(args) <= set(t.parameters.get("properties", {}))]
    chosen = turn.rng.choice(fitting or tools)
    calls = list(message.tool_calls)
    calls[index] = ToolCall(id=call.id, name=chosen.name, arguments=call.arguments)
    return _calls(message, calls), f"{call.name} -> {chosen.name}"


def _one_argument_changed(turn: "Turn", options: list) -> Made:
    """The correct message with one of `options` — (call index, call, argument, wrong value) — made."""
    if not options:
        return None
    message = turn.correct
    index, call, name, wrong = turn.rng.choice(options)
    calls = list(message.tool_calls)
    calls[index] = _with_args(call, {**(call.parsed_arguments() or {}), name: wrong})
    return _calls(message, calls), f"{call.name}.{name}={wrong!r}"


def invented_id(turn: "Turn") -> Made:
    message = turn.correct
    options = []
    for index, call in enumerate(message.tool_calls):
        for name, value in (call.parsed_arguments() or {}).items():
            if isinstance(value, str) and " " not in value and any(c.isdigit() for c in value) and not ISO_DAY.match(value):
                wrong = other_digits(value, turn.rng, turn.evidence)
                if wrong:
                    options.append((index, call, name, wrong))
    return _one_argument_changed(turn, options)


def wrong_enum(turn: "Turn") -> Made:
    message = turn.correct
    options = []
    for index, call in enumerate(message.tool_calls):
        spec, args = turn.pack.domain.tools.get(call.name), call.parsed_arguments() or {}
        for name in turn.named_args(call):
            enum = _enum_of(spec.parameters.get("properties", {}).get(name)) if spec else None
            allowed = turn.allowed(call, name)
            others = [e for e in enum or [] if e not in allowed and e != args.get(name)]
            if others:
                options.append((index, call, name, turn.rng.choice(others)))
    return _one_argument_changed(turn, options)


def call_on_no_tool(turn: "Turn") -> Made:
    if turn.correct.tool_calls or turn.scenario_calls or not turn.pack.domain.tools:
        return None
    spec = turn.rng.choice(sorted(turn.pack.domain.tools.values(), key=lambda t: t.name))
    args = ValueBuilder(spec.parameters, {}, random.Random(turn.rng.random()), spec.name).value(spec.parameters)
    call = ToolCall(id=turn.new_call_id(), name=spec.name, arguments=json.dumps(args, ensure_ascii=False))
    return AssistantMessage(tool_calls=(call,)), f"called {spec.name} on a no-tool request"


def guess_not_ask(turn: "Turn") -> Made:
    """Where the correct move is to ask for a missing fact, call with the (hidden) value instead."""
    step = turn.pending_question_step()
    if step is None:
        return None
    try:
        args = render_args(step, turn.facts, latest_results(turn.messages))
    except MissingValue:
        return None
    call = ToolCall(id=turn.new_call_id(), name=step.tool, arguments=json.dumps(args, ensure_ascii=False))
    turn.skip_question()
    return AssistantMessage(tool_calls=(call,)), f"called {step.tool} instead of asking"


NEW: dict[str, Callable[["Turn"], Made]] = {
    "reply_contradiction": reply_contradiction,
    "false_success": false_success,
    "premature_claim": premature_claim,
    "ungrounded_argument": ungrounded_argument,
    "state_divergence": state_divergence,
}
CAUGHT: dict[str, Callable[["Turn"], Made]] = {
    "wrong_tool": wrong_tool,
    "invented_id": invented_id,
    "wrong_enum": wrong_enum,
    "call_on_no_tool": call_on_no_tool,
    "guess_not_ask": guess_not_ask,
}
MAKERS = {**NEW, **CAUGHT}
__all__ = ["CAUGHT", "MAKERS", "NEW", "ToolMessage"]
