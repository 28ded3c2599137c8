"""The tool model: results that fit `returns`, one retry with the errors, a per-episode memo."""

from __future__ import annotations

import asyncio
import json

import pytest

from simulator.llm.tool_model import LLMToolModel, ToolModelError
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai

WEATHER = ToolSpec(
    name="get_weather",
    description="Current weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    returns={
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "temperature_c": {"type": "number"},
            "condition": {"enum": ["sunny", "cloudy", "rain"]},
        },
        "required": ["city", "temperature_c", "condition"],
    },
)
GOOD = {"city": "Oslo", "temperature_c": 4.5, "condition": "rain"}


@pytest.fixture
def tool_model(openai_fake, llm_client):
    settings = ModelSettings(model="openai/fake-tools", api_base=openai_fake.base_url)
    return LLMToolModel(settings, llm_client, facts={"city": "Oslo"}, episode_id="ep-1")


def test_valid_result_and_request(tool_model, openai_fake):
    openai_fake.push(openai.text(json.dumps(GOOD)))
    assert asyncio.run(tool_model.simulate(WEATHER, {"city": "Oslo"})) == GOOD
    body = openai_fake.requests[-1].body
    assert body["response_format"]["json_schema"]["schema"] == WEATHER.returns
    assert '"city": "Oslo"' in body["messages"][1]["content"]


def test_one_retry_with_the_validation_error(tool_model, openai_fake):
    openai_fake.push(openai.text('```json\n{"city": "Oslo", "temperature_c": "cold", "condition": "snow"}\n```'),
                     openai.text(json.dumps(GOOD)))
    assert asyncio.run(tool_model.simulate(WEATHER, {"city": "Oslo"})) == GOOD
    assert openai_fake.calls == 2 and tool_model.retries == 1
    retry = openai_fake.requests[-1].body["messages"]
    assert retry[-1]["role"] == "user" and "temperature_c" in retry[-1]["content"]
    assert retry[-2]["role"] == "assistant"


def test_second_failure_raises(tool_model, openai_fake):
    openai_fake.push(openai.text("not json"), openai.text('{"city": "Oslo"}'))
    with pytest.raises(ToolModelError, match="get_weather"):
        asyncio.run(tool_model.simulate(WEATHER, {"city": "Oslo"}))
    assert openai_fake.calls == 2


def test_same_call_same_result_within_an_episode(tool_model, openai_fake):
    other = {**GOOD, "city": "Bergen"}
    openai_fake.push(openai.text(json.dumps(GOOD)), openai.text(json.dumps(other)), openai.text(json.dumps(GOOD)))
    first = asyncio.run(tool_model.simulate(WEATHER, {"city": "Oslo"}))
    assert asyncio.run(tool_model.simulate(WEATHER, {"city": "Oslo"})) == first
    assert openai_fake.calls == 1
    assert asyncio.run(tool_model.simulate(WEATHER, {"city": "Bergen"})) == other
    asyncio.run(tool_model.simulate(WEATHER, {"city": "Oslo"}, state_version=1))  # state changed: ask again
    assert openai_fake.calls == 3
