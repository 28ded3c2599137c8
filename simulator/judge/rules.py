"""The rule layer of the judge: cheap, deterministic checks every trace gets.

Every check is always run and always recorded (passed or not), so statistics can say how often
each defect occurs and an audit can see exactly why a trace was rejected. A trace is accepted iff
every check passes. The rules never need a model, so judging costs microseconds per trace.
"""

from __future__ import annotations

import re
from datetime import date
from collections.abc import Sequence

from simulator.agents.heard import HeardFacts
from simulator.blueprint import arg_slot
from simulator.config import ExpectedCall, Scenario, ToolSpec
from simulator.episode import episode_today
from simulator.judge.conversation import CallSite, ConversationView, walk
from simulator.judge.expected import ExpectedMatch, match_expected
from simulator.judge.grounding import ungrounded_values
from simulator.messages import STOP_TOKEN, AssistantMessage, ToolMessage, UserMessage
from simulator.pack import Pack
from simulator.relative_dates import dates_mentioned
from simulator.records import ModelJudgement, RuleCheck, Trace, Verdict
from simulator.validation import argument_errors

CHECK_NAMES: tuple[str, ...] = (
    "tool_exists", "arguments_json", "arguments_schema", "arguments_grounded", "expected_calls",
    "no_call_when_no_tool", "final_answer", "no_stop_or_role_leak", "termination_ok",
    "tool_errors_expected", "asked_when_missing",
)
_MAX_LISTED = 3

# A line of assistant content that starts like a speaker tag means the model kept writing the
# dialogue (speaking as the user) or leaked its chat template.
_ROLE_LINE = re.compile(
    r"^\s*(?:user|assistant|system|human|gpt|tool|customer|用户|助手|客户)\s*[:：]", re.IGNORECASE | re.MULTILINE
)
# The same defect on the other side: a simulated user speaking as the assistant.
_USER_AS_ASSISTANT = re.compile(r"^\s*(?:assistant|system|gpt|agent|助手|客服)\s*[:：]", re.IGNORECASE | re.MULTILINE)
_TEMPLATE_TOKENS: tuple[str, ...] = (
    "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>",
    "<|endoftext|>", "<|user|>", "<|assistant|>", "<|system|>", "[INST]", "[/INST]",
)
_TEMPLATE_TOKEN = re.compile("|".join(map(re.escape, _TEMPLATE_TOKENS)))


# ---------------------------------------------------------------- helpers


def _check(name: str, problems: Sequence[str], ok_reason: str = "") -> RuleCheck:
    if not problems:
        return RuleCheck(name=name, passed=True, reason=ok_reason)
    listed = "; ".join(problems[:_MAX_LISTED])
    more = f" (+{len(problems) - _MAX_LISTED} more)" if len(problems) > _MAX_LISTED else ""
    return RuleCheck(name=name, passed=False, reason=listed + more)


def expected_calls_of(scenario: Scenario) -> list[ExpectedCall]:
    return [call for turn in scenario.turns for call in turn.expect]


# ---------------------------------------------------------------- the checks


def check_tool_exists(view: ConversationView, tools: dict[str, ToolSpec]) -> RuleCheck:
    return _check("tool_exists", [f"unknown tool {s.call.name!r}" for s in view.calls if s.call.name not in tools])


def check_arguments_json(view: ConversationView) -> RuleCheck:
    return _check(
        "arguments_json",
        [f"{s.call.name}: {s.args_problem}" for s in view.calls if s.args is None],
    )


def check_arguments_schema(view: ConversationView, tools: dict[str, ToolSpec]) -> RuleCheck:
    """Calls to unknown tools or with unparsable arguments are the business of the two checks
    above; this one judges every call it can."""
    problems: list[str] = []
    for site in view.calls:
        spec = tools.get(site.call.name)
        if spec is not None and site.args is not None:
            problems.extend(f"{site.call.name}: {e}" for e in argument_errors(spec, site.args))
    return _check("arguments_schema", problems)


def check_arguments_grounded(view: ConversationView, tools: dict[str, ToolSpec]) -> RuleCheck:
    problems: list[str] = []
    for site in view.calls:
        if site.args is None:
            continue
        spec = tools.get(site.call.name)
        parameters = spec.parameters if spec is not None else None
        problems.extend(
            f"{site.call.name}: {p} not in the conversation"
            for p in ungrounded_values(site.args, parameters, site.evidence)
        )
    return _check("arguments_grounded", problems)


def check_expected_calls(match: ExpectedMatch | None) -> RuleCheck:
    if match is None:
        return _check("expected_calls", ["scenario not in this pack"])
    problems = [f"missing {m}" for m in match.missing]
    problems += [f"unexpected call {s.call.name} ({s.call.id})" for s in match.unexpected]
    return _check("expected_calls", problems)


def check_no_call_when_no_tool(view: ConversationView, no_tool: bool) -> RuleCheck:
    if not no_tool:
        return RuleCheck(name="no_call_when_no_tool", passed=True, reason="scenario expects tool calls")
    return _check("no_call_when_no_tool", [f"called {s.call.name} in a no-tool scenario" for s in view.calls])


def _asks(message: AssistantMessage) -> bool:
    content = message.content or ""
    return not message.tool_calls and ("?" in content or "？" in content)


def _paraphrasable(value: object) -> bool:
    """A choice said in prose ("it arrived broken" for `defective`): a model user may say it in
    other words, so whether it was said cannot be checked by matching."""
    if not isinstance(value, dict) or "expression" in value:
        return value is None
    phrases = [v for k, v in value.items() if k != "code" and isinstance(v, str)]
    return bool(phrases) and all(len(p.split()) >= 3 if p.isascii() else len(p) >= 6 for p in phrases)


