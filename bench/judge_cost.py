"""Rule-judge cost: microseconds per trace over real offline traces of every pack.

Runs each pack offline once (small n), reads its traces back, and judges every trace again
`--repeat` times with the rule layer, printing the mean cost per trace. The rules need no model,
so judging should stay far below a millisecond a trace (the offline run's whole budget per
episode at >= 1,000 episodes/s).

    python bench/judge_cost.py                 # every pack, n=200, 5 repeats
    python bench/judge_cost.py --packs travel --n 500
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = ("customer_support", "travel", "office", "wuxia", "generalist", "smart_home")


def measure(pack_name: str, n: int, repeat: int) -> tuple[int, float]:
    from simulator.core.records import Trace
    from simulator.core.rundir import iter_jsonl
    from simulator.judge import judge
    from simulator.load import load_pack
    from simulator.run.api import run_pack

    pack = load_pack(ROOT / "scenarios" / f"{pack_name}.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        run_pack(pack, Path(tmp) / "run", n=n)
        traces = [Trace.model_validate(t) for t in iter_jsonl(Path(tmp) / "run" / "traces.jsonl")]
    for trace in traces:  # warm the validator caches
        judge(trace, pack)
    started = time.perf_counter()
    for _ in range(repeat):
        for trace in traces:
            judge(trace, pack)
    return len(traces), (time.perf_counter() - started) / (repeat * len(traces))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", nargs="*", default=list(PACKS))
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'pack':<18}{'traces':>8}{'µs per trace':>15}")
    for name in args.packs:
        count, seconds = measure(name, args.n, args.repeat)
        print(f"{name:<18}{count:>8}{seconds * 1e6:>15.0f}")


if __name__ == "__main__":
    main()
