"""The judge-model layer: a rubric, a structured verdict, and optionally a committee.

The model answers through a JSON-schema response format with the rationale *first* (reasoning
before scores gives better-calibrated scores), then an integer 1–5 per criterion, then `pass`.
A vote passes only if the model says so *and* no criterion is below the threshold, so a model
that contradicts its own scores is not believed. A reply that does not parse or does not fit the
schema — or a call that failed — makes the vote `unscored`, and an unscored verdict is never an
accept.

A committee (several models, or several samples of one) votes by majority of *all* votes, so
unscored votes count against passing and a tie fails; `agreement` is the share of scored votes
that agree with the decision. Every judgement stores the model(s), a hash of the prompt version
and the raw reply, so a verdict can be audited and re-run.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any, Sequence

from jsonschema import Draft202012Validator

from simulator.core.messages import (
    AssistantMessage,
    Message,
    SystemMessage,
    ToolMessage,
    UserMessage,
)
from simulator.core.records import ModelJudgement, RoleUsage, Trace
from simulator.llm.client import LLMClient
from simulator.llm.retry import LLMCallError
from simulator.llm.templates import fill, load_prompt, prompt_hash
from simulator.llm.tool_model import parse_json_reply
from simulator.judge.final_state import compare_final_state
from simulator.judge.reply_grounding import reply_findings
from simulator.judge.rules import judge_context
from simulator.spec.blueprint import MissingValue, render_args
from simulator.spec.models import ModelSettings
from simulator.spec.pack import Pack

DEFAULT_THRESHOLD = 4
_CRITERION = re.compile(r"^- \*\*([a-z_]+)\*\*:\s*(.+?)(?=^- \*\*|\Z)", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Rubric:
    """Criterion name -> what it means (shown to the judge model)."""

    criteria: dict[str, str]

    @classmethod
    def default(cls) -> "Rubric":
        text = load_prompt("simulator.judge", "criteria.md")
        return cls({name: " ".join(desc.split()) for name, desc in _CRITERION.findall(text)})

    def markdown(self) -> str:
        return "\n".join(f"- **{name}**: {desc}" for name, desc in self.criteria.items())

    def response_schema(self) -> dict[str, Any]:
        score = {"type": "integer", "enum": [1, 2, 3, 4, 5]}
        return {
            "type": "object",
            "properties": {
                "rationale": {"type": "string"},
                "scores": {
                    "type": "object",
                    "properties": {name: score for name in self.criteria},
                    "required": list(self.criteria),
                    "additionalProperties": False,
                },
                "pass": {"type": "boolean"},
            },
            "required": ["rationale", "scores", "pass"],
            "additionalProperties": False,
        }


# ------------------------------------------------------------------ the case shown to the judge


def _transcript(messages: Sequence[Message]) -> str:
    lines = []
    for m in messages:
        if isinstance(m, SystemMessage):
            lines.append(f"[system prompt]\n{m.content}")
        elif isinstance(m, UserMessage):
            lines.append(f"[customer] {m.content}")
        elif isinstance(m, AssistantMessage):
            if m.content:
                lines.append(f"[assistant] {m.content}")
            lines += [f"[assistant calls] {c.name}({c.arguments})  id={c.id}" for c in m.tool_calls]
        elif isinstance(m, ToolMessage):
            flag = " (error)" if m.is_error else ""
            lines.append(f"[tool result{flag}] {m.name} id={m.tool_call_id}: {m.content}")
    return "\n".join(lines)


def render_case(trace: Trace, pack: Pack) -> str:
    scenario = pack.scenarios.get(trace.episode.scenario_id)
    facts = "\n".join(f"  - {k}: {json.dumps(v, ensure_ascii=False, default=str)}" for k, v in trace.facts.items())
    expected_lines = []
    for turn in scenario.turns if scenario else []:
        for call in turn.expect:
            try:
                args: Any = render_args(call, trace.facts)
            except MissingValue:
                args = call.args
            note = " (expected to fail)" if call.expect_error else ""
            expected_lines.append(f"  - {call.tool}({json.dumps(args, ensure_ascii=False, default=str)}){note}")
    tools = "\n".join(f"- {t.name}: {t.description}" for t in pack.domain.tools.values())
    return fill(
        load_prompt("simulator.judge", "judge_case.md"),
        category=trace.episode.category,
        goal=scenario.goal if scenario else "(unknown scenario)",
        facts=facts or "  - (none)",
        expected=("\n".join(expected_lines) or "  - (none: no tool should be called)"),
        tools=tools,
        transcript=_transcript(trace.messages),
        rule_findings=rule_findings(trace, pack),
    )


def rule_findings(trace: Trace, pack: Pack) -> str:
    """What the rules saw that the transcript alone does not show a reader: the state the calls
    left against the blueprint's, and how the replies' values were traced to the results."""
    ctx = judge_context(trace, pack)
    comparison = compare_final_state(trace, pack, ctx.match)
    problems = [f.problem for f in reply_findings(ctx) if f.problem]
    replies = sum(1 for m in trace.messages if isinstance(m, AssistantMessage) and m.content)
    values = ctx.cache.get("reply_values", 0)
    lines = [f"- final state: {comparison.summary()}"]
    if problems:
        lines += [f"- reply values not traced to the conversation: {p}" for p in problems]
    else:
        lines.append(f"- reply values: every identifier, number, date, time, status and name the {replies} "
                     f"replies state ({values} identifiers, numbers, dates and times) matches what a tool "
                     "result or a message showed before it")
    return "\n".join(lines)


# ------------------------------------------------------------------ one vote


def parse_verdict(raw: str | None, rubric: Rubric) -> tuple[str, dict[str, float], bool]:
    """(rationale, scores, model's pass) from a reply; ValueError when it does not fit."""
    value = parse_json_reply(raw)
    errors = sorted(Draft202012Validator(rubric.response_schema()).iter_errors(value), key=str)
    if errors:
        raise ValueError(f"verdict does not fit the schema: {errors[0].message}")
    return value["rationale"], {k: float(v) for k, v in value["scores"].items()}, bool(value["pass"])


async def _vote(
    settings: ModelSettings, client: LLMClient, messages: list[Message], rubric: Rubric,
    threshold: float, sample: int, usage: RoleUsage | None,
) -> dict[str, Any]:
    vote: dict[str, Any] = {"model": settings.model, "sample": sample}
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": rubric.response_schema(), "strict": True},
    }
    try:
        completion = await client.complete(settings, messages, response_format=response_format, cache_salt=f"judge:{sample}")
    except LLMCallError as exc:
        return {**vote, "status": "unscored", "reason": f"judge call failed: {exc}", "raw": None}
    if usage is not None:
        usage.add(completion.usage)
    raw = completion.raw_content
    try:
        rationale, scores, said_pass = parse_verdict(raw, rubric)
    except ValueError as exc:
        return {**vote, "status": "unscored", "reason": f"unparseable verdict: {exc}", "raw": raw}
    passed = said_pass and min(scores.values(), default=0) >= threshold
    return {**vote, "status": "scored", "passed": passed, "scores": scores, "rationale": rationale, "raw": raw}


