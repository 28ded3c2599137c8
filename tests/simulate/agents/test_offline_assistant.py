"""The offline assistant: asks when a fact is missing, calls when known, answers from results."""

from __future__ import annotations

import asyncio
import json
import re

from simulator.core.messages import (
    AssistantMessage,
    SystemMessage,
    UserMessage,
    tool_error,
    tool_result,
)
from simulator.simulate.agents.offline_assistant import OfflineAssistant
from simulator.words.heard import HeardFacts

CJK = re.compile(r"[\u4e00-\u9fff]")
FACTS = {"order_id": "ORD-48291", "email": "jane.doe@example.com", "amount": 29.0}
REPLIES = {
    "check_status": {"en": ["Order {order_id} is {status}, carrier {carrier}."], "zh": ["订单{order_id}状态：{status}。"]},
    "lookup_order": {"en": ["Found {orders.0.order_id}."]},
}
ASK = {"order_id": {"en": ["Could you give me the order number?"], "zh": ["请提供订单号。"]}}


def _assistant(kit, turns, *, language="en", facts=FACTS, **domain):
    scenario = kit.scenario(turns=turns)
    config = {"replies": REPLIES, "ask": ASK, **domain}
    ctx = kit.context(scenario, kit.persona(language=language), facts, kit.domain(**config))
    return OfflineAssistant(ctx)


def _status_turn():
    return {"say": {"en": ["x"], "zh": ["x"]}, "expect": [{"tool": "check_status", "args": {"order_id": "{order_id}"}}]}


def _next(assistant, messages) -> AssistantMessage:
    reply = asyncio.run(assistant.respond(messages))
    messages.append(reply)
    return reply


def test_asks_for_a_fact_the_user_has_not_given_then_calls(kit):
    assistant = _assistant(kit, [_status_turn()])
    messages = [SystemMessage(content="s"), UserMessage(content="Where is my package?")]
    question = _next(assistant, messages)
    assert question.tool_calls == () and question.content == "Could you give me the order number?"
    messages.append(UserMessage(content="It's ord-48291."))
    call = _next(assistant, messages)
    assert call.content is None and len(call.tool_calls) == 1
    assert call.tool_calls[0].id == "call_1" and call.tool_calls[0].name == "check_status"
    assert json.loads(call.tool_calls[0].arguments) == {"order_id": "ORD-48291"}
    assert assistant.usage.calls == 2


def test_generic_question_humanises_the_slot_in_the_persona_language(kit):
    turn = {"say": {"en": ["x"], "zh": ["x"]}, "expect": [{"tool": "t", "args": {"loyalty_card": "{loyalty_card}"}}]}
    en = _assistant(kit, [turn], facts={"loyalty_card": "LC-77"}, ask={})
    assert "loyalty card" in _next(en, [UserMessage(content="hi")]).content
    zh = _assistant(kit, [turn], language="zh", facts={"loyalty_card": "LC-77"}, ask={})
    assert CJK.search(_next(zh, [UserMessage(content="你好")]).content)


def test_independent_calls_go_out_together_dependent_ones_wait(kit):
    turn = {"say": {"en": ["x"]}, "expect": [
        {"tool": "check_status", "args": {"order_id": "{order_id}"}},
        {"tool": "lookup_order", "args": {"email": "{email}"}},
        {"tool": "initiate_refund", "args": {"order_id": "{@lookup_order.orders.0.order_id}", "reason": "other"}},
    ]}
    assistant = _assistant(kit, [turn])
    messages = [UserMessage(content="Track ORD-48291 and list orders for jane.doe@example.com")]
    first = _next(assistant, messages)
    assert [c.name for c in first.tool_calls] == ["check_status", "lookup_order"]
    assert [c.id for c in first.tool_calls] == ["call_1", "call_2"]
    messages.append(tool_result(first.tool_calls[0], {"order_id": "ORD-48291", "status": "shipped"}))
    messages.append(tool_result(first.tool_calls[1], {"orders": [{"order_id": "ORD-11111"}]}))
    second = _next(assistant, messages)
    assert [c.name for c in second.tool_calls] == ["initiate_refund"] and second.tool_calls[0].id == "call_3"
    assert json.loads(second.tool_calls[0].arguments)["order_id"] == "ORD-11111"


def test_reply_from_result_drops_null_fields_and_falls_back(kit):
    assistant = _assistant(kit, [_status_turn(), _status_turn()])
    messages = [UserMessage(content="Where is ORD-48291?")]
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_result(call, {"order_id": "ORD-48291", "status": "shipped", "carrier": "UPS"}))
    assert _next(assistant, messages).content == "Order ORD-48291 is shipped, carrier UPS."
    messages.append(UserMessage(content="And again ORD-48291?"))
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_result(call, {"order_id": "ORD-48291", "status": "processing", "carrier": None}))
    fallback = _next(assistant, messages).content
    assert "None" not in fallback and "processing" in fallback and "ORD-48291" in fallback


