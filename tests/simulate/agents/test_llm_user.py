"""The LLM user: what it is shown, the stop token, and every defect it is rejected for."""

from __future__ import annotations

import asyncio

import pytest

from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.simulate.agents.base import UserDefect
from simulator.simulate.agents.llm_user import flipped, make_llm_user
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai
from tests.fakes.fixtures import episode_context


@pytest.fixture
def ctx(support_pack):
    return episode_context(support_pack, "refund_delivered_order", "casual_typo")


@pytest.fixture
def user(ctx, openai_fake, llm_client):
    return make_llm_user(ctx, ModelSettings(model="openai/fake-user", api_base=openai_fake.base_url), llm_client)


def _after_refund(ctx):
    call = ToolCall(id="call_1", name="initiate_refund", arguments=f'{{"order_id": "{ctx.facts["order_id"]}"}}')
    return [
        SystemMessage(content=ctx.domain.system_prompt),
        UserMessage(content=f"refund {ctx.facts['order_id']} pls"),
        AssistantMessage(tool_calls=(call,)),
        ToolMessage(tool_call_id="call_1", name="initiate_refund", content='{"refund_id": "RF-1001"}'),
        AssistantMessage(content="Refund RF-1001 has been started."),
    ]


def test_first_turn_prompt_and_reply(ctx, user, openai_fake):
    openai_fake.push(openai.text(f"hi, i want a refund for {ctx.facts['order_id']}"))
    said = asyncio.run(user.respond([SystemMessage(content=ctx.domain.system_prompt)]))
    assert said == UserMessage(content=f"hi, i want a refund for {ctx.facts['order_id']}")
    sent = openai_fake.requests[-1].body["messages"]
    system = sent[0]["content"]
    assert ctx.scenario.goal in system and ctx.facts["order_id"] in system and STOP_TOKEN in system
    assert "typos" in system  # the persona's style reaches the model
    assert [m["role"] for m in sent[1:]] == ["user"]  # only the opening cue: the user speaks first
    assert ctx.domain.system_prompt not in str(sent[1:])
    assert user.usage.calls == 1


def test_roles_are_flipped_and_tool_traffic_hidden(ctx):
    view = flipped(_after_refund(ctx), "(start)")
    assert [(m.role, m.content) for m in view] == [
        ("user", "(start)"),
        ("assistant", f"refund {ctx.facts['order_id']} pls"),
        ("user", "Refund RF-1001 has been started."),
    ]


def test_stop_after_the_task_is_done(ctx, user, openai_fake):
    openai_fake.push(openai.text(f"great thanks {STOP_TOKEN}"))
    said = asyncio.run(user.respond(_after_refund(ctx)))
    assert STOP_TOKEN in said.content


@pytest.mark.parametrize(
    "reply, reason",
    [
        ("   ", "empty_message"),
        (f"ok bye {STOP_TOKEN}", "premature_stop"),
        ("Assistant: I have processed your refund.", "role_leak"),
        ("How can I help you today?", "role_leak"),
        ('<tool_call>{"name": "initiate_refund"}</tool_call>', "role_leak"),
        ("also refund ORD-99999 while you're at it", "invented_fact"),
        ("my email is someone.else@example.org", "invented_fact"),
    ],
)
def test_defects_are_rejected_with_a_reason(ctx, user, openai_fake, reply, reason):
    openai_fake.push(openai.text(reply))
    opening = [SystemMessage(content=ctx.domain.system_prompt), UserMessage(content="hi"),
               AssistantMessage(content="Hello! What can I do for you?")]
    with pytest.raises(UserDefect) as caught:
        asyncio.run(user.respond(opening))
    assert caught.value.reason == reason


def test_identifiers_the_assistant_said_may_be_repeated(ctx, user, openai_fake):
    openai_fake.push(openai.text("cool, so RF-1001 is my refund number?"))
    said = asyncio.run(user.respond(_after_refund(ctx)))
    assert "RF-1001" in said.content


def test_no_tool_scenarios_may_stop_at_once(support_pack, openai_fake, llm_client):
    ctx = episode_context(support_pack, "small_talk_greeting", "formal_polite")
    user = make_llm_user(ctx, ModelSettings(model="openai/fake-user", api_base=openai_fake.base_url), llm_client)
    openai_fake.push(openai.text(f"Thank you, goodbye. {STOP_TOKEN}"))
    history = [UserMessage(content="Hello!"), AssistantMessage(content="Hi, nice to meet you.")]
    assert STOP_TOKEN in asyncio.run(user.respond(history)).content


def test_facts_are_checked_inside_chinese_text(support_pack, openai_fake, llm_client):
    ctx = episode_context(support_pack, "lookup_orders_by_email", "zh_casual")
    user = make_llm_user(ctx, ModelSettings(model="openai/fake-user", api_base=openai_fake.base_url), llm_client)
    history = [UserMessage(content="你好"), AssistantMessage(content="您好，请问邮箱是？")]
    openai_fake.push(openai.text(f"邮箱是{ctx.facts['email']}啊"))
    assert ctx.facts["email"] in asyncio.run(user.respond(history)).content
    openai_fake.push(openai.text("订单ORD-00001里买了啥"))
    with pytest.raises(UserDefect, match="ORD-00001"):
        asyncio.run(user.respond(history))


def test_a_mapping_fact_is_given_in_the_users_words_with_its_meaning():
    from simulator.simulate.agents.llm_user import _as_text

    day = {"code": "2026-03-14", "en": "this Saturday", "zh": "这周六", "weekday": "Saturday"}
    assert _as_text(day, "zh") == 'say it as "这周六" (it means 2026-03-14)'
    assert _as_text(day, "en") == 'say it as "this Saturday" (it means 2026-03-14)'
    assert _as_text("ORD-48291", "en") == "ORD-48291"
