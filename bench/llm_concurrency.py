"""Whole runs against a slow model: does `toolsim run` keep `--concurrency` requests in flight?

A fake OpenAI-compatible server (its own process, one asyncio loop: `tests/fakes/async_server.py`)
holds every request `--latency` seconds (200 ms) and answers as a toy model that plays user, assistant and judge of any pack
(`tests/fakes/toy_model.py`: a weak model, so most episodes are rejected and a run needs many
planning rounds). For each concurrency C, `toolsim run PACK --model openai/toy --concurrency C`
runs in a child process, exactly as a user starts it, and we print:

* **share of ideal**: requests answered per second during the generation phase (first request
  to last answer, as the server saw them) over the ideal C / latency;
* **mean in flight / C**: requests the client had started and not yet got back (in litellm or
  waiting for the event loop to take the reply), sampled every 10 ms in the child; with
  `-- --workers N` the clients are in the workers, and the figure is the server's (requests it
  held, over the phase: what it saw in flight, a little below what the clients count);
* **CPU ms per call**: the CPU of the child and its workers during the generation phase over the
  requests (every thread: agents, judge, trace writing, our client, litellm and its worker
  threads), and the runner's event-loop thread's share of it;
* **first request**: seconds from starting the command to the first request at the server.

    python bench/llm_concurrency.py [--concurrency 16,64,128,256] [--latency 0.2]
        [--episodes-per-slot 10] [--pack customer_support] [--no-cache] [--keep DIR] [-- --workers 2]

Targets (issue 19, one process on the 2-core machine): mean in flight >= 0.9 x C at C = 128 and
256; share of ideal >= 0.8 at C = 64 and >= 0.7 at C = 128; first request within 1.5 s.
Each run's size is `--episodes-per-slot` x C episodes (the `--max-episodes` budget) for a target
of half that many examples, so the run plans again for what was rejected until the budget ends it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.01


# ------------------------------------------------------------------ the child: one toolsim run


def child(stats_path: str, argv: list[str]) -> int:
    """Run `toolsim ARGV` in this process while a thread samples the client's calls in flight
    and the CPU of this process and its workers; write the samples to `stats_path`."""
    import psutil

    limits: list = []
    samples: list[tuple[float, float, float, int]] = []
    main_clock = time.pthread_getcpuclockid(threading.main_thread().ident)  # type: ignore[arg-type]
    done = threading.Event()
    me = psutil.Process()
    workers: dict[int, float] = {}  # CPU seconds of each worker process, last seen

    def tree_cpu() -> float:
        for worker in me.children(recursive=True):
            try:
                times = worker.cpu_times()
                workers[worker.pid] = times.user + times.system
            except psutil.Error:
                pass  # it ended: keep its last figure
        return time.process_time() + sum(workers.values())

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            in_flight = sum(limit.in_flight for limit in limits)
            samples.append((time.time(), tree_cpu(), time.clock_gettime(main_clock), in_flight))

    sys.path.insert(0, str(ROOT))
    from simulator.llm import limits as limits_module  # light: no litellm, no pydantic

    original = limits_module.CallLimits.__init__

    def register(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        limits.append(self)

    limits_module.CallLimits.__init__ = register  # type: ignore[method-assign]
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    from simulator.cli import main

    code = main(argv)
    done.set()
    thread.join()
    Path(stats_path).write_text(json.dumps(samples))
    return code


# ------------------------------------------------------------------ the parent: server and figures


def run_once(args: argparse.Namespace, concurrency: int, tmp: Path) -> dict:
    server = subprocess.Popen(
        [sys.executable, "-m", f"tests.fakes.{args.server}", "--latency", str(args.latency),
         "--responder", "tests.fakes.toy_model:respond"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    base_url = server.stdout.readline().strip()
    episodes = args.episodes_per_slot * concurrency
    out = (Path(args.keep) if args.keep else tmp) / f"c{concurrency}"
    stats = tmp / f"c{concurrency}.json"
    argv = ["run", str(ROOT / "scenarios" / f"{args.pack}.yaml"), "--out", str(out), "--force", "--quiet",
            "--model", "openai/toy", "--api-base", base_url, "--concurrency", str(concurrency),
            "--n", str(max(1, episodes // 2)), "--max-episodes", str(episodes), "--allow-short"]
    argv += ["--no-cache"] if args.no_cache else []
    argv += args.extra
    env = dict(os.environ, OPENAI_API_KEY="sk-bench-not-a-real-key", TOOLSIM_CACHE_DIR=str(tmp / f"cache{concurrency}"))
    started = time.time()
    proc = subprocess.run([sys.executable, __file__, "--child", str(stats), "--", *argv], env=env, cwd=ROOT)
    server.stdin.close()
    times = json.loads(server.stdout.readline())
    server.wait(timeout=30)
    if proc.returncode != 0:
        raise SystemExit(f"toolsim run exited with {proc.returncode}")
    samples = json.loads(stats.read_text())
    requests = times
    first = min(arrived for arrived, _ in times)
    last = max(answered for _, answered in times)
    phase = last - first
    inside = [s for s in samples if first <= s[0] <= last]
    cpu = _at(samples, last, 1) - _at(samples, first, 1)
    main_cpu = _at(samples, last, 2) - _at(samples, first, 2)
    deciles = [0.0] * 10
    for decile in range(10):
        lo, hi = first + phase * decile / 10, first + phase * (decile + 1) / 10
        part = [s[3] for s in inside if lo <= s[0] < hi]
        deciles[decile] = sum(part) / max(len(part), 1) / concurrency
    held = sorted(answered - arrived for arrived, answered in times)
    return {
        "server_in_flight": sum(held) / phase / concurrency,
        "held_p50": held[len(held) // 2],
        "deciles": deciles,
        "concurrency": concurrency,
        "requests": len(requests),
        "episodes": _episodes(out),
        "phase": phase,
        "share": len(requests) / phase / (concurrency / args.latency),
        "in_flight": sum(s[3] for s in inside) / max(len(inside), 1) / concurrency,
        "cpu_ms": cpu / len(requests) * 1000,
        "main_ms": main_cpu / len(requests) * 1000,
        "busy": main_cpu / phase,
        "first_request": first - started,
        "wall": time.time() - started,
    }


def _episodes(out: Path) -> int:
    with open(out / "traces.jsonl", "rb") as f:
        return sum(1 for _ in f)


def _at(samples: list, when: float, column: int) -> float:
    """A sampled clock's value at `when`, linearly interpolated between the samples around it."""
    before = [s for s in samples if s[0] <= when] or samples[:1]
    after = [s for s in samples if s[0] >= when] or samples[-1:]
    a, b = before[-1], after[0]
    if b[0] == a[0]:
        return a[column]
    return a[column] + (b[column] - a[column]) * (when - a[0]) / (b[0] - a[0])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        raise SystemExit(child(sys.argv[2], sys.argv[4:]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="16,64,128,256", help="comma-separated concurrencies")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--episodes-per-slot", type=int, default=10)
    parser.add_argument("--pack", default="customer_support")
    parser.add_argument("--no-cache", action="store_true", help="run with --no-cache (default: a fresh cache, every call a miss)")
    parser.add_argument("--server", choices=("async_server", "openai_server"), default="async_server",
                        help="the fake server: one asyncio loop (default) or a thread per connection")
    parser.add_argument("--timeline", action="store_true", help="also print in flight / C per tenth of the phase")
    parser.add_argument("--keep", help="keep the run directories under this folder")
    parser.add_argument("extra", nargs="*", help="more `toolsim run` flags, after --")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            rows.append(run_once(args, concurrency, Path(tmp)))
    print(f"toolsim run {args.pack} --model openai/toy (every role), server holds each request "
          f"{args.latency * 1000:.0f} ms; {os.cpu_count()} CPUs, load average {load:.2f} at start")
    workers = "--workers" in args.extra or "ray" in args.extra
    if workers:
        print(f"with {' '.join(args.extra)}: in flight / C as the server saw it (the clients are in the workers)")
    print(f"{'C':>5} {'episodes':>8} {'requests':>8} {'phase s':>8} {'share of ideal':>15} {'in flight / C':>14} "
          f"{'CPU ms/call':>12} {'loop ms/call':>13} {'loop busy':>10} {'1st request s':>14}")
    for r in rows:
        in_flight = r["server_in_flight"] if workers else r["in_flight"]
        print(f"{r['concurrency']:>5} {r['episodes']:>8} {r['requests']:>8} {r['phase']:>8.1f} {r['share']:>15.2f} "
              f"{in_flight:>14.2f} {r['cpu_ms']:>12.2f} {r['main_ms']:>13.2f} {r['busy']:>10.0%} "
              f"{r['first_request']:>14.2f}")
    if args.timeline:
        for r in rows:
            print(f"C={r['concurrency']:<4} in flight / C by tenth of the phase: " + " ".join(f"{d:.2f}" for d in r["deciles"])
                  + f"; at the server: {r['server_in_flight']:.2f} (each held {r['held_p50'] * 1000:.0f} ms at p50)")
    print("targets: in flight / C >= 0.9 at C = 128, 256; share of ideal >= 0.8 at C = 64, >= 0.7 at C = 128; "
          "first request <= 1.5 s")


if __name__ == "__main__":
    main()
