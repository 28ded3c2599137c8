"""The customer-support offline data read as training data: replies speak of the order the
customer named, and escalation priorities follow the system prompt's policy."""

from __future__ import annotations

import json

import pytest

from tests.pack_runs import read_traces

pytestmark = pytest.mark.slow  # runs a pack end to end


@pytest.fixture(scope="module")
def traces(pack_run) -> list[dict]:
    return read_traces(pack_run("customer_support"), selected_only=True)


def _calls(trace: dict) -> list[tuple[str, dict, object]]:
    results = {m["tool_call_id"]: m["content"] for m in trace["messages"] if m["role"] == "tool"}
    found = []
    for message in trace["messages"]:
        for call in message.get("tool_calls") or []:
            found.append((call["name"], json.loads(call["arguments"]), json.loads(results[call["id"]])))
    return found


def test_a_lookup_reply_speaks_of_the_order_holding_the_item_the_customer_named(traces):
    """"I lost the confirmation for the Cast Iron Skillet" + an account with several orders: the
    reply names the order holding the skillet, even when it is not the newest."""
    checked = 0
    for trace in traces:
        first = next(m["content"] for m in trace["messages"] if m["role"] == "user").lower()
        for tool, _, result in _calls(trace):
            orders = result.get("orders") if isinstance(result, dict) else None
            if tool != "lookup_order" or not orders or len(orders) < 2:
                continue
            holding = [o for o in orders if any(i["name"].lower() in first for i in o["items"])]
            if len(holding) != 1 or holding[0] is orders[0]:
                continue
            replies = [m["content"] for m in trace["messages"] if m["role"] == "assistant" and m.get("content")]
            assert any(holding[0]["order_id"] in r for r in replies), (first, replies)
            checked += 1
    assert checked >= 3  # the case occurs in a default run, so the test reads something


def test_escalation_priority_follows_the_policy(traces):
    """Policy: high for angry customers or repeated problems, normal otherwise. A customer who
    calmly asks for a person after a lookup gets a normal ticket; one writing again and again
    about a problem, or upset after a refused refund, a high one."""
    want = {"lookup_then_escalate": "normal", "escalate_repeated_problem": "high",
            "refund_before_delivery_then_escalate": "high"}
    seen = set()
    for trace in traces:
        expected = want.get(trace["episode"]["scenario_id"])
        if expected is None:
            continue
        priorities = [args.get("priority", "normal") for tool, args, _ in _calls(trace) if tool == "escalate_to_human"]
        assert priorities == [expected], (trace["episode"]["scenario_id"], priorities)
        seen.add(trace["episode"]["scenario_id"])
    assert seen == set(want)