# ------------------------------------------------------------------ the layer


async def judge_with_model(
    trace: Trace,
    pack: Pack,
    settings_list: Sequence[ModelSettings],
    client: LLMClient,
    rubric: Rubric | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    samples: int = 1,
    usage: RoleUsage | None = None,
) -> ModelJudgement:
    """Score `trace` with each model in `settings_list`, `samples` times each; one voter gives a
    plain verdict, several a majority verdict. `usage` (if given) accumulates the judge's cost."""
    if not settings_list or samples < 1:
        raise ValueError("judge_with_model needs at least one model and one sample")
    rubric = rubric or Rubric.default()
    system = fill(load_prompt("simulator.judge", "judge.md"), criteria=rubric.markdown(), threshold=f"{threshold:g}")
    messages: list[Message] = [SystemMessage(content=system), UserMessage(content=render_case(trace, pack))]
    votes = await asyncio.gather(
        *(
            _vote(settings, client, messages, rubric, threshold, sample, usage)
            for settings in settings_list
            for sample in range(samples)
        )
    )
    models = list(dict.fromkeys(s.model for s in settings_list))
    common = {
        "model": ", ".join(models),
        "prompt_hash": prompt_hash(system, load_prompt("simulator.judge", "judge_case.md")),
        "votes": list(votes),
    }
    scored = [v for v in votes if v["status"] == "scored"]
    if not scored:
        return ModelJudgement(status="unscored", reason=votes[0]["reason"], raw=votes[0]["raw"], passed=False, **common)
    passes = sum(v["passed"] for v in scored)
    passed = passes * 2 > len(votes)  # majority of all votes: unscored ones count against, ties fail
    agreeing = [v for v in scored if v["passed"] == passed]
    scores = {name: sum(v["scores"][name] for v in scored) / len(scored) for name in rubric.criteria}
    return ModelJudgement(
        status="scored",
        raw=votes[0]["raw"] if len(votes) == 1 else None,
        rationale=(agreeing or scored)[0]["rationale"],
        scores=scores,
        passed=passed,
        reason=None if passed else _failure_reason(scored, threshold),
        agreement=len(agreeing) / len(scored),
        **common,
    )


def _failure_reason(scored: list[dict[str, Any]], threshold: float) -> str:
    low = sorted({name for v in scored for name, s in v["scores"].items() if s < threshold})
    return f"below {threshold:g}: {', '.join(low)}" if low else "the judge did not pass it"
