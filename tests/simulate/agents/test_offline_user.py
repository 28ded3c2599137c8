"""The offline user: plays the script, volunteers or withholds facts, answers questions, stops."""

from __future__ import annotations

import asyncio
import re

from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    SystemMessage,
    ToolCall,
    UserMessage,
    tool_result,
)
from simulator.simulate.agents.offline_user import OfflineUser

CJK = re.compile(r"[\u4e00-\u9fff]")
FACTS = {"order_id": "ORD-48291", "email": "jane.doe@example.com", "item": "Desk Lamp"}
REFUND_CALL = {"tool": "initiate_refund", "args": {"order_id": "{order_id}", "reason": "defective"}}


def _refund_scenario(kit, category: str = "positive"):
    return kit.scenario(category=category, turns=[
        {"say": {"en": ["My {item} arrived broken, I want a refund."], "zh": ["我的{item}坏了，要退款。"]},
         "expect": [REFUND_CALL]},
    ])


def _two_turns(kit):
    return kit.scenario(category="multi-turn", turns=[
        {"say": {"en": ["Where is {order_id}?"], "zh": ["{order_id}到哪了？"]},
         "expect": [{"tool": "check_status", "args": {"order_id": "{order_id}"}}]},
        {"say": {"en": ["OK, then escalate {order_id} please."], "zh": ["那帮我转人工，{order_id}。"]},
         "expect": [{"tool": "escalate_to_human", "args": {"reason": "x", "order_id": "{order_id}"}}]},
    ])


def _say(user: OfflineUser, messages: list) -> str:
    message = asyncio.run(user.respond(messages))
    assert isinstance(message, UserMessage)
    messages.append(message)
    return message.content


def _assistant(messages: list, text: str) -> None:
    messages.append(AssistantMessage(content=text))


def test_first_message_fills_the_say_template(kit):
    user = OfflineUser(kit.context(_two_turns(kit), kit.persona(verbosity="terse"), FACTS))
    assert _say(user, [SystemMessage(content="x")]) == "Where is ORD-48291?"
    assert user.usage.calls == 1 and user.usage.input_tokens == 0


def test_clarification_scenarios_never_volunteer_then_answer_the_question(kit):
    persona = kit.persona(cooperativeness=1.0)
    for seed in range(20):
        user = OfflineUser(kit.context(_refund_scenario(kit, "clarification"), persona, FACTS, seed=seed))
        messages: list = []
        first = _say(user, messages)
        assert "ORD-48291" not in first and "Desk Lamp" in first
        _assistant(messages, "Could you give me the order number?")
        assert "ORD-48291" in _say(user, messages)
        _assistant(messages, "Refund RF-1001 is on its way.")
        assert _say(user, messages).endswith(STOP_TOKEN)


def test_cooperative_persona_volunteers_and_guarded_one_waits(kit):
    eager = OfflineUser(kit.context(_refund_scenario(kit), kit.persona(cooperativeness=1.0), FACTS))
    guarded = OfflineUser(kit.context(_refund_scenario(kit), kit.persona(cooperativeness=0.0), FACTS))
    assert "ORD-48291" in _say(eager, [])
    assert "ORD-48291" not in _say(guarded, [])


def test_answers_what_was_asked_only(kit):
    scenario = kit.scenario(category="clarification", turns=[
        {"say": {"en": ["I'd like to see my orders."]},
         "expect": [{"tool": "lookup_order", "args": {"order_id": "{order_id}", "email": "{email}"}}]},
    ])
    user = OfflineUser(kit.context(scenario, kit.persona(verbosity="terse"), FACTS))
    messages: list = []
    _say(user, messages)
    _assistant(messages, "What's the email address on your account?")
    assert _say(user, messages) == "jane.doe@example.com"
    _assistant(messages, "And the order number?")
    assert _say(user, messages) == "ORD-48291"