def _said(heard: HeardFacts, value: object, today: date | None) -> bool:
    """Heard as given, or — for a relative day — any phrase the user wrote that means its date
    ("in two days" for `day_after_tomorrow`)."""
    if heard.knows(value):
        return True
    if isinstance(value, dict) and "expression" in value and today is not None:
        return value.get("code") in dates_mentioned(heard.text, today)
    return False


def check_asked_when_missing(
    trace: Trace, view: ConversationView, match: ExpectedMatch | None, scenario: Scenario | None,
    today: date | None = None,
) -> RuleCheck:
    """A scenario that teaches asking (category `clarification`, or tagged `missing_argument`):
    a call may use a slot's value only after the user said it (as a phrase, its code, a number
    or a date in words) or a tool result showed it. Choice and enum values escape the grounding
    rule, so without this a call could fill a language or a reason nobody gave — exactly the
    guess these scenarios exist to teach against."""
    name = "asked_when_missing"
    teaches_asking = scenario is not None and (
        scenario.category == "clarification" or "missing_argument" in scenario.hard_cases
    )
    if not teaches_asking or match is None:
        return RuleCheck(name=name, passed=True, reason="scenario does not teach asking")
    heard = HeardFacts()
    problems: list[str] = []
    for expected, site in match.matched:
        heard.update(trace.messages[: site.turn_index])
        for arg in expected.args:
            slot = arg_slot(expected, arg)
            value = trace.facts.get(slot) if slot is not None else None
            if slot is not None and not _paraphrasable(value) and not _said(heard, value, today):
                problems.append(f"{site.call.name}.{arg} filled before the user gave {slot!r}")
    asked = any(isinstance(m, AssistantMessage) and _asks(m) for m in trace.messages)
    if problems and asked:
        problems = [p + " (asked, but not for it)" for p in problems]
    return _check(name, problems)


def check_final_answer(trace: Trace) -> RuleCheck:
    last = next((m for m in reversed(trace.messages) if isinstance(m, AssistantMessage)), None)
    if last is None:
        problems = ["no assistant message"]
    elif last.tool_calls:
        problems = ["the last assistant message calls a tool"]
    elif not (last.content or "").replace(STOP_TOKEN, "").strip():
        problems = ["the last assistant message is empty"]
    else:
        problems = []
    return _check("final_answer", problems)


def check_no_stop_or_role_leak(trace: Trace) -> RuleCheck:
    """The stop token belongs only in the user's final message (and is never exported)."""
    last_user = max((i for i, m in enumerate(trace.messages) if isinstance(m, UserMessage)), default=-1)
    problems: list[str] = []
    for index, message in enumerate(trace.messages):
        texts = [message.content or ""]
        if isinstance(message, AssistantMessage):
            texts += [c.arguments for c in message.tool_calls]
        if index != last_user and any(STOP_TOKEN in t for t in texts):
            problems.append(f"stop token in {message.role} message {index}")
        if isinstance(message, (UserMessage, AssistantMessage)) and _TEMPLATE_TOKEN.search(texts[0]):
            problems.append(f"chat-template token in {message.role} message {index}")
        if isinstance(message, AssistantMessage) and _ROLE_LINE.search(texts[0]):
            problems.append(f"role tag in assistant message {index}")
        if isinstance(message, UserMessage) and _USER_AS_ASSISTANT.search(texts[0]):
            problems.append(f"user message {index} speaks as the assistant")
    return _check("no_stop_or_role_leak", problems)


def check_termination(trace: Trace) -> RuleCheck:
    if trace.termination == "user_stop":
        return RuleCheck(name="termination_ok", passed=True)
    detail = f": {trace.error}" if trace.error else ""
    return RuleCheck(name="termination_ok", passed=False, reason=f"{trace.termination}{detail}")


def check_tool_errors_expected(view: ConversationView, match: ExpectedMatch | None) -> RuleCheck:
    """An error result the blueprint did not ask for means the assistant misused a tool."""
    allowed = match.expected_error_ids if match is not None else set()
    errors: list[ToolMessage] = [s.result for s in view.calls if s.result is not None and s.result.is_error]
    errors += [m for m in view.orphan_results if m.is_error]
    return _check(
        "tool_errors_expected",
        [f"unexpected error from {m.name} ({m.tool_call_id})" for m in errors if m.tool_call_id not in allowed],
    )


# ---------------------------------------------------------------- the layer


def judge_rules(trace: Trace, pack: Pack) -> Verdict:
    """Run every rule check on a trace; accept iff all pass."""
    tools = pack.domain.tools
    today = episode_today(pack, trace)
    view = walk(trace, today)
    scenario = pack.scenarios.get(trace.episode.scenario_id)
    if scenario is not None:
        expected = expected_calls_of(scenario)
        match: ExpectedMatch | None = match_expected(view.calls, expected, trace.facts)
        no_tool = not expected
    else:
        match = None
        no_tool = trace.episode.tool is None
    checks = [
        check_tool_exists(view, tools),
        check_arguments_json(view),
        check_arguments_schema(view, tools),
        check_arguments_grounded(view, tools),
        check_expected_calls(match),
        check_no_call_when_no_tool(view, no_tool),
        check_final_answer(trace),
        check_no_stop_or_role_leak(trace),
        check_termination(trace),
        check_tool_errors_expected(view, match),
        check_asked_when_missing(trace, view, match, scenario, today),
    ]
    failed = [c.name for c in checks if not c.passed]
    return Verdict(
        trace_id=trace.id,
        checks=checks,
        model=ModelJudgement(status="not_run"),
        decision="reject" if failed else "accept",
        reasons=failed,
    )


__all__ = ["CHECK_NAMES", "CallSite", "expected_calls_of", "judge_rules"]
