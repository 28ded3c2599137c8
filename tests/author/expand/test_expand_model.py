"""`toolsim expand --model` over real HTTP to the fake OpenAI server: scripted replies, with
invalid variants that must be dropped and counted."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from simulator.cli import main
from simulator.load.variants import default_path
from tests.fakes.openai_server import FakeOpenAIServer, text

REFUND_REPLY = {
    "variants": [
        {"turn": 0, "language": "en", "text": "Hey, {order_id} showed up smashed ({reason.en}), I want my money back",
         "vague": False},
        {"turn": 0, "language": "en", "text": "I'd like a refund, {reason.en}.", "vague": True},
        {"turn": 0, "language": "zh", "text": "订单{order_id}我要退钱，{reason.zh}。", "vague": False},
        # invalid, each for another reason:
        {"turn": 0, "language": "en", "text": "Refund {order_id}, it's the wrong {colour}", "vague": False},
        {"turn": 0, "language": "en", "text": "I'd like a refund please", "vague": False},
        {"turn": 0, "language": "en", "text": "Where is my order {order_id}?", "vague": False},
        {"turn": 0, "language": "zh", "text": "订单{order_id}退款，{reason.en}。", "vague": False},
        {"turn": 2, "language": "en", "text": "Refund {order_id}.", "vague": False},
        "not an object",
    ],
    "choices": [
        {"slot": "reason", "entry": {"code": "defective", "en": "the handle fell off", "zh": "把手掉了"}},
        {"slot": "reason", "entry": {"code": "too_expensive", "en": "it was too pricey", "zh": "太贵了"}},
    ],
}
ESCALATE_REPLY = {
    "variants": [
        {"turn": 0, "language": "en", "text": "Put me through to somebody real about {order_id}.", "vague": False},
        {"turn": 0, "language": "en", "text": "Can you track {order_id}?", "vague": False},  # another tool's words
    ],
    "choices": [],
}


def _scenario_of(request) -> str:
    return re.search(r"## Scenario `([a-z0-9_\-]+)`", request.messages[-1]["content"]).group(1)


@pytest.fixture
def server(fake_keys, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    with FakeOpenAIServer() as s:
        s.responder = lambda request: text(json.dumps(
            {"refund_delivered_order": REFUND_REPLY, "escalate_on_request": ESCALATE_REPLY}[_scenario_of(request)]
        ))
        yield s


@pytest.mark.slow
def test_model_variants_are_checked_and_counted(server, support_copy, capsys):
    args = ["expand", str(support_copy), "--model", "openai/fake-model", "--api-base", server.base_url,
            "--per-scenario", "10", "--scenario", "refund_delivered_order", "--scenario", "escalate_on_request"]
    assert main(args) == 0
    output = capsys.readouterr().out
    data = yaml.safe_load(default_path(support_copy).read_text())
    assert data["generated_by"] == ["openai/fake-model"]
    refund = data["scenarios"]["refund_delivered_order"]
    assert refund["turns"][0]["en"] == [
        "Hey, {order_id} showed up smashed ({reason.en}), I want my money back",
        "I'd like a refund, {reason.en}.",
    ]
    assert refund["turns"][0]["zh"] == ["订单{order_id}我要退钱，{reason.zh}。"]
    assert refund["choices"] == {"reason": [{"code": "defective", "en": "the handle fell off", "zh": "把手掉了"}]}
    assert data["scenarios"]["escalate_on_request"]["turns"][0]["en"] == [
        "Put me through to somebody real about {order_id}."
    ]

    # The prompt told the model what it needed: slots, required / askable ones, other tools.
    prompt = server.requests[0].messages[-1]["content"]
    assert "{order_id}" in prompt and "check_status" in prompt and "required" in prompt

    # Two rounds (the first left cells short), each reply refused for the same reasons.
    assert server.calls == 4
    for reason, n in [
        ("unknown placeholder", 2 * 2),  # {colour}, and {reason.en} in a zh variant
        ("misses a required slot", 2),
        ("ambiguous: same text as another tool's turn", 2),
        ("ambiguous: words of another tool's requests", 2),
        ("no such turn or language", 2),
        ("malformed variant item", 2),
        ("choice entry with a new code", 2),
    ]:
        assert re.search(rf"^\s+{n}\s+{re.escape(reason)}$", output, re.MULTILINE), (reason, output)
    assert "vague" in output


def test_an_unreadable_reply_adds_nothing(fake_keys, support_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    with FakeOpenAIServer() as server:
        server.responder = lambda request: text("Sure! Here are some variants: 1. ...")
        args = ["expand", str(support_copy), "--model", "openai/fake-model", "--api-base", server.base_url,
                "--per-scenario", "4", "--scenario", "lookup_order_by_id"]
        assert main(args) == 0
    output = capsys.readouterr().out
    assert re.search(r"^\s+2\s+unparseable model reply$", output, re.MULTILINE), output
    data = yaml.safe_load(default_path(support_copy).read_text())
    assert data["scenarios"] == {} and data["generated_by"] == []


PARTIAL_REPLY = {
    "variants": [],
    "choices": [],
    "scales": [
        {"slot": "amount", "factor": 0.3},
        {"slot": "amount", "factor": 0.5},  # the scenario has it
        {"slot": "amount", "factor": 1.5},  # more than the price
        {"slot": "amount", "factor": "0.4"},  # not a number
        {"slot": "item", "factor": 0.2},  # not a scaled field slot
        {"slot": "amount", "factor": 0.3},  # again
        {"slot": "amount"},  # malformed
        {"slot": "amount", "factor": 0.6},
        {"slot": "amount", "factor": 0.8},
        {"slot": "amount", "factor": 0.25},  # a fourth: 3 were asked for
    ],
}


def test_model_factors_are_checked_and_counted(fake_keys, support_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TOOLSIM_CACHE_DIR", str(tmp_path / "cache"))
    with FakeOpenAIServer() as server:
        server.responder = lambda request: text(json.dumps(PARTIAL_REPLY))
        args = ["expand", str(support_copy), "--model", "openai/fake-model", "--api-base", server.base_url,
                "--per-scenario", "50", "--scenario", "partial_refund_one_item"]
        assert main(args) == 0
    output = capsys.readouterr().out
    data = yaml.safe_load(default_path(support_copy).read_text())
    assert data["scenarios"]["partial_refund_one_item"]["scales"] == {"amount": [0.3, 0.6, 0.8]}
    assert data["generated_by"] == ["openai/fake-model"]

    first, second = (r.messages[-1]["content"] for r in server.requests)
    assert "factors so far: 1, 0.5" in first and "slot amount: 3 new scale factor(s)" in first
    assert "factors so far: 1, 0.5, 0.3, 0.6, 0.8" in second and "new scale factor" not in second
    # Two rounds (no say variants came back); in the second every factor is known or not asked for.
    for reason, n in [
        ("duplicate factor", 2 + 5),
        ("factor not a number in (0, 1]", 2 + 2),
        ("factor for a slot that is not a scaled field", 1 + 1),
        ("malformed scale item", 1 + 1),
        ("more than asked for", 1 + 1),
    ]:
        assert re.search(rf"^\s+{n}\s+{re.escape(reason)}$", output, re.MULTILINE), (reason, output)
