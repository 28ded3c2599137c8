"""Scale-out benchmark: does a run go faster with more workers?

**Offline.** `customer_support` at `--n` examples (the `--max-episodes` budget the same), each run
in a fresh process, on: one process (the default executor), 1 worker process, 2 worker processes
(`--workers 2`) and 2 Ray actors on a local Ray started with 2 CPUs (its start is timed apart:
a cluster is started once, not per run). Per configuration it prints episodes/s for the
simulation (plan, play, judge, write: what the executor parallelises) and end to end (the whole
run: workers starting, the same simulation, curation and the dataset files), each as a ratio to
the one-process run of the same round — the configurations take turns, round after round, so a
ratio compares runs made under the same load — with the median and the range over the rounds.
The load average is printed before and after: on a shared machine, figures from a loaded one
are floors.

**Model runs.** `bench/llm_concurrency.py`'s setting (a toy model behind a fake server holding
each request `--latency` s, its own process) at one total `--concurrency`, split across the
workers: one process, `--workers 2`, `--executor ray` (a local Ray, 2 workers). It prints the
generation phase's share of the ideal C / latency requests per second, the requests in flight as
the server saw them over C, and the CPU per call of the whole process tree (runner and workers).

    python bench/scale.py [--n 10000] [--rounds 3] [--no-ray] [--no-llm] [--concurrency 128]

Target (issue 18): `--workers 2` >= 1.7x one process offline on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"
CONFIGS = {  # label: (executor kind, workers)
    "one process": ("inprocess", None),
    "1 worker": ("processes", 1),
    "2 workers": ("processes", 2),
    "Ray, 2 CPUs": ("ray", 2),
}


# ------------------------------------------------------------------ the child: one offline run


def child(kind: str, workers: int | None, n: int, out: Path) -> dict:
    import asyncio

    sys.path.insert(0, str(ROOT))
    ray_start = None
    if kind == "ray":
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a single node on loopback
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        import ray

        started = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
        ray_start = time.perf_counter() - started
    from simulator.load.loader import load_pack
    from simulator.run.executors import ExecutorOptions
    from simulator.run.runner import Runner, RunOptions

    pack = load_pack(SCENARIO)
    runner = Runner(pack, RunOptions(out=out, n=n, max_episodes=n, force=True,
                                     executor=ExecutorOptions(kind=kind, workers=workers)))
    stamps: dict[str, float] = {}
    simulate_all = runner.simulate_all

    async def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        await simulate_all(*args, **kwargs)
        stamps["simulate"] = time.perf_counter() - started

    runner.simulate_all = timed  # type: ignore[method-assign]
    started = time.perf_counter()
    result = asyncio.run(runner.run())
    total = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "episodes": result.episodes,
        "simulate": stamps["simulate"],
        "total": total,
        "runner_cpu": own.ru_utime + own.ru_stime,
        "workers_cpu": children.ru_utime + children.ru_stime,
        "ray_start": ray_start,
    }


# ------------------------------------------------------------------ the parent


def offline(args: argparse.Namespace) -> None:
    configs = {k: v for k, v in CONFIGS.items() if not (args.no_ray and v[0] == "ray")}
    runs: dict[str, list[dict]] = {label: [] for label in configs}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for label, (kind, workers) in configs.items():
                out = Path(tmp) / label.replace(" ", "_").replace(",", "")
                cmd = [sys.executable, __file__, "--child", kind, str(workers or 0), str(args.n), str(out)]
                done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                if done.returncode != 0:
                    raise SystemExit(f"{label}: {done.stderr[-2000:]}")
                runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
    load_after = os.getloadavg()
    print(f"offline: {SCENARIO.relative_to(ROOT)} --n {args.n}, {args.rounds} rounds, {os.cpu_count()} CPUs; "
          f"load average {load_before[0]:.2f} / {load_before[1]:.2f} (1 / 5 min) before, "
          f"{load_after[0]:.2f} / {load_after[1]:.2f} after")
    print(f"{'':>13} {'episodes':>8} {'simulate eps/s':>15} {'× one process':>22} {'end to end eps/s':>17} "
          f"{'× one process':>22} {'CPU s runner+workers':>21} {'cores got':>9}")
    base = runs["one process"]
    for label, rows in runs.items():
        sim = [r["episodes"] / r["simulate"] for r in rows]
        e2e = [r["episodes"] / r["total"] for r in rows]
        sim_ratio = [s / (b["episodes"] / b["simulate"]) for s, b in zip(sim, base)]
        e2e_ratio = [e / (b["episodes"] / b["total"]) for e, b in zip(e2e, base)]
        cpu = statistics.median(r["runner_cpu"] for r in rows), statistics.median(r["workers_cpu"] for r in rows)
        # The cores the machine gave the whole run (its CPU seconds over its wall seconds): on an
        # idle 2-core machine, near 1 for one process and near 2 for two workers.
        cores = "—" if "Ray" in label else f"{statistics.median((r['runner_cpu'] + r['workers_cpu']) / r['total'] for r in rows):.2f}"
        print(f"{label:>13} {rows[0]['episodes']:>8} {statistics.median(sim):>15,.0f} {_spread(sim_ratio):>22} "
              f"{statistics.median(e2e):>17,.0f} {_spread(e2e_ratio):>22} {cpu[0]:>10.1f}+{cpu[1]:<10.1f} {cores:>9}")
    if "Ray, 2 CPUs" in runs:
        starts = [r["ray_start"] for r in runs["Ray, 2 CPUs"]]
        print(f"(starting the local Ray itself, not counted: {statistics.median(starts):.1f} s; "
              "Ray's workers' CPU is not counted in the last column)")
    print("target: 2 workers >= 1.70x one process")
    if _autogroups() and load_before[0] > (os.cpu_count() or 1):
        print("note: the kernel shares CPU between sessions (sched_autogroup) and this machine was loaded: "
              "a session gets its share however many processes it runs, so the worker ratios are floors "
              "(see 'cores got'); they mean something only with the load average below the CPU count")


def _autogroups() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def llm(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import llm_concurrency

    settings = argparse.Namespace(latency=args.latency, episodes_per_slot=args.episodes_per_slot,
                                  pack="customer_support", no_cache=False, server="async_server", keep=None)
    setups = {"one process": [], "--workers 2": ["--workers", "2"]}
    if not args.no_ray:
        setups["Ray, 2 workers"] = ["--executor", "ray", "--workers", "2"]
    load_before = os.getloadavg()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, flags in setups.items():
            settings.extra = flags
            rows[label] = llm_concurrency.run_once(settings, args.concurrency, Path(tmp) / label.replace(" ", "_"))
    load_after = os.getloadavg()
    print(f"\nmodel runs: customer_support --model openai/toy, --concurrency {args.concurrency} in all "
          f"(split across workers), server holds each request {args.latency * 1000:.0f} ms; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"{'':>15} {'requests':>8} {'phase s':>8} {'share of ideal':>15} {'in flight / C (server)':>23} "
          f"{'CPU ms/call (all processes)':>28}")
    for label, r in rows.items():
        print(f"{label:>15} {r['requests']:>8} {r['phase']:>8.1f} {r['share']:>15.2f} {r['server_in_flight']:>23.2f} "
              f"{r['cpu_ms']:>28.2f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, workers, n, out = sys.argv[2], int(sys.argv[3]) or None, int(sys.argv[4]), Path(sys.argv[5])
        print(json.dumps(child(kind, workers, n, out)))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="examples (and episodes budget) per offline run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-llm", action="store_true")
    parser.add_argument("--no-offline", action="store_true")
    parser.add_argument("--concurrency", type=int, default=128, help="model runs' total --concurrency")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--episodes-per-slot", type=int, default=10)
    args = parser.parse_args()
    if not args.no_offline:
        offline(args)
    if not args.no_llm:
        llm(args)


if __name__ == "__main__":
    main()
