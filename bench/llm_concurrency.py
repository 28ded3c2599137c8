"""How close does our client get to the ideal throughput against a slow model?

A fake OpenAI-compatible server answers every request after a fixed latency (200 ms by
default). We send N requests through `LLMClient` (cache off) at concurrency C; the ideal is
C / latency requests per second. We print the achieved rate, the ratio to the ideal and the CPU
time per call of this process — the client's own overhead (litellm building the request, the
OpenAI SDK and aiohttp sending it, litellm parsing and logging the response).

The server runs in a child process by default so its threads' CPU is not charged to the client
(`--in-process` to run it in a thread of this process instead, as the tests do).

    python bench/llm_concurrency.py [--requests 2000] [--concurrency 64] [--latency 0.2]
                                    [--profile] [--gc-freeze] [--processes N]

What we found (2-CPU machine shared with other work, litellm 1.102.4): the client costs ~3.2-5 ms
of CPU per call, of which our own code is ~1-3%; the rest is litellm's per-call machinery
(parameter mapping, model-info lookups, cost calculation, a logging payload built even with no
callbacks) and the OpenAI SDK under it (TypedDict transforms, pydantic response models, httpx
request objects). A raw aiohttp request costs ~0.2 ms. The 64 calls of a round finish together
and are then processed one after another on one event loop, so a round takes ~200 ms + 64 x CPU
per call: one process reaches a ratio of ~0.55-0.7 here, not 0.9. `--processes 2` shards the load
as a multi-process runner would (~0.78 on 2 CPUs, which also serve the fake). At realistic model
latencies the overhead fades: 1 s latency at concurrency 64 gives ~0.86-0.93. `--gc-freeze`
(stop re-scanning litellm's import-time objects) was within the noise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import multiprocessing
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.llm.client import LLMClient, litellm_module  # noqa: E402
from simulator.llm.limits import CallLimits  # noqa: E402
from simulator.llm.settings import ModelSettings  # noqa: E402
from simulator.messages import UserMessage  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer  # noqa: E402


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
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=10)


async def run(client: LLMClient, settings: ModelSettings, n: int, offset: int = 0) -> None:
    # Distinct prompts: identical requests in flight together would be coalesced by the client,
    # which would flatter the numbers.
    prompts = ([UserMessage(content=f"request {offset + i}")] for i in range(n))
    await asyncio.gather(*(client.complete(settings, p) for p in prompts))


def _worker(base_url: str, model: str, requests: int, concurrency: int, offset: int, start_at: float, out) -> None:
    """One process of a sharded run: its own event loop, client and share of the concurrency."""
    litellm_module()
    gc.collect()
    gc.freeze()
    settings = ModelSettings(model=model, api_base=base_url, retries=0, timeout=60)
    client = LLMClient(cache=None, limits=CallLimits(concurrency=concurrency))

    async def go() -> float:
        await run(client, settings, concurrency, offset=-(offset + concurrency))  # warm-up
        while time.time() < start_at:
            await asyncio.sleep(0.005)
        cpu0 = time.process_time()
        await run(client, settings, requests, offset=offset)
        return time.process_time() - cpu0

    out.put(asyncio.run(go()))


def sharded(args: argparse.Namespace, base_url: str) -> tuple[float, float]:
    """Split requests and concurrency over `args.processes` processes; return (CPU, wall)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    per = args.requests // args.processes
    start_at = time.time() + 8.0  # time for every child to import litellm and warm up
    children = [
        ctx.Process(target=_worker, args=(base_url, args.model, per, args.concurrency // args.processes, i * per, start_at, out))
        for i in range(args.processes)
    ]
    for child in children:
        child.start()
    cpu = sum(out.get(timeout=600) for _ in children)
    wall = time.time() - start_at
    for child in children:
        child.join()
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--model", default="openai/fake-model")
    parser.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    parser.add_argument("--profile", action="store_true", help="print the functions using the most CPU")
    parser.add_argument("--sort", default="tottime", help="pstats sort key for --profile (e.g. cumulative)")
    parser.add_argument("--processes", type=int, default=1, help="shard the load over this many client processes")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after importing litellm")
    args = parser.parse_args()

    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key")
    litellm_module()  # import outside the measurement
    if args.gc_freeze:
        gc.collect()
        gc.freeze()  # import-time objects are immortal in practice: stop re-scanning them
    with fake_server(args.latency, args.in_process) as base_url:
        if args.processes > 1:
            cpu, wall = sharded(args, base_url)
            report(args, cpu, wall, peak=None)
            return
        settings = ModelSettings(model=args.model, api_base=base_url, retries=0, timeout=60)
        client = LLMClient(cache=None, limits=CallLimits(concurrency=args.concurrency))

        async def measured() -> tuple[float, float]:
            await run(client, settings, args.concurrency, offset=-args.concurrency)  # warm-up: connections
            profiler = cProfile.Profile() if args.profile else None
            cpu0, wall0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            await run(client, settings, args.requests)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)
            return time.process_time() - cpu0, time.perf_counter() - wall0

        cpu, wall = asyncio.run(measured())
    report(args, cpu, wall, peak=client.limits.peak_in_flight)


def report(args: argparse.Namespace, cpu: float, wall: float, peak: int | None) -> None:
    ideal = args.concurrency / args.latency
    achieved = args.requests / wall
    where = "thread of this process" if args.in_process else "child process"
    print(f"model               {args.model} (server: {where})")
    print(f"requests            {args.requests} at concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms")
    print(f"client processes    {args.processes}" + (f", peak in flight {peak}" if peak is not None else ""))
    print(f"wall                {wall:.2f} s")
    print(f"achieved            {achieved:.1f} req/s")
    print(f"ideal               {ideal:.1f} req/s")
    print(f"ratio               {achieved / ideal:.3f}")
    print(f"CPU per call        {cpu / args.requests * 1000:.2f} ms (client process(es) only)")


if __name__ == "__main__":
    main()
