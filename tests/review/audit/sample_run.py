"""Small hand-built run directories for the audit and report tests.

`write_sample_run` writes seven traces that cover what the audit has to tell apart: accepted,
rejected by different rules, judged by a model (failed and passed), overridden by a human, a
Chinese persona, and a trace with a tool error. `write_synthetic_run` writes N varied traces for
size and speed figures.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.core.records import (
    Episode,
    ModelJudgement,
    Override,
    RuleCheck,
    Trace,
    Verdict,
)
from simulator.core.rundir import RunDir
from simulator.spec import (
    ExpectedCall,
    LocalizedText,
    Scenario,
    SlotSpec,
    StateQuery,
    Turn,
)

SYSTEM_PROMPT = "You are a customer service assistant for Acme. Be brief and never invent order ids."
CHECKS = ("tool_exists", "arguments_json", "arguments_schema", "arguments_grounded", "expected_calls", "final_answer")

SCENARIOS = [
    Scenario(
        id="refund_broken", category="positive", goal="get a refund for a broken item",
        record=StateQuery(collection="orders", where={"status": "delivered"}),
        slots={"order_id": SlotSpec(field="order_id")},
        turns=[Turn(say=LocalizedText(en=["my order {order_id} arrived broken, refund please"], zh=["订单{order_id}坏了，请退款"]),
                    expect=[ExpectedCall(tool="initiate_refund", args={"order_id": "{order_id}", "reason": "defective"})])],
    ),
    Scenario(
        id="track_then_cancel", category="multi-turn", goal="find an order and cancel it",
        slots={"email": SlotSpec(fake="email")},
        turns=[
            Turn(say=LocalizedText(en=["where is my last order? my email is {email}"]),
                 expect=[ExpectedCall(tool="lookup_order", args={"email": "{email}"})]),
            Turn(say=LocalizedText(en=["ok, cancel it"]),
                 expect=[ExpectedCall(tool="cancel_order", args={"order_id": "{@lookup_order.orders.0.order_id}"})]),
        ],
    ),
    Scenario(
        id="smalltalk", category="negative", goal="chat about the weather",
        turns=[Turn(say=LocalizedText(en=["nice weather today, huh?"]), answer=LocalizedText(en=["It is! How can I help?"]))],
    ),
]


@dataclass
class SampleRun:
    run: RunDir
    ids: dict[str, str]  # role in the test -> trace id


def _episode(n: int, scenario: str, persona: str, tool: str | None, category: str, language: str = "en") -> Episode:
    return Episode(id=f"r0-{n:05d}-{scenario}-{persona}", scenario_id=scenario, persona_id=persona, seed=n,
                   category=category, tool=tool, language=language)


def _checks(failed: dict[str, str]) -> list[RuleCheck]:
    return [RuleCheck(name=c, passed=c not in failed, reason=failed.get(c, "")) for c in CHECKS]


def _refund_messages(order_id: str, user_text: str | None = None, answer: str = "Your refund RF-1031 is on its way.") -> list:
    call = ToolCall(id="call_1", name="initiate_refund", arguments=json.dumps({"order_id": order_id, "reason": "defective"}))
    return [
        SystemMessage(content=SYSTEM_PROMPT),
        UserMessage(content=user_text or f"my order {order_id} arrived broken, refund please"),
        AssistantMessage(tool_calls=(call,)),
        ToolMessage(tool_call_id="call_1", name="initiate_refund", content='{"refund_id": "RF-1031", "status": "pending"}'),
        AssistantMessage(content=answer),
        UserMessage(content="thanks ###STOP###"),
    ]


def sample_traces() -> list[tuple[Trace, Verdict]]:
    out: list[tuple[Trace, Verdict]] = []

    def add(trace: Trace, verdict: Verdict) -> None:
        out.append((trace, verdict))

    ep = _episode(1, "refund_broken", "calm_en", "initiate_refund", "positive")
    add(Trace(id=ep.id, episode=ep, messages=_refund_messages("ORD-48291"), termination="user_stop", facts={"order_id": "ORD-48291"}),
        Verdict(trace_id=ep.id, checks=_checks({}), decision="accept"))

    ep = _episode(2, "refund_broken", "casual_en", "initiate_refund", "positive")
    add(Trace(id=ep.id, episode=ep, messages=_refund_messages("ORD-1", "ord ORD-55555 broke, refund pls"), termination="user_stop",
              facts={"order_id": "ORD-55555"}),
        Verdict(trace_id=ep.id, checks=_checks({"arguments_schema": "initiate_refund: order_id: 'ORD-1' does not match '^ORD-\\\\d{5}$'",
                                                  "arguments_grounded": "initiate_refund: order_id='ORD-1' not in the conversation"}),
                decision="reject", reasons=["arguments_schema", "arguments_grounded"]))

    ep = _episode(3, "track_then_cancel", "calm_en", "cancel_order", "multi-turn")
    lookup = ToolCall(id="call_1", name="lookup_order", arguments='{"email": "kim@example.com"}')
    add(Trace(id=ep.id, episode=ep, termination="user_stop", facts={"email": "kim@example.com"}, messages=[
        SystemMessage(content=SYSTEM_PROMPT),
        UserMessage(content="where is my last order?"),
        AssistantMessage(content="Could you tell me the e-mail on the order?"),
        UserMessage(content="it's kim@example.com"),
        AssistantMessage(tool_calls=(lookup,)),
        ToolMessage(tool_call_id="call_1", name="lookup_order", content='{"error": "service unavailable"}', is_error=True),
        AssistantMessage(content="Sorry, that didn't work: service unavailable"),
        UserMessage(content="ok, cancel it"),
        AssistantMessage(content="I can't look up your orders right now."),
        UserMessage(content="bye ###STOP###"),
    ]),
        Verdict(trace_id=ep.id, checks=_checks({"expected_calls": "missing cancel_order(order_id=…)"}), decision="reject",
                reasons=["expected_calls"]))

    ep = _episode(4, "refund_broken", "formal_en", "initiate_refund", "positive")
    add(Trace(id=ep.id, episode=ep, messages=_refund_messages("ORD-11111", answer="Done."), termination="user_stop",
              facts={"order_id": "ORD-11111"}),
        Verdict(trace_id=ep.id, checks=_checks({}), decision="reject", reasons=["helpfulness"],
                model=ModelJudgement(status="scored", model="openai/gpt-judge", rationale="The answer 'Done.' gives no refund id.",
                                     scores={"helpfulness": 2.0, "correctness": 4.0}, passed=False)))

    ep = _episode(5, "smalltalk", "calm_en", None, "negative")
    add(Trace(id=ep.id, episode=ep, termination="user_stop", messages=[
        SystemMessage(content=SYSTEM_PROMPT), UserMessage(content="nice weather today, huh?"),
        AssistantMessage(content="It is! How can I help?"), UserMessage(content="###STOP###")]),
        Verdict(trace_id=ep.id, checks=_checks({}), decision="accept",
                model=ModelJudgement(status="scored", model="openai/gpt-judge", rationale="Friendly, no tool needed.",
                                     scores={"helpfulness": 5.0}, passed=True)))

    ep = _episode(6, "smalltalk", "casual_en", None, "negative")
    add(Trace(id=ep.id, episode=ep, termination="max_turns", messages=[
        SystemMessage(content=SYSTEM_PROMPT), UserMessage(content="sunny huh"), AssistantMessage(content="")]),
        Verdict(trace_id=ep.id, checks=_checks({"final_answer": "the last assistant message is empty"}), decision="reject",
                reasons=["final_answer"],
                overrides=[Override(who="ana", when="2025-01-02T03:04:05+00:00", decision="accept", reason="short but fine")]))

    ep = _episode(7, "refund_broken", "polite_zh", "initiate_refund", "positive", language="zh")
    add(Trace(id=ep.id, episode=ep, messages=_refund_messages("ORD-22222", "订单ORD-22222坏了，请退款"), termination="user_stop",
              facts={"order_id": "ORD-22222"}),
        Verdict(trace_id=ep.id, checks=_checks({"arguments_grounded": "initiate_refund: reason='defective' not in the conversation"}),
                decision="reject", reasons=["arguments_grounded"]))
    return out


SAMPLE_ROLES = ("accepted", "schema", "multi_turn", "model_failed", "model_passed", "overridden", "chinese")


def _write(run_path: Path, pairs: list[tuple[Trace, Verdict]], name: str) -> RunDir:
    run = RunDir(run_path)
    run.write_manifest({
        "name": name, "status": "finished",
        "config": {"name": name, "scenarios": [s.model_dump(mode="json") for s in SCENARIOS]},
    })
    with run.traces_path.open("w", encoding="utf-8") as f:
        for trace, _ in pairs:
            f.write(trace.model_dump_json() + "\n")
    with run.verdicts_path.open("w", encoding="utf-8") as f:
        for _, verdict in pairs:
            f.write(verdict.model_dump_json() + "\n")
    selection = {t.id: "train" for t, v in pairs if v.final_decision == "accept"}
    (run.path / "selection.json").write_text(json.dumps(selection), encoding="utf-8")
    return run


def write_sample_run(path: Path) -> SampleRun:
    pairs = sample_traces()
    run = _write(path, pairs, "sample")
    return SampleRun(run=run, ids={role: t.id for role, (t, _) in zip(SAMPLE_ROLES, pairs)})


def write_synthetic_run(path: Path, n: int, seed: int = 0) -> RunDir:
    """N traces recombined from the samples with fresh ids and varied order ids and text."""
    rng = random.Random(seed)
    base = sample_traces()
    personas = [f"persona_{k}" for k in range(12)]
    pairs = []
    for i in range(n):
        trace, verdict = base[i % len(base)]
        tid = f"r{i // 1000}-{i:05d}-{trace.episode.scenario_id}"
        ep = trace.episode.model_copy(update={"id": tid, "persona_id": rng.choice(personas), "seed": i})
        order = f"ORD-{rng.randrange(10000, 99999)}"
        messages = [
            m.model_copy(update={"content": m.content.replace("ORD-48291", order) + f" (#{i})"})
            if isinstance(m, UserMessage) else m
            for m in (_refund_messages(order) if trace.episode.scenario_id == "refund_broken" else trace.messages)
        ]
        pairs.append((trace.model_copy(update={"id": tid, "episode": ep, "messages": messages}),
                      verdict.model_copy(update={"trace_id": tid})))
    return _write(path, pairs, "synthetic")


def parse_cli(argv: list[str]):
    """Parse `toolsim audit|report …` with the parsers the top-level CLI registers."""
    import argparse

    from simulator.cli.audit import add_audit_parser, add_report_parser

    parser = argparse.ArgumentParser(prog="toolsim")
    sub = parser.add_subparsers(dest="command", required=True)
    add_audit_parser(sub)
    add_report_parser(sub)
    return parser.parse_args(argv)


def run_cli(argv: list[str]) -> int:
    args = parse_cli(argv)
    return args.handler(args)