def test_a_question_when_nothing_is_missing_moves_on(kit):
    user = OfflineUser(kit.context(_two_turns(kit), kit.persona(), FACTS))
    messages: list = []
    _say(user, messages)
    messages.append(AssistantMessage(tool_calls=(ToolCall(id="call_1", name="check_status"),)))
    _assistant(messages, "It's shipped. Anything else I can help with?")
    assert "escalate" in _say(user, messages)
    _assistant(messages, "Ticket T-1 created.")
    closing = _say(user, messages)
    assert closing.endswith(STOP_TOKEN) and closing != STOP_TOKEN


def test_zh_persona_writes_chinese_and_keeps_facts(kit):
    user = OfflineUser(kit.context(_two_turns(kit), kit.load_persona("zh_casual"), FACTS, seed=3))
    messages: list = []
    first = _say(user, messages)
    assert CJK.search(first) and "ORD-48291" in first
    _assistant(messages, "订单ORD-48291已发货。")
    _say(user, messages)
    _assistant(messages, "已转人工。")
    closing = _say(user, messages)
    assert CJK.search(closing) and closing.endswith(STOP_TOKEN)


def test_same_seed_same_conversation_different_seed_differs(kit):
    persona = kit.load_persona("verbose_storyteller")

    def transcript(seed: int) -> list[str]:
        user = OfflineUser(kit.context(_refund_scenario(kit), persona, FACTS, seed=seed))
        messages: list = []
        said = [_say(user, messages)]
        _assistant(messages, "What's the order number?")
        said.append(_say(user, messages))
        return said

    assert transcript(11) == transcript(11)
    assert len({tuple(transcript(seed)) for seed in range(10)}) > 1


def test_frustrated_persona_can_close_with_a_sigh(kit):
    persona = kit.persona(frustration=1.0)
    user = OfflineUser(kit.context(_refund_scenario(kit), persona, FACTS))
    messages: list = []
    _say(user, messages)
    _assistant(messages, "Done, refund RF-1 started.")
    closing = _say(user, messages)
    assert closing.split(STOP_TOKEN)[0].strip() in ("Finally.", "Fine. Took long enough.", "Whatever, thanks.")


def test_a_request_that_names_a_missing_fact_is_answered_without_a_question_mark(kit):
    user = OfflineUser(kit.context(_refund_scenario(kit, "clarification"), kit.persona(language="zh"), FACTS))
    messages: list = []
    _say(user, messages)
    _assistant(messages, "请提供一下订单号。")
    assert "ORD-48291" in _say(user, messages)


def test_facts_already_shown_by_a_tool_are_not_repeated(kit):
    scenario = kit.scenario(category="multi-turn", turns=[
        {"say": {"en": ["Find my orders, email {email}."]}, "expect": [{"tool": "lookup_order", "args": {"email": "{email}"}}]},
        {"say": {"en": ["Refund the {item} one."]}, "expect": [REFUND_CALL]},
    ])
    user = OfflineUser(kit.context(scenario, kit.persona(cooperativeness=1.0), FACTS))
    messages: list = []
    _say(user, messages)
    call = ToolCall(id="call_1", name="lookup_order", arguments='{"email": "jane.doe@example.com"}')
    messages.append(AssistantMessage(tool_calls=(call,)))
    messages.append(tool_result(call, {"orders": [{"order_id": "ORD-48291", "items": [{"name": "Desk Lamp"}]}]}))
    _assistant(messages, "I found your orders.")
    second = _say(user, messages)
    assert second.startswith("Refund the Desk Lamp one.") and "ORD-48291" not in second


def test_count_call_is_what_a_pydantic_increment_does():
    from simulator.core.records import RoleUsage
    from simulator.simulate.agents.base import count_call

    counted, incremented = RoleUsage(), RoleUsage()
    for _ in range(3):
        count_call(counted)
        incremented.calls += 1
    assert counted == incremented and counted.model_fields_set == incremented.model_fields_set == {"calls"}
    assert counted.model_dump_json(exclude_unset=True) == incremented.model_dump_json(exclude_unset=True)
