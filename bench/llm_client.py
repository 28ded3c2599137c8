"""How close does our client get to the ideal throughput against a slow model?

A fake OpenAI-compatible server answers every request after a fixed latency (200 ms by
default). We send N requests through `LLMClient` (cache off unless `--cache`) at concurrency C
and compare with the ideal, C / latency requests per second. Printed:

* achieved requests/s, the ideal, their ratio (issue target: >= 0.9);
* CPU per call of the client process — the framework's own cost: our client, litellm (part of it
  runs in litellm's worker threads, shown apart), the OpenAI SDK and aiohttp (target: < 2 ms);
* call latency percentiles: anything above the server's latency is time a reply waited for the
  event loop, busy with other calls' CPU;
* the ceiling of this server and schedule, measured by the cheapest possible client (raw aiohttp,
  same N, C and server): what no client can beat here. N / C rounds also cap the ratio: 2000 at
  64 is 31.25 rounds but the last quarter-round still takes a full latency (<= 0.977).

The server runs in a child process so its CPU is not charged to the client (`--in-process` runs
it in a thread of this process instead, as the tests do). Requests are distinct (identical ones in
flight together would be coalesced by the client and flatter the numbers).

    python bench/llm_client.py [--requests 2000] [--concurrency 64] [--latency 0.2] [--litellm]
        [--model openai/fake-model] [--turns 0] [--tools 0] [--cache] [--loop asyncio|uvloop]
        [--processes N] [--no-baseline] [--profile]

`--turns/--tools` send a realistic conversation instead of one short message (the OpenAI SDK
walks every message and tool schema on every call). `--processes N` shards the load over N
client processes, as a multi-process runner would. `--profile` prints cProfile's view of the
event-loop thread; for every thread use py-spy:
`py-spy record -f raw -o out.txt -- python bench/llm_client.py`.

`openai/fake-model` at the fake server's address goes over the direct transport
(`simulator/llm/openai_http.py`); `--litellm` sends it through litellm, which the rest of this
text is about. Where the time goes (litellm 1.102.4; py-spy over all threads, one short message, 2 CPUs):
~30% sockets, aiohttp and asyncio (a loopback send costs ~0.1-0.3 ms of kernel time in this VM);
~15% httpx request/response objects (litellm's HTTP handler wraps aiohttp in httpx); ~13% the
worker thread litellm hands every call's synchronous `completion()` to, and the self-pipe write
that hands it back; ~30% the rest of litellm (call wrapper, `function_setup` and its logging
object, parameter mapping, provider lookup, `ModelResponse` building, response metadata); ~5%
our client (mostly the request's cache key). With a 22-message conversation and 6 tools the
worker thread's share grows (litellm sanitises every tool schema on every call) and our key is
~8%. What the client already removes: the OpenAI SDK on the `openai/` route (litellm's
`EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER` switch; the SDK's per-call TypedDict walk was ~1 ms
for one message, ~4 ms for 22 messages), litellm's success logging and pricing when nothing reads
them (`simulator/llm/litellm_tuning.py`), full garbage-collector scans of litellm's ~300k
import-time objects (each stalled the loop ~0.2 s), and, by yielding once before preparing each
request, replies waiting behind another call's request preparation.

Measured and left out: uvloop (CPU -0.2 ms per call but the ratio fell, 0.79 vs 0.85); running
litellm's per-call `completion()` inline instead of in its worker thread (-0.1 to -0.15 ms, ratio
+0.02; unsafe for providers whose `completion()` refreshes credentials with blocking I/O); raising
the GC's young-generation threshold (-0.08 ms); litellm's module switches for message logging,
streaming logging and end-user cost tracking (no effect on this path).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import multiprocessing
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.core.messages import (  # noqa: E402
    AssistantMessage,
    Message,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.llm.client import LLMClient, litellm_module  # noqa: E402
from simulator.spec import ToolSpec  # noqa: E402
from simulator.spec.models import ModelSettings  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer  # noqa: E402

TARGET_RATIO = 0.9
TARGET_CPU_MS = 2.0


@contextlib.contextmanager
def fake_server(latency: float, in_process: bool) -> Iterator[str]:
    """Yield the server's base URL."""
    if in_process:
        with FakeOpenAIServer(latency=latency) as server:
            yield server.base_url
        return
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--latency", str(latency)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        yield child.stdout.readline().strip()
    finally:
        # closes stdin (the server stops) and reads its closing line: the request times of a
        # 2,000-request run overflow the pipe, and a bare wait() would block the server writing them
        child.communicate(timeout=30)