def test_error_result_gets_the_error_reply(kit):
    assistant = _assistant(kit, [_status_turn()], error_reply={"en": ["Sorry: {error}"]})
    messages = [UserMessage(content="status of ORD-48291")]
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_error(call, "order ORD-48291 not found"))
    assert _next(assistant, messages).content == "Sorry: order ORD-48291 not found"


def test_no_tool_turn_answers_conversationally(kit):
    turn = {"say": {"en": ["Can I return things?"]}, "answer": {"en": ["Yes, within 30 days of delivery."]}}
    assistant = _assistant(kit, [turn])
    reply = _next(assistant, [UserMessage(content="Can I return things?")])
    assert reply.tool_calls == () and reply.content == "Yes, within 30 days of delivery."


def test_zh_question_and_reply(kit):
    assistant = _assistant(kit, [_status_turn()], language="zh")
    messages = [UserMessage(content="我的包裹到哪了？")]
    assert _next(assistant, messages).content == "请提供订单号。"
    messages.append(UserMessage(content="订单号是ORD-48291"))
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_result(call, {"order_id": "ORD-48291", "status": "shipped"}))
    assert _next(assistant, messages).content == "订单ORD-48291状态：shipped。"


def test_numbers_must_be_said_as_numbers():
    heard = HeardFacts()
    heard.update([UserMessage(content="Order ORD-48291, refund 27.50 please")])
    assert not heard.knows(29) and not heard.knows(482)
    assert heard.knows(27.5) and heard.knows("ord-48291")
    assert heard.knows({"code": "defective", "en": "refund 27.50"}) and not heard.knows({"en": "broken"})
    assert not heard.knows(27)


def test_a_mapping_is_heard_by_its_code_too():
    """A user may type the ISO date a relative-day slot means instead of saying "tomorrow"."""
    heard = HeardFacts()
    heard.update([UserMessage(content="Fly out on 2026-03-14, please")])
    assert heard.knows({"code": "2026-03-14", "en": "this Saturday", "zh": "这周六"})
    assert not heard.knows({"code": "2026-03-15", "en": "this Sunday", "zh": "这周日"})
    said = HeardFacts()
    said.update([UserMessage(content="Yes, translate this for the hospitality team")])
    assert not said.knows({"code": "es", "en": "Spanish"}) and not said.knows({"code": "it", "en": "Italian"})
    said.update([UserMessage(content="Yes, translate this for the hospitality team"), UserMessage(content="into es please")])
    assert said.knows({"code": "es", "en": "Spanish"})


def test_lists_in_a_result_are_summarised_for_templates(kit):
    replies = {"lookup_order": {"en": ["{orders_count} orders: {orders_list}."]}}
    turn = {"say": {"en": ["x"]}, "expect": [{"tool": "lookup_order", "args": {"email": "{email}"}}]}
    assistant = _assistant(kit, [turn], replies=replies)
    messages = [UserMessage(content="orders for jane.doe@example.com")]
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_result(call, {"orders": [
        {"order_id": "ORD-11111", "status": "shipped", "order_date": "2026-03-01", "items": []},
        {"order_id": "ORD-22222", "status": "delivered", "order_date": "2026-02-01"},
    ]}))
    assert _next(assistant, messages).content == (
        "2 orders: ORD-11111 (shipped, 2026-03-01); ORD-22222 (delivered, 2026-02-01)."
    )


def test_an_id_shown_by_a_tool_may_be_used_without_asking(kit):
    turns = [
        {"say": {"en": ["x"]}, "expect": [{"tool": "lookup_order", "args": {"email": "{email}"}}]},
        {"say": {"en": ["y"]}, "expect": [{"tool": "initiate_refund", "args": {"order_id": "{order_id}", "reason": "other"}}]},
    ]
    assistant = _assistant(kit, turns)
    messages = [UserMessage(content="my email is jane.doe@example.com")]
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_result(call, {"orders": [{"order_id": "ORD-48291"}]}))
    _next(assistant, messages)
    messages.append(UserMessage(content="Refund the lamp one."))
    refund = _next(assistant, messages)
    assert refund.tool_calls[0].name == "initiate_refund"
    assert json.loads(refund.tool_calls[0].arguments)["order_id"] == "ORD-48291"


def test_error_text_is_not_doubly_punctuated(kit):
    assistant = _assistant(kit, [_status_turn()], error_reply={"en": ["Sorry: {error}."]})
    messages = [UserMessage(content="status of ORD-48291")]
    call = _next(assistant, messages).tool_calls[0]
    messages.append(tool_error(call, "Order not found."))
    assert _next(assistant, messages).content == "Sorry: Order not found."
