"""The rule layer of the judge: toolsim's own checks, cheap and deterministic, on every trace.

Every check is always run and always recorded (passed or not), so statistics can say how often
each defect occurs and an audit can see exactly why a trace was rejected. A trace is accepted iff
every check passes. The rules never need a model, so judging costs microseconds per trace. Each
check is registered with `@check` (`simulator.judge.checks`), the same way a plugin adds one.
"""

from __future__ import annotations

import re
from datetime import date

from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    ToolMessage,
    UserMessage,
)
from simulator.core.records import Trace, Verdict
from simulator.judge.checks import CHECKS, JudgeContext, Skip, check, check_rows, rules_verdict, verdict_checks
from simulator.judge.conversation import walk
from simulator.judge.expected import match_expected
from simulator.judge.argument_values import unnamed_numbers, unnamed_unsaid
from simulator.judge.grounding import ungrounded_values
from simulator.judge.reply_lexicon import lexicon
from simulator.spec.blueprint import arg_slot
from simulator.spec.pack import Pack
from simulator.spec.validation import argument_errors
from simulator.words.heard import HeardFacts
from simulator.words.relative_dates import dates_mentioned
from simulator.words.value_words import ValueWords

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


# ---------------------------------------------------------------- the checks, in verdict order


@check("tool_exists")
def tool_exists(ctx: JudgeContext) -> list[str]:
    return [f"unknown tool {s.call.name!r}" for s in ctx.view.calls if s.call.name not in ctx.tools]


@check("arguments_json")
def arguments_json(ctx: JudgeContext) -> list[str]:
    return [f"{s.call.name}: {s.args_problem}" for s in ctx.view.calls if s.args is None]


@check("arguments_schema")
def arguments_schema(ctx: JudgeContext) -> list[str]:
    """Calls to unknown tools or with unparsable arguments are the business of the two checks
    above; this one judges every call it can."""
    problems: list[str] = []
    for site in ctx.view.calls:
        spec = ctx.tools.get(site.call.name)
        if spec is not None and site.args is not None:
            problems.extend(f"{site.call.name}: {e}" for e in argument_errors(spec, site.args, site.call.arguments))
    return problems


@check("arguments_grounded")
def arguments_grounded(ctx: JudgeContext) -> list[str]:
    """Identifier-like values of every argument (`simulator.judge.grounding`), and word-like
    values of the arguments the blueprint does not name (`simulator.judge.argument_values`)."""
    problems: list[str] = []
    named = {id(site): set(expected.args) for expected, site in (ctx.match.matched if ctx.match else [])}
    words = lexicon(ctx.pack.domain).words if ctx.pack is not None else ValueWords()
    for site in ctx.view.calls:
        if site.args is None:
            continue
        spec = ctx.tools.get(site.call.name)
        parameters = spec.parameters if spec is not None else None
        ungrounded = ungrounded_values(site.args, parameters, site.evidence)
        ungrounded += [p for p in unnamed_unsaid(site, spec, named.get(id(site), set()), words) if p not in ungrounded]
        problems.extend(f"{site.call.name}: {p} not in the conversation" for p in ungrounded)
        problems.extend(f"{site.call.name}: {p}" for p in unnamed_numbers(site, spec, named.get(id(site), set())))
    return problems


@check("expected_calls")
def expected_calls(ctx: JudgeContext) -> list[str]:
    if ctx.match is None:
        return ["scenario not in this pack"]
    problems = [f"missing {m}" for m in ctx.match.missing]
    return problems + [f"unexpected call {s.call.name} ({s.call.id})" for s in ctx.match.unexpected]


@check("no_call_when_no_tool")
def no_call_when_no_tool(ctx: JudgeContext) -> list[str] | Skip:
    if not ctx.no_tool:
        return Skip("scenario expects tool calls")
    return [f"called {s.call.name} in a no-tool scenario" for s in ctx.view.calls]


@check("final_answer")
def final_answer(ctx: JudgeContext) -> list[str]:
    # type() is, not isinstance: pydantic's metaclass makes isinstance a Python-level call (~70 ns
    # each, many per message); messages are never subclassed
    last = next((m for m in reversed(ctx.trace.messages) if type(m) is AssistantMessage), None)
    if last is None:
        return ["no assistant message"]
    if last.tool_calls:
        return ["the last assistant message calls a tool"]
    if not (last.content or "").replace(STOP_TOKEN, "").strip():
        return ["the last assistant message is empty"]
    return []


