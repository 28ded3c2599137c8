"""The per-call CPU savings of the client (see `simulator/llm/litellm_tuning.py` and
`bench/llm_client.py`) change nothing anyone can observe: the OpenAI route sends the same
request without the OpenAI SDK, a registered litellm callback still fires, a price litellm knows
is still read, and pricing is skipped only where its answer would go unread."""

from __future__ import annotations

import asyncio
import gc
import os
from typing import Iterator

import pytest

from simulator.core.messages import SystemMessage, UserMessage
from simulator.llm import litellm_tuning
from simulator.llm.client import OPENAI_HTTP_HANDLER_SWITCH, LLMClient, litellm_module
from simulator.llm.limits import CallLimits
from simulator.spec.models import ModelSettings
from tests.fakes import openai_server as openai
from tests.fakes.fixtures import QUICK

HELLO = [SystemMessage(content="You help."), UserMessage(content="hi")]

# pydantic warns once, while lazily building a litellm response type, that a TypedDict of litellm's
# uses `ReadOnly`; under pytest's per-test warning capture it surfaces in whichever test of this file
# first parses a tool call. Nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:Item 'summary' on TypedDict class 'ChatCompletionReasoningItem'")


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def litellm():
    return litellm_module()


@pytest.fixture
def llm_client() -> Iterator[LLMClient]:
    """Every call through litellm (these tests are about litellm's path, not the direct one)."""
    client = LLMClient(cache=None, limits=CallLimits(concurrency=8), backoff=QUICK, direct=False)
    yield client
    client.close()


@pytest.fixture
def no_callbacks(litellm, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh, empty callback lists (restored afterwards: litellm keeps them module-global)."""
    for name in litellm_tuning._GLOBAL_CALLBACK_LISTS + ("failure_callback", "_async_failure_callback"):
        monkeypatch.setattr(litellm, name, [])


@pytest.fixture
def pricing_calls(litellm, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models litellm is asked to price, in order."""
    calls: list[str] = []
    real = litellm.response_cost_calculator

    def spy(**kwargs):
        calls.append(kwargs.get("model"))
        return real(**kwargs)

    monkeypatch.setattr(litellm, "response_cost_calculator", spy)
    return calls


def test_installed_on_the_pinned_litellm(litellm):
    # If this fails after a litellm upgrade, re-check the two wrapped functions against the new
    # version (and re-measure with bench/llm_client.py) before moving PINNED_LITELLM.
    assert litellm_tuning.litellm_version() == litellm_tuning.PINNED_LITELLM
    assert litellm_tuning.installed()
    assert litellm_tuning.install(litellm)  # idempotent


def test_litellm_import_objects_are_frozen_out_of_gc_scans(litellm):
    assert gc.get_freeze_count() > 100_000


def test_openai_route_bypasses_the_openai_sdk(litellm, openai_fake, openai_settings, llm_client, monkeypatch):
    from litellm.llms.openai.openai import (
        OpenAIChatCompletion,  # litellm's handler over the SDK
    )

    assert os.environ[OPENAI_HTTP_HANDLER_SWITCH] == "true"

    async def sdk_route(*args, **kwargs):  # pragma: no cover - must not run
        raise AssertionError("the OpenAI SDK route was used")

    monkeypatch.setattr(OpenAIChatCompletion, "acompletion", sdk_route)
    openai_fake.push(openai.tool_calls(("lookup_order", {"order_id": "ORD-1"}), usage=(30, 4)))
    done = run(llm_client.complete(openai_settings, HELLO))
    assert done.message.tool_calls[0].name == "lookup_order"
    assert (done.usage.input_tokens, done.usage.output_tokens) == (30, 4)
    body = openai_fake.requests[-1].body
    assert body["model"] == "fake-model" and body["messages"][-1] == {"role": "user", "content": "hi"}


def test_no_success_logging_when_nobody_listens(litellm, no_callbacks, openai_fake, openai_settings, llm_client, monkeypatch):
    from litellm.litellm_core_utils.litellm_logging import Logging

    handled: list[object] = []
    real = Logging.async_success_handler

    async def counting(self, *args, **kwargs):
        handled.append(self)
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(Logging, "async_success_handler", counting)

    async def go():
        await llm_client.complete(openai_settings, HELLO)
        await asyncio.sleep(0.2)  # litellm's logging worker would have run by now

    run(go())
    assert handled == []


def test_a_registered_callback_still_gets_every_success(litellm, no_callbacks, openai_fake, openai_settings, llm_client):
    from litellm.integrations.custom_logger import CustomLogger

    class Recorder(CustomLogger):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[dict] = []

        async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
            self.events.append(kwargs)

    recorder = Recorder()
    litellm.callbacks = [recorder]
    priced = openai_settings.model_copy(update={"price_in": 1.0, "price_out": 1.0})

    async def go():
        await llm_client.complete(priced, HELLO)
        for _ in range(100):
            if recorder.events:
                return
            await asyncio.sleep(0.02)

    run(go())
    assert len(recorder.events) == 1
    assert recorder.events[0]["standard_logging_object"] is not None


def test_own_prices_skip_litellm_pricing(no_callbacks, pricing_calls, openai_fake, llm_client):
    priced = ModelSettings(model="openai/gpt-4o-mini", api_base=openai_fake.base_url, price_in=2.0, price_out=10.0)
    openai_fake.push(openai.text("x", usage=(1000, 100)))
    assert run(llm_client.complete(priced, HELLO)).usage.cost_usd == pytest.approx((1000 * 2 + 100 * 10) / 1e6)
    assert pricing_calls == []


def test_a_model_litellm_cannot_price_is_asked_about_once(no_callbacks, pricing_calls, openai_fake, llm_client):
    unknown = ModelSettings(model="openai/fake-model-unknown-to-litellm", api_base=openai_fake.base_url)
    costs = [run(llm_client.complete(unknown, [UserMessage(content=f"hi {i}")])).usage.cost_usd for i in range(3)]
    assert costs == [None, None, None]
    assert len(pricing_calls) == 1


def test_a_model_litellm_prices_is_priced_every_call(no_callbacks, pricing_calls, openai_fake, llm_client):
    known = ModelSettings(model="openai/gpt-4o-mini", api_base=openai_fake.base_url)
    for i in range(2):
        openai_fake.push(openai.text("x", usage=(1_000_000, 0)))
        cost = run(llm_client.complete(known, [UserMessage(content=f"hi {i}")])).usage.cost_usd
        assert cost is not None and 0 < cost < 10
    assert len(pricing_calls) == 2


def test_skip_is_scoped_to_the_block():
    with litellm_tuning.skip_litellm_cost():
        assert litellm_tuning._skip_cost.get() is True
        with litellm_tuning.skip_litellm_cost(False):
            assert litellm_tuning._skip_cost.get() is False
    assert litellm_tuning._skip_cost.get() is False
