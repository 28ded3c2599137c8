"""The scripted client (`simulator.ScriptedClient`): the LLM client's `complete()` without HTTP,
for tests where the transport is not the point."""

from __future__ import annotations

import asyncio
import json

import pytest

from simulator import ScriptedClient, tool_call
from simulator.core.messages import UserMessage
from simulator.spec import ModelSettings, ToolSpec

SETTINGS = ModelSettings(model="scripted/model")
HELLO = [UserMessage(content="hello")]


def complete(client: ScriptedClient, messages=HELLO, **kwargs):
    return asyncio.run(client.complete(SETTINGS, messages, **kwargs))


def test_replies_come_in_order_and_every_request_is_recorded():
    lookup = ToolSpec(name="lookup", description="Find.", parameters={"type": "object", "properties": {}})
    client = ScriptedClient(["Which order?", tool_call("lookup", order_id="ORD-12345"), tool_call("lookup")])
    first = complete(client, tools=[lookup])
    assert first.message.content == "Which order?" and first.usage.calls == 1 and first.raw_content == "Which order?"
    second, third = complete(client), complete(client, cache_salt="again")
    assert [c.id for c in second.message.tool_calls + third.message.tool_calls] == ["call_1", "call_2"]
    assert json.loads(second.message.tool_calls[0].arguments) == {"order_id": "ORD-12345"}
    assert [r.tools for r in client.requests] == [[lookup], [], []] and client.requests[2].cache_salt == "again"


def test_a_function_answers_from_the_request():
    client = ScriptedClient(lambda request: f"you said {request.last_text}")
    assert complete(client).message.content == "you said hello"
    assert client.requests[0].settings == SETTINGS


def test_running_out_of_replies_is_an_error():
    client = ScriptedClient(["only one"])
    complete(client)
    with pytest.raises(AssertionError, match="no reply for call 2"):
        complete(client)
