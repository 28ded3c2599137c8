"""The rule judge on hand-made traces: every check seen passing and failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    ToolCall,
    UserMessage,
    tool_error,
    tool_result,
)
from simulator.core.records import Episode, ModelJudgement, Trace
from simulator.judge import judge, needs_model, with_model
from simulator.judge.expected import values_equal
from simulator.judge.rules import CHECK_NAMES, judge_rules
from simulator.spec import DomainConfig, Scenario, ScenarioFile, ToolSpec
from simulator.spec.pack import Domain, Pack

ORDER_ID = {"type": "string", "pattern": r"^ORD-\d{5}$"}
TOOLS = {
    "lookup_order": ToolSpec(
        name="lookup_order",
        description="Find an order.",
        parameters={"type": "object", "properties": {"order_id": ORDER_ID}, "required": ["order_id"]},
        read_only=True,
    ),
    "initiate_refund": ToolSpec(
        name="initiate_refund",
        description="Refund an order.",
        parameters={
            "type": "object",
            "properties": {
                "order_id": ORDER_ID,
                "reason": {"type": "string", "enum": ["defective", "wrong_item", "not_needed"]},
                "amount": {"type": "number"},
                "email": {"type": "string", "format": "email"},
                "note": {"type": "string"},
                "express": {"type": "boolean", "default": False},
                "priority": {"type": "integer", "default": 3},
            },
            "required": ["order_id", "reason"],
        },
        read_only=False,
    ),
    "update_address": ToolSpec(
        name="update_address",
        description="Change the delivery address.",
        parameters={
            "type": "object",
            "properties": {"order_id": ORDER_ID, "postal_code": {"type": "string"}},
            "required": ["order_id", "postal_code"],
        },
        read_only=False,
    ),
}

SCENARIOS = [
    {
        "id": "refund",
        "category": "positive",
        "goal": "refund a broken item",
        "turns": [{"say": "Refund {order_id}, it arrived broken",
                   "expect": [{"tool": "initiate_refund", "args": {"order_id": "{order_id}", "reason": "defective"}}]}],
    },
    {
        "id": "lookup_refund",
        "category": "multi-turn",
        "goal": "refund the last order",
        "turns": [
            {"say": "What's in my order {order_id}?",
             "expect": [{"tool": "lookup_order", "args": {"order_id": "{order_id}"}}]},
            {"say": "Refund it please, it's broken",
             "expect": [{"tool": "initiate_refund",
                         "args": {"order_id": "{@lookup_order.order.order_id}", "reason": "defective",
                                  "amount": "{@lookup_order.order.total}"}}]},
        ],
    },
    {
        "id": "policy",
        "category": "negative",
        "goal": "ask about the return policy",
        "turns": [{"say": "What is your return policy?", "answer": "You can return items within 30 days."}],
    },
    {
        "id": "bad_zip",
        "category": "error-recovery",
        "goal": "change the address",
        "turns": [
            {"say": "Ship {order_id} to postcode {bad_zip}",
             "expect": [{"tool": "update_address", "args": {"order_id": "{order_id}", "postal_code": "{bad_zip}"},
                         "expect_error": True}]},
            {"say": "Sorry, it's {zip}",
             "expect": [{"tool": "update_address", "args": {"order_id": "{order_id}", "postal_code": "{zip}"}}]},
        ],
    },
]


@pytest.fixture(scope="module")
def pack() -> Pack:
    domain_config = DomainConfig(tools="tools.yaml", system_prompt="You are a support agent.")
    scenarios = [Scenario.model_validate(s) for s in SCENARIOS]
    file = ScenarioFile(name="shop", domain=domain_config, scenarios=scenarios)
    domain = Domain(name="shop", system_prompt="You are a support agent.", tools=TOOLS, config=domain_config)
    return Pack(path=Path("shop.yaml"), file=file, domain=domain, personas={},
                scenarios={s.id: s for s in scenarios})


def make_trace(messages, scenario="refund", facts=None, termination="user_stop", error=None, tool="x") -> Trace:
    category = next(s["category"] for s in SCENARIOS if s["id"] == scenario)
    episode = Episode(id=f"{scenario}-1", scenario_id=scenario, persona_id="p", seed=1, category=category,
                      tool=None if scenario == "policy" else tool, language="en")
    return Trace(id=f"t-{scenario}", episode=episode, messages=messages, termination=termination, error=error,
                 facts=facts or {"order_id": "ORD-48291"})


def call(name: str, cid: str = "call_1", **args) -> ToolCall:
    return ToolCall(id=cid, name=name, arguments=json.dumps(args))


def calling(*calls: ToolCall) -> AssistantMessage:
    return AssistantMessage(tool_calls=calls)


SYSTEM = SystemMessage(content="You are a support agent.")
ASK = UserMessage(content="Refund ORD-48291, it arrived broken")
STOP = UserMessage(content="Thanks! ###STOP###")


def refund_trace(*, args=None, result=None, final="Your refund RF-1001 is on its way.", stop=STOP, **kw) -> Trace:
    c = call("initiate_refund", **(args or {"order_id": "ORD-48291", "reason": "defective"}))
    res = result(c) if result else tool_result(c, {"refund_id": "RF-1001", "status": "pending"})
    messages = [SYSTEM, ASK, calling(c), res, AssistantMessage(content=final)]
    return make_trace(messages + ([stop] if stop else []), **kw)


def check(verdict, name):
    return next(c for c in verdict.checks if c.name == name)


def failed(verdict) -> set[str]:
    return {c.name for c in verdict.checks if not c.passed}


# ---------------------------------------------------------------- a good trace


def test_a_clean_trace_passes_every_check(pack):
    verdict = judge(refund_trace(), pack)
    assert [c.name for c in verdict.checks] == list(CHECK_NAMES)
    assert failed(verdict) == set()
    assert verdict.decision == "accept" and verdict.reasons == []
    assert verdict.model.status == "not_run"
    assert verdict.trace_id == "t-refund"


def test_a_rejected_trace_lists_every_failed_check_and_still_records_all(pack):
    c = call("delete_everything")
    trace = make_trace([SYSTEM, ASK, calling(c), tool_error(c, "no such tool")])
    verdict = judge_rules(trace, pack)
    assert len(verdict.checks) == len(CHECK_NAMES)
    assert verdict.decision == "reject"
    assert {"tool_exists", "expected_calls", "final_answer", "tool_errors_expected"} <= set(verdict.reasons)
    assert set(verdict.reasons) == failed(verdict)


# ---------------------------------------------------------------- tool and arguments


def test_unknown_tool_fails_tool_exists(pack):
    c = call("delete_everything")
    v = judge_rules(make_trace([SYSTEM, ASK, calling(c), tool_result(c, {}), AssistantMessage(content="ok"), STOP]), pack)
    assert not check(v, "tool_exists").passed
    assert "delete_everything" in check(v, "tool_exists").reason


def test_malformed_arguments_fail_arguments_json(pack):
    bad = ToolCall(id="call_1", name="initiate_refund", arguments='{"order_id": "ORD-48291",')
    trace = make_trace([SYSTEM, ASK, calling(bad), tool_result(bad, {}), AssistantMessage(content="ok"), STOP])
    v = judge_rules(trace, pack)
    assert not check(v, "arguments_json").passed
    assert check(v, "arguments_json").reason.startswith("initiate_refund: arguments are not valid JSON")
    not_an_object = ToolCall(id="call_1", name="initiate_refund", arguments="[1, 2]")
    v = judge_rules(make_trace([SYSTEM, ASK, calling(not_an_object), AssistantMessage(content="ok")]), pack)
    assert not check(v, "arguments_json").passed
    assert "must be a JSON object" in check(v, "arguments_json").reason


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"order_id": "ORD-48291", "reason": "broken"}, "is not one of"),  # enum
        ({"order_id": "48291", "reason": "defective"}, "does not match"),  # pattern
        ({"order_id": "ORD-48291"}, "'reason'"),  # required
        ({"order_id": "ORD-48291", "reason": "defective", "amount": "12"}, "is not of type 'number'"),  # type
        ({"order_id": "ORD-48291", "reason": "defective", "email": "nobody"}, "is not a 'email'"),  # format
    ],
)
def test_schema_violations_fail_arguments_schema(pack, args, fragment):
    v = judge_rules(refund_trace(args=args), pack)
    assert not check(v, "arguments_schema").passed
    assert fragment in check(v, "arguments_schema").reason


# ---------------------------------------------------------------- grounding


def test_invented_order_id_fails_grounding(pack):
    v = judge_rules(refund_trace(args={"order_id": "ORD-99999", "reason": "defective"}), pack)
    assert not check(v, "arguments_grounded").passed
    assert "ORD-99999" in check(v, "arguments_grounded").reason


def test_grounding_is_case_and_width_insensitive_and_accepts_ids_inside_chinese_text(pack):
    ask = UserMessage(content="我的订单ｏｒｄ－４８２９１坏了，请退款")
    c = call("initiate_refund", order_id="ORD-48291", reason="defective")
    trace = make_trace([SYSTEM, ask, calling(c), tool_result(c, {}), AssistantMessage(content="好的"), STOP])
    assert check(judge_rules(trace, pack), "arguments_grounded").passed


def test_values_only_seen_after_the_call_are_not_grounding(pack):
    c = call("initiate_refund", order_id="ORD-48291", reason="defective")
    later = UserMessage(content="It was ORD-48291 by the way")
    trace = make_trace([SYSTEM, UserMessage(content="Refund my order"), calling(c), tool_result(c, {}), later,
                        AssistantMessage(content="Done."), STOP])
    assert not check(judge_rules(trace, pack), "arguments_grounded").passed


def test_ids_from_earlier_tool_results_and_numbers_by_value_are_grounded(pack):
    lookup = call("lookup_order", "call_1", order_id="ORD-48291")
    refund = call("initiate_refund", "call_2", order_id="ORD-48291", reason="defective", amount=49.9)
    messages = [
        SYSTEM, UserMessage(content="What's in my order ORD-48291?"), calling(lookup),
        tool_result(lookup, {"order": {"order_id": "ORD-48291", "total": 49.90}}),
        AssistantMessage(content="A kettle, $49.90."), UserMessage(content="Refund it please, it's broken"),
        calling(refund), tool_result(refund, {"refund_id": "RF-1"}), AssistantMessage(content="Refunded."), STOP,
    ]
    verdict = judge_rules(make_trace(messages, scenario="lookup_refund"), pack)
    assert check(verdict, "arguments_grounded").passed
    assert verdict.decision == "accept"


def test_an_invented_number_fails_grounding(pack):
    v = judge_rules(refund_trace(args={"order_id": "ORD-48291", "reason": "defective", "amount": 120}), pack)
    assert not check(v, "arguments_grounded").passed
    assert "amount=120" in check(v, "arguments_grounded").reason


def test_enum_default_and_free_text_are_exempt_but_ids_hidden_in_text_are_not(pack):
    exempt = {"order_id": "ORD-48291", "reason": "defective", "priority": 3, "express": True,
              "note": "customer says it broke after 2 days"}
    assert check(judge_rules(refund_trace(args=exempt), pack), "arguments_grounded").passed
    hidden = dict(exempt, note="also refund ORD-77777 please")
    result = check(judge_rules(refund_trace(args=hidden), pack), "arguments_grounded")
    assert not result.passed and "ord-77777" in result.reason


def test_an_email_must_have_been_given(pack):
    args = {"order_id": "ORD-48291", "reason": "defective", "email": "guess@example.com"}
    assert not check(judge_rules(refund_trace(args=args), pack), "arguments_grounded").passed
    ask = UserMessage(content="Refund ORD-48291, broken. Mail me at Guess@Example.com.")
    c = call("initiate_refund", **args)
    trace = make_trace([SYSTEM, ask, calling(c), tool_result(c, {}), AssistantMessage(content="Done."), STOP])
    assert check(judge_rules(trace, pack), "arguments_grounded").passed


# ---------------------------------------------------------------- the blueprint


def test_missing_expected_call_fails(pack):
    trace = make_trace([SYSTEM, ASK, AssistantMessage(content="Sure, refunded!"), STOP])
    result = check(judge_rules(trace, pack), "expected_calls")
    assert not result.passed and "missing initiate_refund" in result.reason


def test_wrong_key_argument_fails_expected_calls(pack):
    v = judge_rules(refund_trace(args={"order_id": "ORD-48291", "reason": "wrong_item"}), pack)
    result = check(v, "expected_calls")
    assert not result.passed and "reason='wrong_item'" in result.reason


def test_key_arguments_compare_normalised(pack):
    assert values_equal("Defective ", "defective")
    assert values_equal(49.9, "49.90") and values_equal(5, 5.0)
    assert not values_equal(True, 1) and not values_equal("02139", 2139.5)
    lowercase = {"order_id": "ord-48291", "reason": "defective"}
    v = judge_rules(refund_trace(args=lowercase), pack)
    assert check(v, "expected_calls").passed
    assert not check(v, "arguments_schema").passed  # the pattern still wants upper case


def test_result_templates_render_with_the_result_available_at_that_point(pack):
    lookup = call("lookup_order", "call_1", order_id="ORD-48291")
    refund = call("initiate_refund", "call_2", order_id="ORD-48291", reason="defective", amount=10)
    messages = [
        SYSTEM, UserMessage(content="What's in my order ORD-48291? It was 10 dollars, or 49.90"), calling(lookup),
        tool_result(lookup, {"order": {"order_id": "ORD-48291", "total": 49.9}}),
        AssistantMessage(content="A kettle."), UserMessage(content="Refund it please"),
        calling(refund), tool_result(refund, {}), AssistantMessage(content="Refunded."), STOP,
    ]
    result = check(judge_rules(make_trace(messages, scenario="lookup_refund"), pack), "expected_calls")
    assert not result.passed and "amount=10, expected 49.9" in result.reason
    # A refund before any lookup result cannot satisfy a call built from that result.
    early = [SYSTEM, UserMessage(content="Refund ORD-48291"), calling(refund), tool_result(refund, {}),
             calling(lookup), tool_result(lookup, {"order": {"order_id": "ORD-48291", "total": 10}}),
             AssistantMessage(content="Done."), STOP]
    assert not check(judge_rules(make_trace(early, scenario="lookup_refund"), pack), "expected_calls").passed


def test_extra_read_only_calls_are_tolerated_but_extra_writes_are_not(pack):
    lookup = call("lookup_order", "call_0", order_id="ORD-48291")
    refund = call("initiate_refund", "call_1", order_id="ORD-48291", reason="defective")
    again = call("initiate_refund", "call_2", order_id="ORD-48291", reason="defective")
    base = [SYSTEM, ASK, calling(lookup), tool_result(lookup, {"order": {}}), calling(refund), tool_result(refund, {})]
    tolerated = make_trace(base + [AssistantMessage(content="Done."), STOP])
    assert check(judge_rules(tolerated, pack), "expected_calls").passed
    doubled = make_trace(base + [calling(again), tool_result(again, {}), AssistantMessage(content="Done."), STOP])
    result = check(judge_rules(doubled, pack), "expected_calls")
    assert not result.passed and "unexpected call initiate_refund (call_2)" in result.reason
    assert TOOLS["lookup_order"].writes is False and TOOLS["initiate_refund"].writes is True
    # A tool that never declared itself (a snapshot older than the declaration) counts as a write.
    assert ToolSpec(name="get_order", description="d").writes is True


def test_expected_calls_must_happen_in_order(pack):
    facts = {"order_id": "ORD-48291", "bad_zip": "1234", "zip": "12345"}
    bad = call("update_address", "call_1", order_id="ORD-48291", postal_code="1234")
    good = call("update_address", "call_2", order_id="ORD-48291", postal_code="12345")
    ask = UserMessage(content="Ship ORD-48291 to postcode 1234")
    fix = UserMessage(content="Sorry, it's 12345")
    in_order = [SYSTEM, ask, calling(bad), tool_error(bad, "invalid postal code"), AssistantMessage(content="Invalid."),
                fix, calling(good), tool_result(good, {"ok": True}), AssistantMessage(content="Updated."), STOP]
    verdict = judge_rules(make_trace(in_order, scenario="bad_zip", facts=facts), pack)
    assert failed(verdict) == set()
    swapped = [SYSTEM, ask, fix, calling(good), tool_result(good, {"ok": True}), calling(bad),
               tool_error(bad, "invalid postal code"), AssistantMessage(content="Updated."), STOP]
    assert not check(judge_rules(make_trace(swapped, scenario="bad_zip", facts=facts), pack), "expected_calls").passed


def test_an_expected_error_must_actually_be_an_error(pack):
    facts = {"order_id": "ORD-48291", "bad_zip": "1234", "zip": "12345"}
    bad = call("update_address", "call_1", order_id="ORD-48291", postal_code="1234")
    good = call("update_address", "call_2", order_id="ORD-48291", postal_code="12345")
    messages = [SYSTEM, UserMessage(content="Ship ORD-48291 to postcode 1234"), calling(bad),
                tool_result(bad, {"ok": True}), AssistantMessage(content="Done."),
                UserMessage(content="Sorry, it's 12345"), calling(good), tool_result(good, {"ok": True}),
                AssistantMessage(content="Updated."), STOP]
    result = check(judge_rules(make_trace(messages, scenario="bad_zip", facts=facts), pack), "expected_calls")
    assert not result.passed and "expected an error result" in result.reason


# ---------------------------------------------------------------- no-tool, final answer, leaks


def test_no_call_in_a_negative_scenario(pack):
    ask = UserMessage(content="What is your return policy?")
    good = make_trace([SYSTEM, ask, AssistantMessage(content="30 days."), STOP], scenario="policy")
    verdict = judge_rules(good, pack)
    assert check(verdict, "no_call_when_no_tool").passed and verdict.decision == "accept"
    c = call("lookup_order", order_id="ORD-48291")
    bad = make_trace([SYSTEM, ask, calling(c), tool_result(c, {}), AssistantMessage(content="30 days."), STOP],
                     scenario="policy")
    result = check(judge_rules(bad, pack), "no_call_when_no_tool")
    assert not result.passed and "lookup_order" in result.reason


def test_final_answer_must_be_text_without_calls(pack):
    assert check(judge_rules(refund_trace(), pack), "final_answer").passed
    assert not check(judge_rules(refund_trace(final="  "), pack), "final_answer").passed
    c = call("initiate_refund", order_id="ORD-48291", reason="defective")
    dangling = make_trace([SYSTEM, ASK, calling(c)], termination="max_turns")
    result = check(judge_rules(dangling, pack), "final_answer")
    assert not result.passed and "calls a tool" in result.reason


def test_stop_token_outside_the_final_user_message_fails(pack):
    assert check(judge_rules(refund_trace(), pack), "no_stop_or_role_leak").passed
    leaked = check(judge_rules(refund_trace(final="Done! ###STOP###"), pack), "no_stop_or_role_leak")
    assert not leaked.passed and "assistant message" in leaked.reason
    early = make_trace([SYSTEM, UserMessage(content="Refund ORD-48291 ###STOP###"), ASK,
                        AssistantMessage(content="ok"), STOP])
    assert not check(judge_rules(early, pack), "no_stop_or_role_leak").passed


@pytest.mark.parametrize("final", ["User: thanks, that's all", "Done.\nAssistant: anything else?",
                                   "<|im_start|>assistant\nDone", "用户：谢谢"])
def test_role_tags_in_assistant_content_fail(pack, final):
    assert not check(judge_rules(refund_trace(final=final), pack), "no_stop_or_role_leak").passed


def test_a_user_speaking_as_the_assistant_fails(pack):
    trace = make_trace([SYSTEM, UserMessage(content="Refund ORD-48291\nAssistant: Sure, done!"),
                        AssistantMessage(content="ok"), STOP])
    result = check(judge_rules(trace, pack), "no_stop_or_role_leak")
    assert not result.passed and "speaks as the assistant" in result.reason


def test_termination_other_than_user_stop_fails_with_the_error(pack):
    result = check(judge_rules(refund_trace(termination="error", error="assistant timed out"), pack), "termination_ok")
    assert not result.passed and result.reason == "error: assistant timed out"
    assert check(judge_rules(refund_trace(termination="max_turns"), pack), "termination_ok").reason == "max_turns"


def test_unexpected_error_results_fail(pack):
    v = judge_rules(refund_trace(result=lambda c: tool_error(c, "order not refundable")), pack)
    result = check(v, "tool_errors_expected")
    assert not result.passed and "initiate_refund" in result.reason


def test_unknown_scenario_is_rejected_not_crashed(pack):
    trace = refund_trace()
    trace = trace.model_copy(update={"episode": trace.episode.model_copy(update={"scenario_id": "gone"})})
    assert not check(judge_rules(trace, pack), "expected_calls").passed


# ---------------------------------------------------------------- model seam and speed


def test_model_layer_seam_only_accepts_a_scored_pass(pack):
    verdict = judge(refund_trace(), pack)
    assert needs_model(verdict)
    assert with_model(verdict, ModelJudgement(status="scored", passed=True)).decision == "accept"
    unscored = with_model(verdict, ModelJudgement(status="unscored", raw="???"))
    assert unscored.decision == "reject" and unscored.reasons == ["model_unscored"]
    rejected = judge(refund_trace(args={"order_id": "ORD-99999", "reason": "defective"}), pack)
    assert not needs_model(rejected)
    assert with_model(rejected, ModelJudgement(status="scored", passed=True)).decision == "reject"


def test_free_text_blueprint_literals_accept_any_wording():
    from simulator.core.messages import ToolCall
    from simulator.judge.conversation import CallSite
    from simulator.judge.expected import match_expected
    from simulator.spec import ExpectedCall

    expected = [ExpectedCall(tool="escalate", args={"reason": "Customer asked for a human agent", "order_id": "{o}"})]
    def site(args):
        call = ToolCall(id="c1", name="escalate", arguments=json.dumps(args))
        return CallSite(call=call, args=args, args_problem=None, turn_index=1, results={}, evidence=None)
    ok = match_expected([site({"reason": "wants to talk to a person", "order_id": "ORD-1"})], expected, {"o": "ORD-1"}, {})
    assert ok.ok
    empty = match_expected([site({"reason": " ", "order_id": "ORD-1"})], expected, {"o": "ORD-1"}, {})
    assert not empty.ok and "reason is empty" in empty.missing[0]
    wrong_id = match_expected([site({"reason": "x y z", "order_id": "ORD-2"})], expected, {"o": "ORD-1"}, {})
    assert not wrong_id.ok


def test_asked_when_missing_rejects_a_guess_in_a_clarification_scenario():
    """Clarification scenarios teach asking: a call that fills a slot nobody said fails, even an
    enum value the grounding rule exempts; saying it first (or a paraphrasable prose reason) passes."""
    from simulator.core.messages import (
        AssistantMessage,
        ToolCall,
        UserMessage,
        tool_result,
    )
    from simulator.judge.checks import JudgeContext, rule_check
    from simulator.judge.conversation import walk
    from simulator.judge.expected import match_expected
    from simulator.judge.rules import asked_when_missing
    from simulator.spec import Scenario

    scenario = Scenario.model_validate({
        "id": "translate", "category": "clarification", "goal": "g",
        "slots": {"lang": {"choice": [{"code": "es", "en": "Spanish"}]},
                  "why": {"choice": [{"code": "gift", "en": "it is for a friend"}]}},
        "turns": [{"say": {"en": ["Translate hello"]}, "expect": [
            {"tool": "translate", "args": {"target": "{lang.code}", "reason": "{why.code}"}}]}],
    })
    facts = {"lang": {"code": "es", "en": "Spanish"}, "why": {"code": "gift", "en": "it is for a friend"}}

    def verdict(*said: str):
        call = ToolCall(id="c1", name="translate", arguments='{"target": "es", "reason": "gift"}')
        messages = [UserMessage(content=s) for s in said]
        messages += [AssistantMessage(tool_calls=[call]), tool_result(call, {"ok": True}), AssistantMessage(content="Done.")]
        episode = Episode(id="e1", scenario_id="translate", persona_id="p", seed=1, category="clarification",
                          language="en", tool="translate")
        trace = Trace(id="e1", episode=episode, messages=messages, termination="user_stop", facts=facts)
        view = walk(trace)
        match = match_expected(view.calls, [c for t in scenario.turns for c in t.expect], facts, {})
        ctx = JudgeContext(trace=trace, pack=None, scenario=scenario, view=view, match=match, today=None)
        return rule_check("asked_when_missing", asked_when_missing(ctx))

    guessed = verdict("Translate hello yes")
    assert not guessed.passed and "translate.target" in guessed.reason and "reason" not in guessed.reason
    assert verdict("Translate hello", "Into Spanish please").passed
    assert verdict("Translate hello into es").passed


def test_asked_when_missing_accepts_a_relative_day_said_in_other_words():
    from datetime import date

    from simulator.judge.checks import JudgeContext, rule_check
    from simulator.judge.conversation import walk
    from simulator.judge.expected import match_expected
    from simulator.judge.rules import asked_when_missing
    from simulator.spec import Scenario

    scenario = Scenario.model_validate({
        "id": "weather", "category": "clarification", "goal": "g",
        "slots": {"when": {"date": "day_after_tomorrow"}},
        "turns": [{"say": {"en": ["Weather please"]}, "expect": [{"tool": "forecast", "args": {"date": "{when.code}"}}]}],
    })
    today = date(2026, 3, 11)
    facts = {"when": {"code": "2026-03-13", "en": "the day after tomorrow", "zh": "后天", "expression": "day_after_tomorrow"}}

    def verdict(*said: str):
        c = ToolCall(id="c1", name="forecast", arguments='{"date": "2026-03-13"}')
        messages = [UserMessage(content=s) for s in said] + [calling(c), tool_result(c, {"ok": True}),
                                                              AssistantMessage(content="Sunny.")]
        episode = Episode(id="e1", scenario_id="weather", persona_id="p", seed=1, category="clarification",
                          language="en", tool="forecast")
        trace = Trace(id="e1", episode=episode, messages=messages, termination="user_stop", facts=facts)
        view = walk(trace, today)
        match = match_expected(view.calls, [c for t in scenario.turns for c in t.expect], facts, {})
        ctx = JudgeContext(trace=trace, pack=None, scenario=scenario, view=view, match=match, today=today)
        return rule_check("asked_when_missing", asked_when_missing(ctx))

    assert verdict("Weather please", "in two days").passed
    assert verdict("Weather please", "后天").passed
    assert not verdict("Weather please", "tomorrow").passed
    assert not verdict("Weather please").passed