# ------------------------------------------------------------------ requests


def bench_tools(n: int) -> list[ToolSpec]:
    return [
        ToolSpec(
            name=f"tool_{i}",
            description=f"Tool number {i}: looks something up and returns a record of it.",
            parameters={
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": "what to look up"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                    "mode": {"type": "string", "enum": ["fast", "full"]},
                },
                "required": ["id"],
            },
        )
        for i in range(n)
    ]


def conversation(number: int, turns: int) -> list[Message]:
    """One distinct request: a lone user message, or a system prompt and `turns` earlier turns
    (user, assistant tool call, tool result, assistant reply) before the new user message."""
    if turns == 0:
        return [UserMessage(content=f"request {number}")]
    messages: list[Message] = [SystemMessage(content="You are a support assistant. " * 40)]
    for t in range(turns):
        call = ToolCall(id=f"call_{t}", name="tool_0", arguments=f'{{"id": "ORD-{number}-{t}"}}')
        messages += [
            UserMessage(content=f"Request {number}, turn {t}: where is my order ORD-{number}-{t}?"),
            AssistantMessage(tool_calls=(call,)),
            ToolMessage(tool_call_id=call.id, name=call.name, content='{"status": "shipped", "eta": "2 days"}'),
            AssistantMessage(content="It has shipped and should arrive in two days."),
        ]
    messages.append(UserMessage(content=f"Thanks. One more question ({number})."))
    return messages


# ------------------------------------------------------------------ measurement


@dataclass
class Measured:
    requests: int
    wall: float
    cpu: float  # client process(es)
    cpu_main: float | None = None  # the event-loop thread
    latencies: list[float] = field(default_factory=list)
    peak: int | None = None


