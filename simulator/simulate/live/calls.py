"""The live side of one run: the service's source, its rate limits, and the record of every answer.

`LiveTools` is made once per run (when some tool's `domain.sim` is `live`); `for_episode` gives
each episode an `EpisodeLive`, the environment's way to call: it records, per call, where the
answer came from (`Trace.live_calls`; the answer itself is the trace's tool message) and counts
requests and cache hits under the trace's `usage["live"]`.

Every answer the service gives is kept in the response cache (the LLM cache's sqlite file, keyed
by the service, the tool, its binding and the arguments — never the key), so rerunning a run makes
no live call; failures that were the service's own answer (HTTP 4xx, an MCP `isError`) are kept
too, outages are not. A read-only call is shared by every episode that makes it, so the same
question gets the same answer across the run; a write (`--allow-live-writes`) is keyed by its
episode too, so two episodes' orders are two orders. Without a cache (`--no-cache`) the same
sharing holds within the run, in memory. Requests honour `--rpm` and `--concurrency` with their
own limits: the service is not the model provider.
"""

from __future__ import annotations

import json
import time
from typing import Any

from simulator.core.records import LiveCall, RoleUsage
from simulator.llm.cache import ResponseCache, request_key
from simulator.llm.limits import CallLimits
from simulator.simulate.live.registry import LiveFailure, LiveSource
from simulator.simulate.live.sources import source_for
from simulator.spec.pack import Domain
from simulator.spec.tools import ToolSpec


class LiveTools:
    def __init__(self, source: LiveSource, *, cache: ResponseCache | None = None, rpm: float | None = None,
                 concurrency: int = 16) -> None:
        self.source = source
        self.cache = cache
        self.limits = CallLimits(concurrency=concurrency, rpm=rpm)
        self.requests = 0  # requests made to the service
        self._memo: dict[str, dict[str, Any]] = {}

    @classmethod
    def create(cls, domain: Domain, *, cache_path: Any = None, rpm: float | None = None,
               concurrency: int = 16) -> "LiveTools":
        cache = ResponseCache(cache_path) if cache_path is not None else None
        return cls(source_for(domain.service, domain.tools_dir), cache=cache, rpm=rpm, concurrency=concurrency)

    def key(self, spec: ToolSpec, args: dict[str, Any], episode_id: str) -> str:
        binding = spec.http or spec.mcp
        request: dict[str, Any] = {
            "live": self.source.identity,
            "tool": spec.name,
            "binding": binding.model_dump(mode="json", by_alias=True) if binding else None,
            "args": args,
        }
        if not spec.read_only:
            request["episode"] = episode_id
        return request_key(request)

    async def answer(self, spec: ToolSpec, args: dict[str, Any],
                     episode_id: str) -> tuple[dict[str, Any], str, float | None]:
        """(`{"ok": True, "json": "..."}` or `{"ok": False, "error": ..., "status": ...}`, origin, ms)."""
        key = self.key(spec, args, episode_id)
        kept = self.cache.get(key) if self.cache is not None else self._memo.get(key)
        if kept is not None:
            return kept, "cache", None
        started = time.perf_counter()
        async with self.limits.slot():
            self.requests += 1
            try:
                # as JSON text: the cache writes its values with sorted keys, and the result must
                # keep the service's order (a rerun's dataset is byte for byte the first one's)
                value = json.dumps(await self.source.call(spec, args), ensure_ascii=False)
                entry: dict[str, Any] = {"ok": True, "json": value}
                keep = True
            except LiveFailure as failure:
                entry = {"ok": False, "error": str(failure), "status": failure.status}
                keep = failure.cacheable
        ms = round((time.perf_counter() - started) * 1000, 1)
        if keep:
            if self.cache is not None:
                self.cache.put(key, f"live:{self.source.kind}", entry)
            else:
                self._memo[key] = entry
        return entry, "service", ms

    def for_episode(self, episode_id: str) -> "EpisodeLive":
        return EpisodeLive(self, episode_id)

    async def aclose(self) -> None:
        try:
            await self.source.aclose()
        finally:
            if self.cache is not None:
                self.cache.close()


class EpisodeLive:
    """What one episode's live calls go through (see `ToolEnvironment.acall`)."""

    def __init__(self, tools: LiveTools, episode_id: str) -> None:
        self.tools = tools
        self.episode_id = episode_id
        self.calls: list[LiveCall] = []
        self.usage = RoleUsage()

    async def call(self, call_id: str, spec: ToolSpec, args: dict[str, Any]) -> Any:
        """The result of the call, or `LiveFailure` with the error the model should read."""
        entry, origin, ms = await self.tools.answer(spec, args, self.episode_id)
        self.usage.calls += 1
        self.usage.cached_calls += origin == "cache"
        self.calls.append(LiveCall(call_id=call_id, tool=spec.name, origin=origin, ok=entry["ok"],
                                   status=entry.get("status"), ms=ms))
        if not entry["ok"]:
            raise LiveFailure(entry["error"])
        return json.loads(entry["json"])
