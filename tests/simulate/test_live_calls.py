"""`LiveTools`, the run's live side: every answer kept (the cache, else memory) so no question is
asked twice, writes kept per episode, outages not kept, the service's key order preserved, limits
on how many requests are in flight; and `ToolEnvironment` answering `sim: live` through it."""

from __future__ import annotations

import asyncio
import json

from simulator.core.messages import ToolCall
from simulator.llm.cache import ResponseCache
from simulator.simulate.environment import ToolEnvironment
from simulator.simulate.live.calls import LiveTools
from simulator.simulate.live.registry import LiveFailure, LiveSource
from simulator.spec.domain import DomainConfig
from simulator.spec.pack import Domain
from simulator.spec.tools import ToolSpec

READ = ToolSpec.model_validate({"name": "get_book", "description": "d", "read_only": True, "parameters": {
    "type": "object", "properties": {"isbn": {"type": "string"}}, "required": ["isbn"]}})
WRITE = ToolSpec.model_validate({"name": "place_order", "description": "d", "parameters": {
    "type": "object", "properties": {"isbn": {"type": "string"}}}})


class Scripted(LiveSource):
    """A source whose answers are functions of the arguments; counts requests and their overlap."""

    kind = "scripted"

    def __init__(self) -> None:
        super().__init__(None)
        self.requests: list[tuple[str, dict]] = []
        self.in_flight = self.peak = 0

    async def call(self, spec, args):
        self.requests.append((spec.name, args))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        isbn = args.get("isbn", "")
        if isbn.startswith("404"):
            raise LiveFailure(f"HTTP 404: no book {isbn}", cacheable=True, status=404)
        if isbn.startswith("500"):
            raise LiveFailure("HTTP 500: down", status=500)
        return {"zeta": isbn, "alpha": len(self.requests)}  # not in sorted order, on purpose


def _ask(tools: LiveTools, spec: ToolSpec, isbn: str, episode: str = "e1"):
    async def go():
        live = tools.for_episode(episode)
        try:
            value = await live.call("call_1", spec, {"isbn": isbn})
        except LiveFailure as failure:
            value = f"failed: {failure}"
        return value, live.calls[0], live.usage

    return asyncio.run(go())


def test_a_read_only_answer_is_asked_once_and_shared_by_every_episode(tmp_path):
    source = Scripted()
    tools = LiveTools(source, cache=ResponseCache(tmp_path / "cache.sqlite"))
    first, record, usage = _ask(tools, READ, "978-1", "e1")
    again, record_again, usage_again = _ask(tools, READ, "978-1", "e2")
    assert first == again == {"zeta": "978-1", "alpha": 1} and list(again) == ["zeta", "alpha"]
    assert (record.origin, record_again.origin) == ("service", "cache") and record.ms is not None
    assert (usage.calls, usage.cached_calls, usage_again.cached_calls) == (1, 0, 1)
    assert len(source.requests) == 1 and tools.requests == 1
    # a new run on the same cache (a rerun) asks nothing either
    rerun = LiveTools(Scripted(), cache=ResponseCache(tmp_path / "cache.sqlite"))
    assert _ask(rerun, READ, "978-1", "e9")[0] == first and rerun.requests == 0


def test_a_write_is_made_once_per_episode_and_without_a_cache_answers_stay_in_memory():
    source = Scripted()
    tools = LiveTools(source, cache=None)
    assert _ask(tools, WRITE, "978-1", "e1")[0] != _ask(tools, WRITE, "978-1", "e2")[0]
    assert _ask(tools, WRITE, "978-1", "e1")[1].origin == "cache"  # the same episode's same write: kept
    assert _ask(tools, READ, "978-1", "e1")[1].origin == "service"
    assert _ask(tools, READ, "978-1", "e5")[1].origin == "cache"
    assert len(source.requests) == 3


def test_refusals_are_kept_and_outages_are_asked_again():
    source = Scripted()
    tools = LiveTools(source, cache=None)
    assert _ask(tools, READ, "404-1")[0] == "failed: HTTP 404: no book 404-1"
    refused = _ask(tools, READ, "404-1", "e2")
    assert refused[0] == "failed: HTTP 404: no book 404-1" and refused[1].origin == "cache" and not refused[1].ok
    assert _ask(tools, READ, "500-1")[1].status == 500
    assert _ask(tools, READ, "500-1", "e2")[1].origin == "service"
    assert len(source.requests) == 3


def test_requests_in_flight_stay_within_the_limit():
    source = Scripted()
    tools = LiveTools(source, cache=None, concurrency=2, rpm=6000)

    async def many():
        live = tools.for_episode("e1")
        await asyncio.gather(*(live.call(f"call_{i}", READ, {"isbn": f"978-{i}"}) for i in range(8)))

    asyncio.run(many())
    assert len(source.requests) == 8 and source.peak == 2 and tools.limits.rpm == 6000


def test_the_environment_answers_live_tools_live_and_the_rest_offline():
    source = Scripted()
    domain = Domain(name="shop", system_prompt="p", tools={"get_book": READ, "place_order": WRITE},
                    config=DomainConfig(tools="x.yaml", system_prompt="p"), sim_modes={"get_book": "live"})
    env = ToolEnvironment(domain, seed=1)
    tools = LiveTools(source, cache=None)

    async def play():
        live = tools.for_episode("e1")
        read = await env.acall(ToolCall(id="c1", name="get_book", arguments='{"isbn": "978-1"}'), None, live)
        write = await env.acall(ToolCall(id="c2", name="place_order", arguments='{"isbn": "978-1"}'), None, live)
        broken = await env.acall(ToolCall(id="c3", name="get_book", arguments='{"isbn": "500-x"}'), None, live)
        invalid = await env.acall(ToolCall(id="c4", name="get_book", arguments='{"isbn": 7}'), None, live)
        return read, write, broken, invalid, live.calls

    read, write, broken, invalid, calls = asyncio.run(play())
    assert json.loads(read.content) == {"zeta": "978-1", "alpha": 1}
    assert "status" in json.loads(write.content)  # the schema sim's acknowledgement: not live
    assert broken.is_error and json.loads(broken.content) == {"error": "HTTP 500: down"}
    assert invalid.is_error and "invalid arguments" in invalid.content  # never sent to the service
    assert [c.call_id for c in calls] == ["c1", "c3"] and len(source.requests) == 2
