"""Behaviours: what the assistant did in a trace, and what a scenario's blueprint implies it does.

The coverage report (`simulator.review.coverage`) counts traces per behaviour; these are its two
readings. A trace's behaviours come from its messages, not from the scenario's label, because
that is what a model learns from it:
- `no_tool`, `single_call` (exactly one call), `parallel_calls` (≥2 calls in one assistant
  message), `multi_step` (calls in ≥2 assistant messages);
- `clarification`: the assistant asked something (a text message the user answered) before its
  first call. A question is a message with a question mark, or any text reply when the
  scenario's first user turn already expects a call (Chinese questions often end in 。, not ？);
- `error_recovery`: an error result followed by a successful call or a hand-off to a human;
- `hard:<tag>` for each of the scenario's `hard_cases`.
A blueprint implies the same behaviours from its expected calls, batched as the reference
assistant batches them; it implies a clarification for a clarification scenario, a first turn
with calls that some `say` variant leaves a needed fact out of, or an earlier `answer` that asks
something.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from simulator.core.names import NO_TOOL
from simulator.spec import HARD_CASES, Scenario

BEHAVIOURS = ("no_tool", "single_call", "parallel_calls", "multi_step", "clarification", "error_recovery")
HARD = "hard:"
QUESTION_MARKS = ("?", "？")
HAND_OFF = re.compile(r"escalat|hand_?off|handover|transfer|human", re.IGNORECASE)  # tools that hand the user on


# ---------------------------------------------------------------- one trace


def trace_behaviours(messages: list[dict[str, Any]], *, asks_first: bool = False,
                     hard_cases: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tools called, behaviours) of one trace, from its messages as stored in traces.jsonl.

    `asks_first`: the scenario's first user turn expects a call, so any text reply the user
    answers before the first call is a clarifying question (see the module docstring).
    """
    tools: list[str] = []
    calls = call_messages = widest = 0
    pending_question = asked = clarified = False
    failed = recovered = False
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            batch = m.get("tool_calls") or ()
            if batch:
                if not call_messages:
                    clarified = asked
                calls += len(batch)
                call_messages += 1
                widest = max(widest, len(batch))
                for call in batch:
                    name = call.get("name") or (call.get("function") or {}).get("name") or "?"
                    if name not in tools:
                        tools.append(name)
                    if failed and HAND_OFF.search(name):
                        recovered = True
            elif not call_messages:
                text = m.get("content") or ""
                pending_question = bool(text) and (asks_first or any(q in text for q in QUESTION_MARKS))
        elif role == "user":
            asked = asked or pending_question
            pending_question = False
        elif role == "tool":
            if m.get("is_error"):
                failed = True
            elif failed:
                recovered = True
    found = []
    if calls == 0:
        found.append("no_tool")
    elif calls == 1:
        found.append("single_call")
    if widest >= 2:
        found.append("parallel_calls")
    if call_messages >= 2:
        found.append("multi_step")
    if clarified:
        found.append("clarification")
    if recovered:
        found.append("error_recovery")
    found += [HARD + tag for tag in hard_cases]
    return tuple(tools) or (NO_TOOL,), tuple(found)


# ---------------------------------------------------------------- one scenario's blueprint


def blueprint_cells(scenario: Scenario) -> set[tuple[str, str]]:
    """The tool × behaviour pairs a scenario's blueprint implies, batching its expected calls the
    way the reference assistant does: calls of one turn go out together unless one reads the
    result of another in the batch."""
    from simulator.simulate.agents.script import script_of

    batches: list[int] = []  # size of each assistant message with calls
    expected = [step for plan in script_of(scenario) for step in plan.calls]
    for plan in script_of(scenario):
        batch_tools: set[str] = set()
        for n, step in enumerate(plan.calls):
            if n == 0 or batch_tools.intersection(step.reads):
                batches.append(0)
                batch_tools = set()
            batches[-1] += 1
            batch_tools.add(step.call.tool)
    failing_before_last = any(step.call.expect_error for step in expected[:-1])
    behaviours = []
    if not expected:
        behaviours.append("no_tool")
    elif len(expected) == 1:
        behaviours.append("single_call")
    if any(size >= 2 for size in batches):
        behaviours.append("parallel_calls")
    if len(batches) >= 2:
        behaviours.append("multi_step")
    if _asks_before_first_call(scenario):
        behaviours.append("clarification")
    if failing_before_last:
        behaviours.append("error_recovery")
    behaviours += [HARD + tag for tag in scenario.hard_cases]
    tools = list(dict.fromkeys(step.call.tool for step in expected)) or [NO_TOOL]
    return {(tool, b) for tool in tools for b in behaviours}


def _asks_before_first_call(scenario: Scenario) -> bool:
    """A clarification is possible: the scenario is a clarification one, a `say` variant of its
    first turn with calls leaves out a fact those calls need, or an earlier `answer` asks
    something."""
    from simulator.simulate.agents.script import script_of, template_slots

    if scenario.category == "clarification":
        return True
    for plan in script_of(scenario):
        if plan.calls:
            variants = plan.turn.say.for_language("en") + plan.turn.say.for_language("zh")
            return any(set(plan.needed) - template_slots(text) for text in variants)
        answers = plan.turn.answer
        if answers and any(q in text for text in answers.en + answers.zh for q in QUESTION_MARKS):
            return True
    return False


def behaviour_order(names: Iterable[str]) -> list[str]:
    """The behaviours first, in their fixed order, then hard-case tags in the order of `HARD_CASES`."""
    def key(name: str) -> tuple[int, int, str]:
        if name in BEHAVIOURS:
            return 0, BEHAVIOURS.index(name), name
        tag = name.removeprefix(HARD)
        return 1, HARD_CASES.index(tag) if tag in HARD_CASES else len(HARD_CASES), name
    return sorted(set(names), key=key)
