"""How close does `toolsim eval` get to the ideal throughput against a slow model?

A fake OpenAI-compatible server (one asyncio loop in a child process, so its CPU is not charged to
us) answers every
request after a fixed latency (200 ms by default). We make an offline customer-support run, take
the items of one split (default: train, ~1,300 turns of ~500 records: real prompts with the
system prompt, five tool schemas and the conversation so far) and time the eval on them at
concurrency C with the cache off. Ideal is C / latency requests per second; printed:

* the scheduler alone (`simulator.eval.replay.ask_all`, the requests only) and the whole
  evaluation (`evaluate_turns`: items built from the run, requests, scoring, summary), each as
  achieved requests/s and its ratio of ideal (issue 14's target: >= 0.9 at concurrency 64);
* how many requests reached the server (identical prompts in flight at once share one call);
* with `--processes P` (P >= 2), the whole evaluation spread over P worker processes
  (`simulator.eval.shards`), timed from the moment every worker has read the run (the start-up is
  printed apart);
* the ceiling of this server and schedule: N / C rounds cap the ratio at N / (C * ceil(N / C))
  when the last round is partial.

    python bench/eval_throughput.py [--records 0] [--split train] [--concurrency 64] [--latency 0.2]
        [--n 625] [--processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.cli import main as toolsim  # noqa: E402
from simulator.core.rundir import RunDir  # noqa: E402
from simulator.eval.items import split_items  # noqa: E402
from simulator.eval.replay import ask_all  # noqa: E402
from simulator.eval.shards import evaluate_sharded  # noqa: E402
from simulator.eval.turns import TurnEvalOptions, evaluate_turns  # noqa: E402
from simulator.llm.client import LLMClient  # noqa: E402
from simulator.spec.models import ModelSettings  # noqa: E402

TARGET_RATIO = 0.9


@contextlib.contextmanager
def fake_server(latency: float) -> Iterator[str]:
    """The one-event-loop fake server (`tests/fakes/async_server.py`) in its own process: its CPU
    is not charged to us, and it holds 64+ requests without a thread each. Yields the base URL."""
    child = subprocess.Popen([sys.executable, "-m", "tests.fakes.async_server", "--latency", str(latency)],
                             cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdin is not None
        yield child.stdout.readline().strip()
    finally:
        child.communicate(timeout=30)  # closes stdin (the server stops) and reads its closing line


def make_run(folder: Path, n: int) -> Path:
    out = folder / "cs"
    code = toolsim(["run", str(ROOT / "scenarios" / "customer_support.yaml"), "--out", str(out), "--n", str(n), "--quiet"])
    if code != 0:
        raise SystemExit(f"toolsim run failed ({code})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=625, help="examples of the offline run (default: the pack's 625)")
    parser.add_argument("--split", default="train")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--processes", type=int, default=2, help="also measure the evaluation over P processes")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        run = RunDir(make_run(Path(tmp), args.n))
        pack, items = split_items(run, args.split)
        tools = list(pack.domain.tools.values())
        prompts = [i.messages for i in items]
        with fake_server(args.latency) as base_url:
            settings = ModelSettings(model="openai/fake-model", api_base=base_url, retries=0, timeout=60,
                                     temperature=0.0, seed=0)
            ideal = args.concurrency / args.latency
            rounds = math.ceil(len(prompts) / args.concurrency)
            ceiling = len(prompts) / (args.concurrency * rounds)
            print(f"items               {len(prompts)} ({args.split} split of an offline customer-support run, n={args.n})")
            print(f"server              latency {args.latency * 1000:.0f} ms, "
                  "one asyncio loop in a child process; "
                  f"machine: {os.cpu_count()} CPUs, load average {load:.2f} at start")
            print(f"ideal               {ideal:.1f} req/s ({args.concurrency} / {args.latency:g} s); "
                  f"schedule ceiling ratio {ceiling:.3f} ({rounds} rounds)")

            async def warm(client: LLMClient) -> None:
                await ask_all(client, settings, prompts[-args.concurrency:], tools, concurrency=args.concurrency)

            async def measured(client: LLMClient, whole: bool) -> tuple[int, float, float]:
                """(requests that reached the server, wall, CPU), after a warm-up on the same loop."""
                try:
                    await warm(client)  # connections, first-call setup
                    started, cpu = time.perf_counter(), time.process_time()
                    if whole:
                        result = await evaluate_turns(run, settings, client, TurnEvalOptions(
                            split=args.split, concurrency=args.concurrency))
                        requests = result["usage"]["requests"]
                    else:
                        answers = await ask_all(client, settings, prompts, tools, concurrency=args.concurrency)
                        requests = sum(a.usage.calls - a.usage.cached_calls for a in answers)
                    return requests, time.perf_counter() - started, time.process_time() - cpu
                finally:
                    await client.aclose()

            for label, whole in (("whole evaluation", True), ("scheduler (requests only)", False)):
                client = LLMClient.create(cache_path=None, concurrency=args.concurrency)
                requests, wall, cpu = asyncio.run(measured(client, whole))
                achieved = len(prompts) / wall
                print(f"{label:<27}{wall:6.2f} s, {achieved:6.1f} items/s, ratio {achieved / ideal:.3f} "
                      f"(target >= {TARGET_RATIO}); {requests} requests reached the server; "
                      f"CPU {cpu / len(prompts) * 1000:.2f} ms per item")
            if args.processes > 1:
                marks: dict[str, float] = {"spawned": time.perf_counter()}
                result = evaluate_sharded(run, settings, TurnEvalOptions(split=args.split, concurrency=args.concurrency),
                                          args.processes, cache_path=None, rpm=None,
                                          on_start=lambda: marks.setdefault("started", time.perf_counter()))
                wall = time.perf_counter() - marks["started"]
                achieved = len(prompts) / wall
                label = f"whole, {args.processes} processes"
                print(f"{label:<27}{wall:6.2f} s, {achieved:6.1f} items/s, ratio {achieved / ideal:.3f} "
                      f"(target >= {TARGET_RATIO}); {result['usage']['requests']} requests reached the server; "
                      f"start-up {marks['started'] - marks['spawned']:.1f} s before the first request")


if __name__ == "__main__":
    main()