@check("no_stop_or_role_leak")
def no_stop_or_role_leak(ctx: JudgeContext) -> list[str]:
    """The stop token belongs only in the user's final message (and is never exported)."""
    messages = ctx.trace.messages
    # looked for from the end: the last user message is nearly always the trace's last message
    last_user = next((i for i in range(len(messages) - 1, -1, -1) if type(messages[i]) is UserMessage), -1)
    problems: list[str] = []
    for index, message in enumerate(messages):
        text = message.content or ""
        if index != last_user and (STOP_TOKEN in text or type(message) is AssistantMessage
                                   and any(STOP_TOKEN in c.arguments for c in message.tool_calls)):
            problems.append(f"stop token in {message.role} message {index}")
        # Cheap substring tests first: every template token holds "<|" or "[", every role tag a colon.
        if (type(message) is UserMessage or type(message) is AssistantMessage) and ("<|" in text or "[" in text) \
                and _TEMPLATE_TOKEN.search(text):
            problems.append(f"chat-template token in {message.role} message {index}")
        tagged = ":" in text or "：" in text
        if tagged and type(message) is AssistantMessage and _ROLE_LINE.search(text):
            problems.append(f"role tag in assistant message {index}")
        if tagged and type(message) is UserMessage and _USER_AS_ASSISTANT.search(text):
            problems.append(f"user message {index} speaks as the assistant")
    return problems


@check("termination_ok")
def termination_ok(ctx: JudgeContext) -> list[str]:
    trace = ctx.trace
    if trace.termination == "user_stop":
        return []
    return [f"{trace.termination}: {trace.error}" if trace.error else trace.termination]


@check("tool_errors_expected")
def tool_errors_expected(ctx: JudgeContext) -> list[str]:
    """An error result the blueprint did not ask for means the assistant misused a tool."""
    allowed = ctx.match.expected_error_ids if ctx.match is not None else set()
    errors: list[ToolMessage] = [s.result for s in ctx.view.calls if s.result is not None and s.result.is_error]
    errors += [m for m in ctx.view.orphan_results if m.is_error]
    return [f"unexpected error from {m.name} ({m.tool_call_id})" for m in errors if m.tool_call_id not in allowed]


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
        return value.get("code") in dates_mentioned(heard.text, today)  # Traditional text is read in Simplified too
    return False


@check("asked_when_missing")
def asked_when_missing(ctx: JudgeContext) -> list[str] | Skip:
    """A scenario that teaches asking (category `clarification`, or tagged `missing_argument`):
    a call may use a slot's value only after the user said it (as a phrase, its code, a number
    or a date in words) or a tool result showed it. Choice and enum values escape the grounding
    rule, so without this a call could fill a language or a reason nobody gave — exactly the
    guess these scenarios exist to teach against."""
    scenario, trace = ctx.scenario, ctx.trace
    teaches_asking = scenario is not None and (
        scenario.category == "clarification" or "missing_argument" in scenario.hard_cases
    )
    if not teaches_asking or ctx.match is None:
        return Skip("scenario does not teach asking")
    heard = HeardFacts()
    problems: list[str] = []
    for expected, site in ctx.match.matched:
        heard.update(trace.messages[: site.turn_index])
        for arg in expected.args:
            slot = arg_slot(expected, arg)
            value = trace.facts.get(slot) if slot is not None else None
            if slot is not None and not _paraphrasable(value) and not _said(heard, value, ctx.today):
                problems.append(f"{site.call.name}.{arg} filled before the user gave {slot!r}")
    asked = any(type(m) is AssistantMessage and _asks(m) for m in trace.messages)
    if problems and asked:
        problems = [p + " (asked, but not for it)" for p in problems]
    return problems


# ---------------------------------------------------------------- the layer


def judge_context(trace: Trace, pack: Pack) -> JudgeContext:
    """What every check reads about one trace (see `JudgeContext`)."""
    today = pack.today_of(trace)
    view = walk(trace, today)
    scenario = pack.scenarios.get(trace.episode.scenario_id)
    ctx = JudgeContext(trace=trace, pack=pack, scenario=scenario, view=view, match=None, today=today)
    if scenario is not None:
        ctx.match = match_expected(view.calls, ctx.expected, trace.facts, pack.domain.tools)
    return ctx


def judge_rules(trace: Trace, pack: Pack) -> Verdict:
    """Run every rule check on a trace; accept iff all pass."""
    rows = check_rows(judge_context(trace, pack))
    failed = [row["name"] for row in rows if not row["passed"]]
    return rules_verdict(trace.id, verdict_checks(rows), failed)  # checks mostly shared (`verdict_checks`)


# The checks that read the replies and the final state live in modules of their own; importing
# them here registers them after the ones above, in the order verdicts list them.
from simulator.judge import final_state, outcomes, reply_grounding  # noqa: E402,F401,I001

CHECK_NAMES: tuple[str, ...] = tuple(CHECKS.names())  # toolsim's own checks, in verdict order

__all__ = ["CHECK_NAMES", "judge_context", "judge_rules"]