async def drive(call: Callable[[int], Awaitable[Any]], numbers: Sequence[int], concurrency: int, latencies: list[float]) -> None:
    """`concurrency` workers take the requests in turn: always `concurrency` calls in flight."""
    todo = iter(numbers)

    async def worker() -> None:
        for number in todo:
            start = time.perf_counter()
            await call(number)
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def measure(call: Callable[[int], Awaitable[Any]], requests: int, concurrency: int, profile: bool = False, offset: int = 0) -> Measured:
    await drive(call, range(offset - concurrency, offset), concurrency, [])  # warm-up: connections, caches
    latencies: list[float] = []
    profiler = cProfile.Profile() if profile else None
    cpu0, main0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    await drive(call, range(offset, offset + requests), concurrency, latencies)
    if profiler:
        profiler.disable()
    measured = Measured(
        requests, time.perf_counter() - wall0, time.process_time() - cpu0, time.thread_time() - main0, latencies
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return measured


def run_loop(coro: Awaitable[Any], loop: str) -> Any:
    if loop == "uvloop":
        import uvloop  # optional: pip install uvloop

        return uvloop.run(coro)  # type: ignore[arg-type]
    return asyncio.run(coro)  # type: ignore[arg-type]


def llm_run(base_url: str, args: argparse.Namespace, requests: int, concurrency: int, offset: int = 0) -> Measured:
    litellm_module()  # import outside the measurement (~2 s)
    tools = bench_tools(args.tools)
    with tempfile.TemporaryDirectory() as tmp:
        settings = ModelSettings(model=args.model, api_base=base_url, retries=0, timeout=60)
        client = LLMClient.create(cache_path=Path(tmp, "cache.sqlite") if args.cache else None, concurrency=concurrency)
        client.direct = not args.litellm

        async def call(number: int) -> Any:
            return await client.complete(settings, conversation(number, args.turns), tools=tools)

        try:
            measured = run_loop(measure(call, requests, concurrency, profile=args.profile, offset=offset), args.loop)
        finally:
            client.close()
    measured.peak = client.limits.peak_in_flight
    return measured


def raw_run(base_url: str, args: argparse.Namespace) -> Measured:
    """The cheapest client there is: one aiohttp session posting a fixed small body."""
    import aiohttp

    async def go() -> Measured:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

            async def call(number: int) -> Any:
                body = {"model": "fake-model", "messages": [{"role": "user", "content": f"request {number}"}]}
                async with session.post(f"{base_url}/chat/completions", json=body) as response:
                    return await response.json()

            return await measure(call, args.requests, args.concurrency)

    return asyncio.run(go())


def _worker(base_url: str, args: argparse.Namespace, requests: int, concurrency: int, offset: int, start_at: float, out: Any) -> None:
    """One process of a sharded run: its own event loop, client and share of the load."""
    litellm_module()
    while time.time() < start_at:  # every child has imported litellm: start together
        time.sleep(0.005)
    measured = llm_run(base_url, args, requests, concurrency, offset=offset)
    out.put((measured.wall, measured.cpu, measured.latencies))


def sharded(base_url: str, args: argparse.Namespace) -> Measured:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    per = args.requests // args.processes
    start_at = time.time() + 10.0
    children = [
        ctx.Process(target=_worker, args=(base_url, args, per, args.concurrency // args.processes, i * per, start_at, out))
        for i in range(args.processes)
    ]
    for child in children:
        child.start()
    results = [out.get(timeout=900) for _ in children]
    for child in children:
        child.join()
    latencies = [x for _, _, lat in results for x in lat]
    # Children start together; the run lasts as long as the slowest shard.
    return Measured(per * args.processes, max(w for w, _, _ in results), sum(c for _, c, _ in results), None, latencies)


# ------------------------------------------------------------------ report


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(args: argparse.Namespace, m: Measured, baseline: Measured | None) -> None:
    ideal = args.concurrency / args.latency
    achieved = m.requests / m.wall
    cpu_ms = m.cpu / m.requests * 1000
    where = "thread of this process" if args.in_process else "child process"
    shape = "one short message" if args.turns == 0 else f"{len(conversation(0, args.turns))} messages"
    print(f"model               {args.model} (server: {where}, latency {args.latency * 1000:.0f} ms)")
    print(f"transport           {'litellm' if args.litellm else 'direct (openai_http)'}")
    print(f"requests            {m.requests} at concurrency {args.concurrency}; {shape}, {args.tools} tools; "
          f"cache {'on' if args.cache else 'off'}; loop {args.loop}")
    print(f"client processes    {args.processes}" + (f", peak in flight {m.peak}" if m.peak is not None else "")
          + f"; machine: {os.cpu_count()} CPUs, load average {args.load:.2f} at start")
    print(f"wall                {m.wall:.2f} s")
    print(f"achieved            {achieved:.1f} req/s")
    print(f"ideal               {ideal:.1f} req/s ({args.concurrency} / {args.latency:g} s)")
    print(f"ratio               {achieved / ideal:.3f} (target >= {TARGET_RATIO})")
    split = ""
    if m.cpu_main is not None:
        main_ms = m.cpu_main / m.requests * 1000
        others = "litellm worker threads" + (" and the server" if args.in_process else "")
        split = f": event loop {main_ms:.2f} + {others} {cpu_ms - main_ms:.2f}"
    print(f"CPU per call        {cpu_ms:.2f} ms (client process{'es' if args.processes > 1 else ''}{split}; target < {TARGET_CPU_MS:g})")
    if m.latencies:
        print(f"call latency        p50 {percentile(m.latencies, 0.5) * 1000:.0f} ms, p95 {percentile(m.latencies, 0.95) * 1000:.0f} ms, "
              f"max {max(m.latencies) * 1000:.0f} ms (server holds each {args.latency * 1000:.0f} ms)")
    if baseline is not None:
        b_rate = baseline.requests / baseline.wall
        print(f"ceiling (raw aiohttp, same server and schedule)  {b_rate:.1f} req/s, ratio {b_rate / ideal:.3f}, "
              f"{baseline.cpu / baseline.requests * 1000:.2f} ms CPU per call, p50 {statistics.median(baseline.latencies) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--model", default="openai/fake-model")
    parser.add_argument("--turns", type=int, default=0, help="earlier conversation turns in each request (4 messages each)")
    parser.add_argument("--tools", type=int, default=0, help="tool specs sent with each request")
    parser.add_argument("--litellm", action="store_true",
                        help="every call through litellm (default: the direct transport, as for any server at an api_base)")
    parser.add_argument("--cache", action="store_true", help="with the sqlite response cache (every request a miss)")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    parser.add_argument("--processes", type=int, default=1, help="shard the load over this many client processes")
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw-aiohttp ceiling run")
    parser.add_argument("--profile", action="store_true", help="cProfile the event-loop thread (not litellm's workers)")
    args = parser.parse_args()

    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key")
    args.load = os.getloadavg()[0]  # other work on the machine competes for the CPUs measured here
    with fake_server(args.latency, args.in_process) as base_url:
        baseline = None if args.no_baseline else raw_run(base_url, args)
        if args.processes > 1:
            measured = sharded(base_url, args)
        else:
            measured = llm_run(base_url, args, args.requests, args.concurrency)
    report(args, measured, baseline)


if __name__ == "__main__":
    main()
