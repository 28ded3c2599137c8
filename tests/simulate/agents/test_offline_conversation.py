"""Whole offline conversations over the real scenario file and personas, with a stand-in for
the tool environment that answers in the customer-support result shapes (and fails the calls a
blueprint marks `expect_error`)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
    tool_error,
    tool_result,
)
from simulator.spec import Persona, ScenarioFile
from simulator.spec.blueprint import latest_results, lookup, render_args

ROOT = Path(__file__).resolve().parents[3]
FILE = ScenarioFile.model_validate(yaml.safe_load((ROOT / "scenarios" / "customer_support.yaml").read_text("utf-8")))
PERSONAS = [Persona.model_validate(yaml.safe_load(p.read_text("utf-8"))) for p in sorted((ROOT / "personas").glob("*.yaml"))]
FAKES = {"street": "742 Willow Lane", "city": "San Diego", "postal_code": "92101", "order_id": "ORD-70707"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _record(status: str) -> dict:
    return {
        "order_id": "ORD-48291", "customer_id": "C-1", "customer_name": "Jane Doe", "email": "jane.doe@example.com",
        "items": [{"sku": "SKU-1", "name": "Desk Lamp", "quantity": 1, "price": 27.49},
                  {"sku": "SKU-2", "name": "Yoga Mat", "quantity": 1, "price": 29.99}],
        "total": 57.48, "currency": "USD", "status": status, "order_date": "2026-03-01",
        "delivered_date": "2026-03-05" if status == "delivered" else None, "carrier": None if status == "processing" else "UPS",
        "tracking_number": None if status == "processing" else "1Z999", "estimated_delivery": "2026-03-06",
        "shipping_address": {"street": "1 Main Street", "city": "Austin", "postal_code": "73301", "country": "United States"},
        "refunded_amount": 0.0,
    }


def _facts(scenario, rng: random.Random) -> tuple[dict, dict]:
    wanted = (scenario.record.where.get("status") if scenario.record else None) or "delivered"
    record = _record(wanted[0] if isinstance(wanted, list) else wanted)
    facts = {}
    for name, slot in scenario.slots.items():
        if slot.field is not None:
            facts[name] = lookup(slot.field, record)
        elif slot.fake is not None:
            facts[name] = FAKES[slot.fake]
        elif slot.choice is not None:
            facts[name] = rng.choice(slot.choice)
        else:
            facts[name] = slot.value
    return facts, record


class StandInEnvironment:
    """Answers each call like the customer-support sims would, checking it against the blueprint."""

    def __init__(self, scenario, facts: dict, record: dict) -> None:
        self.expected = [call for turn in scenario.turns for call in turn.expect]
        self.facts, self.record = facts, record
        self.made: list[ToolCall] = []

    def __call__(self, call: ToolCall, messages: list) -> ToolMessage:
        position = len(self.made)
        self.made.append(call)
        assert position < len(self.expected), f"unexpected extra call {call}"
        expected = self.expected[position]
        assert call.name == expected.tool
        assert json.loads(call.arguments) == render_args(expected, self.facts, latest_results(messages))
        if expected.expect_error:
            return tool_error(call, f"cannot {call.name.replace('_', ' ')} for this order")
        args, r = json.loads(call.arguments), self.record
        payloads = {
            "lookup_order": lambda: {"orders": [{k: r[k] for k in ("order_id", "status", "order_date", "items", "total", "currency", "email")}]},
            "check_status": lambda: {k: r[k] for k in ("order_id", "status", "carrier", "tracking_number", "estimated_delivery", "delivered_date")}
            | {"order_id": args["order_id"]},
            "initiate_refund": lambda: {"refund_id": "RF-1001", "order_id": args["order_id"], "amount": args.get("amount", r["total"]),
                                        "status": "pending", "estimated_days": 7},
            "update_address": lambda: {"order_id": args["order_id"], "status": "processing", "shipping_address":
                                       {k: args[k] for k in ("street", "city", "postal_code")} | {"country": "United States"}},
            "escalate_to_human": lambda: {"ticket_id": "T-2001", "queue_position": 3, "estimated_wait_minutes": 12,
                                          "priority": args.get("priority", "normal")},
        }
        return tool_result(call, payloads[call.name]())


def _play(kit, scenario, persona, seed):
    facts, record = _facts(scenario, random.Random(seed))
    ctx = kit.context(scenario, persona, facts, SimpleNamespace(config=FILE.domain, tools={}), seed)
    env = StandInEnvironment(scenario, facts, record)
    return kit.play(ctx, env), env, facts


@pytest.mark.parametrize("scenario", FILE.scenarios, ids=lambda s: s.id)
def test_every_scenario_plays_to_the_end_with_every_persona(kit, scenario):
    for persona in PERSONAS:
        for seed in range(3):
            messages, env, facts = _play(kit, scenario, persona, seed)
            assert len(env.made) == len(env.expected), (persona.id, seed, messages)
            users = [m.content for m in messages if isinstance(m, UserMessage)]
            texts = [m.content for m in messages if isinstance(m, AssistantMessage) and not m.tool_calls]
            assert users[-1].endswith(STOP_TOKEN) and all(STOP_TOKEN not in u for u in users[:-1])
            assert all(t and "None" not in t and "{" not in t for t in texts), texts
            if persona.language == "zh":
                # a terse answer may be only the facts ("ORD-48291"); everything else is Chinese
                assert all(CJK.search(t) for t in [users[0], users[-1], *texts]), (users, texts)
            told = " ".join(m.content for m in messages if isinstance(m, (UserMessage, ToolMessage))).lower()
            for call in env.made:  # grounding: every id-like value was said by the user or a tool first
                for value in json.loads(call.arguments).values():
                    if isinstance(value, str) and re.search(r"\d|@", value):
                        assert value.lower() in told, (value, users)
                    elif isinstance(value, float):
                        assert f"{value:.2f}" in told, (value, users)


def test_multi_turn_refund_after_lookup_by_email(kit):
    scenario = next(s for s in FILE.scenarios if s.id == "lookup_by_email_then_refund")
    for persona in PERSONAS:  # the order number comes from the lookup: nobody asks the user for it
        for seed in range(5):
            messages, env, facts = _play(kit, scenario, persona, seed)
            users = " ".join(m.content for m in messages if isinstance(m, UserMessage))
            assert "ORD-48291" not in users and len(env.made) == 2
    messages, env, facts = _play(kit, scenario, PERSONAS[0], 1)
    roles = [m.role for m in messages]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant", "user"]
    refund = json.loads(env.made[1].arguments)
    assert refund == {"order_id": "ORD-48291", "reason": facts["reason"]["code"]}
    assert "RF-1001" in messages[8].content


def test_guarded_persona_is_asked_and_answers_within_the_turn(kit):
    scenario = next(s for s in FILE.scenarios if s.id == "clarify_new_address")
    guarded = next(p for p in PERSONAS if p.id == "terse_guarded")
    messages, env, facts = _play(kit, scenario, guarded, 2)
    question = messages[2]
    assert question.role == "assistant" and not question.tool_calls and "?" in question.content
    assert messages[3].content == "742 Willow Lane, San Diego 92101"
    assert env.made[0].name == "update_address"


def test_error_recovery_reports_the_error_then_escalates(kit):
    scenario = next(s for s in FILE.scenarios if s.id == "refund_before_delivery_then_escalate")
    messages, env, _ = _play(kit, scenario, PERSONAS[0], 0)
    error_reply = messages[4]
    assert isinstance(messages[3], ToolMessage) and messages[3].is_error
    assert "cannot initiate refund" in error_reply.content
    assert [c.name for c in env.made] == ["initiate_refund", "escalate_to_human"]
    assert "T-2001" in messages[-2].content


def test_parallel_calls_share_one_assistant_message(kit):
    scenario = next(s for s in FILE.scenarios if s.id == "parallel_status_and_orders")
    messages, env, _ = _play(kit, scenario, PERSONAS[0], 0)
    batches = [m.tool_calls for m in messages if isinstance(m, AssistantMessage) and m.tool_calls]
    assert [[c.name for c in b] for b in batches] == [["check_status", "lookup_order"]]


def test_no_tool_scenarios_never_call(kit):
    for scenario in (s for s in FILE.scenarios if s.category == "negative"):
        messages, env, _ = _play(kit, scenario, PERSONAS[0], 0)
        assert env.made == [] and len(messages) == 4
