"""Offline throughput benchmark: simulate, judge and write N episodes with the offline agents.

Prints episodes/s for the simulation stage (simulate + judge + append to traces/verdicts),
the whole run (including curation and export), the RSS before the first episode (imports and
the pack) and the peak RSS. It runs each size in a fresh process so the peak RSS figures are
comparable, and ends with the peak's growth per 1,000 episodes between the smallest and the
largest size: traces stream to disk and curation keeps < 200 bytes a trace, so what is left of
the growth is per-episode bookkeeping (the round's plan, the ids done, those summaries).

    python bench/offline_throughput.py              # 2,000 and 10,000 episodes
    python bench/offline_throughput.py --sizes 10000
Target (issue 2): >= 1,000 episodes/s on one core; peak memory flat in the number of episodes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "customer_support.yaml"


def measure(n: int) -> dict:
    from simulator.load.loader import load_pack
    from simulator.run.runner import Runner, RunOptions

    pack = load_pack(SCENARIO)
    start_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        options = RunOptions(out=Path(tmp) / "run", n=n, concurrency=16, max_episodes=n)
        runner = Runner(pack, options)
        started = time.perf_counter()
        runner.run_dir.prepare(force=True, fingerprint="bench")
        asyncio.run(runner.simulate_all())
        simulated = time.perf_counter() - started
        from simulator.run.publish import publish_dataset

        publish_dataset(runner.run_dir, pack, runner.targets, runner.state, seed=runner.seed)
        total = time.perf_counter() - started
        episodes = len(runner.state.done)
        trace_bytes = runner.run_dir.traces_path.stat().st_size
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "episodes": episodes,
        "accepted": len(runner.state.accepted),
        "simulate_seconds": round(simulated, 2),
        "episodes_per_second": round(episodes / simulated, 1),
        "end_to_end_episodes_per_second": round(episodes / total, 1),
        "start_rss_mib": round(start_kib / 1024, 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "traces_mib": round(trace_bytes / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    print(f"offline throughput — {SCENARIO.relative_to(ROOT)} (one process, one core)")
    print(f"{'episodes':>9} {'accepted':>9} {'sim eps/s':>10} {'e2e eps/s':>10} {'start RSS MiB':>14} "
          f"{'peak RSS MiB':>13} {'traces MiB':>11}")
    results = []
    for n in args.sizes:
        # taskset pins the child to one core where available, so the figure is per core.
        cmd = [sys.executable, __file__, "--child", str(n)]
        try:
            out = subprocess.run(["taskset", "-c", "0", *cmd], capture_output=True, text=True, check=True)
        except (FileNotFoundError, subprocess.CalledProcessError):
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{r['episodes']:>9} {r['accepted']:>9} {r['episodes_per_second']:>10} "
              f"{r['end_to_end_episodes_per_second']:>10} {r['start_rss_mib']:>14} {r['peak_rss_mib']:>13} "
              f"{r['traces_mib']:>11}")
    small, large = min(results, key=lambda r: r["episodes"]), max(results, key=lambda r: r["episodes"])
    if large["episodes"] > small["episodes"]:
        growth = large["peak_rss_mib"] - small["peak_rss_mib"]
        per_1000 = growth / ((large["episodes"] - small["episodes"]) / 1000)
        print(f"peak RSS growth {small['episodes']} -> {large['episodes']} episodes: {growth:+.1f} MiB "
              f"({per_1000:+.2f} MiB per 1,000 episodes)")
    print("target: >= 1000 simulated episodes/s; peak RSS flat as episodes grow")


if __name__ == "__main__":
    main()
