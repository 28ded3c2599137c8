"""Score one turn: what the model answered against the turn's answer key, metric by metric.

The metrics form a ladder, so that each mistake is counted where it happened and nowhere
further down (each metric's denominator is the items that reached its rung):
1. `parsed` — the output is well formed: every call has a name and JSON-object arguments. A
   malformed output is counted here, apart from wrong calls, and goes no further.
2. `decision` — called or not, against the reference (the confusion matrix: relevance and
   irrelevance in BFCL terms). On a clarifying turn, not calling is `clarification`.
3. `tools` — when both called: the names as a multiset (parallel calls in any order, a wrong
   count fails).
4. `arguments` — when the tools are right: every call passes the AST check
   (`simulator.eval.arguments`), calls paired within each tool name the way that passes most;
   `exact` — the arguments are the reference's exactly.
An item is `correct` when it climbs as far as it should: a call turn through `arguments`, any
other turn by not calling. Hallucinations are flagged beside the ladder: a call to an unknown
tool, arguments the schema rejects, an identifier found nowhere in the conversation (the judge's
grounding rule), and a call where none is needed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from simulator.core.messages import AssistantMessage
from simulator.eval.arguments import ArgCheck, check_arguments, exact_match
from simulator.export.answers import CallAnswer, Turn
from simulator.judge.conversation import Evidence
from simulator.judge.grounding import ungrounded_values
from simulator.spec import ToolSpec
from simulator.spec.validation import argument_errors

MAX_PERMUTED = 6  # calls of one name paired by trying every order; more are paired greedily
HALLUCINATIONS = ("unknown_tool", "schema_invalid", "ungrounded_id", "needless_call")


@dataclass
class Score:
    """Per-metric results of one item; None where the item did not reach a metric's rung."""

    parsed: bool
    should_call: bool
    called: bool
    clarify: bool = False  # the reference asks here
    tools: bool | None = None
    arguments: bool | None = None
    exact: bool | None = None
    args_given: int = 0
    args_right: int = 0
    args_expected: int = 0
    args_found: int = 0
    hallucinations: list[str] = field(default_factory=list)
    failed: str | None = None  # the rung that failed: parse, missed_call, needless_call, no_clarification, tools, arguments
    reason: str = ""

    @property
    def correct(self) -> bool:
        return self.failed is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct, "failed": self.failed, "reason": self.reason, "parsed": self.parsed,
            "should_call": self.should_call, "called": self.called, "clarify": self.clarify, "tools": self.tools,
            "arguments": self.arguments, "exact": self.exact,
            "args": [self.args_given, self.args_right, self.args_expected, self.args_found],
            "hallucinations": self.hallucinations,
        }


def _malformed(output: AssistantMessage) -> str | None:
    for call in output.tool_calls:
        if not call.name:
            return "a call without a tool name"
        if call.parsed_arguments() is None:
            return f"{call.name}: arguments are not a JSON object: {call.arguments[:80]!r}"
    return None


def _pairing(args: list[dict[str, Any]], answers: list[CallAnswer], spec: ToolSpec | None) -> list[ArgCheck]:
    """Checks of the calls of one tool name, paired with its answers the way most pass."""
    if len(args) <= MAX_PERMUTED:
        best: list[ArgCheck] | None = None
        for order in itertools.permutations(range(len(args))):
            checks = [check_arguments(args[i], answer, spec) for i, answer in zip(order, answers)]
            rank = (sum(c.ok for c in checks), sum(c.found for c in checks))
            if best is None or rank > (sum(c.ok for c in best), sum(c.found for c in best)):
                best = checks
        return best or []
    return [check_arguments(a, answer, spec) for a, answer in zip(args, answers)]


def _exact_pairs(args: list[dict[str, Any]], answers: list[CallAnswer]) -> bool:
    left = list(args)
    for answer in answers:
        hit = next((i for i, a in enumerate(left) if exact_match(a, answer)), None)
        if hit is None:
            return False
        left.pop(hit)
    return True


def _hallucinations(output: AssistantMessage, tools: dict[str, ToolSpec], evidence: Evidence) -> list[str]:
    found: list[str] = []
    for call in output.tool_calls:
        spec = tools.get(call.name)
        args = call.parsed_arguments() or {}
        if spec is None:
            found.append("unknown_tool")
            continue
        if argument_errors(spec, args):
            found.append("schema_invalid")
        if ungrounded_values(args, spec.parameters, evidence):
            found.append("ungrounded_id")
    return list(dict.fromkeys(found))


def score_turn(output: AssistantMessage, turn: Turn, tools: dict[str, ToolSpec], evidence: Evidence) -> Score:
    """Score the model's `output` for `turn`; `evidence` is what the conversation before it said
    (for the grounding of identifiers)."""
    problem = _malformed(output)
    called = bool(output.tool_calls)
    score = Score(parsed=problem is None, should_call=turn.should_call, called=called, clarify=turn.asks)
    if problem is not None:
        score.failed, score.reason = "parse", problem
        return score
    score.hallucinations = _hallucinations(output, tools, evidence)
    if called and not turn.should_call:
        score.hallucinations.append("needless_call")
        score.failed = "no_clarification" if turn.asks else "needless_call"
        score.reason = "called " + ", ".join(c.name for c in output.tool_calls) + (
            " instead of asking" if turn.asks else " where no call is needed")
        return score
    if not turn.should_call:
        return score
    if not called:
        score.failed, score.reason = "missed_call", "answered without calling " + ", ".join(c.tool for c in turn.calls)
        return score
    made = sorted(c.name for c in output.tool_calls)
    wanted = sorted(c.tool for c in turn.calls)
    score.tools = made == wanted
    if not score.tools:
        score.failed, score.reason = "tools", f"called {made}, expected {wanted}"
        return score
    checks: list[ArgCheck] = []
    exact = True
    for name in dict.fromkeys(wanted):
        args = [c.parsed_arguments() or {} for c in output.tool_calls if c.name == name]
        answers = [a for a in turn.calls if a.tool == name]
        checks += _pairing(args, answers, tools.get(name))
        exact = exact and _exact_pairs(args, answers)
    score.arguments = all(c.ok for c in checks)
    score.exact = exact
    score.args_given = sum(c.given for c in checks)
    score.args_right = sum(c.right for c in checks)
    score.args_expected = sum(c.expected for c in checks)
    score.args_found = sum(c.found for c in checks)
    if not score.arguments:
        score.failed = "arguments"
        score.reason = "; ".join(p for c in checks for p in c.problems)
    return score
