"""The expected-calls match: a blueprint set accepts any of its values; declared reads are
tolerated when extra, undeclared tools are not."""

from __future__ import annotations

import json

from simulator.core.messages import ToolCall
from simulator.judge.conversation import CallSite
from simulator.judge.expected import match_expected
from simulator.spec import ExpectedCall, ToolSpec

ESCALATE = ToolSpec(
    name="escalate", description="d", read_only=False,
    parameters={"type": "object", "properties": {"order_id": {"type": "string"},
                                                 "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                                                 "tags": {"type": "array", "items": {"type": "string"}}}},
)
LOOKUP = ToolSpec(name="lookup", description="d", read_only=True, parameters={"type": "object", "properties": {}})
UNSAID = ToolSpec(name="peek", description="d", parameters={"type": "object", "properties": {}})
TOOLS = {t.name: t for t in (ESCALATE, LOOKUP, UNSAID)}


def site(name: str, args: dict, cid: str = "c1") -> CallSite:
    return CallSite(call=ToolCall(id=cid, name=name, arguments=json.dumps(args)), args=args, args_problem=None,
                    turn_index=1, results={}, evidence=None)


def test_a_set_of_values_accepts_each_of_them_and_nothing_else():
    expected = [ExpectedCall(tool="escalate", args={"order_id": "{o}", "priority": ["high", "normal"]})]
    for priority in ("high", "normal", "NORMAL"):
        assert match_expected([site("escalate", {"order_id": "ORD-1", "priority": priority})], expected,
                              {"o": "ORD-1"}, TOOLS).ok
    low = match_expected([site("escalate", {"order_id": "ORD-1", "priority": "low"})], expected, {"o": "ORD-1"}, TOOLS)
    assert low.missing == ["escalate: priority='low', expected one of ['high', 'normal']"]


def test_a_list_for_an_array_parameter_is_the_literal_array():
    expected = [ExpectedCall(tool="escalate", args={"tags": ["a", "b"]})]
    assert match_expected([site("escalate", {"tags": ["a", "b"]})], expected, {}, TOOLS).ok
    assert not match_expected([site("escalate", {"tags": "a"})], expected, {}, TOOLS).ok


def test_only_declared_reads_are_tolerated_as_extra_calls():
    expected = [ExpectedCall(tool="escalate", args={})]
    calls = [site("lookup", {}, "c0"), site("peek", {}, "c1"), site("escalate", {}, "c2")]
    match = match_expected(calls, expected, {}, TOOLS)
    assert [s.call.name for s in match.tolerated] == ["lookup"]
    assert [s.call.name for s in match.unexpected] == ["peek"]  # never said it only reads
