"""Judge precision benchmark: what the rule judge lets through when the assistant makes mistakes.

For every pack, a scripted assistant (the offline assistant's correct play, varied like a model,
served over HTTP by the local fake OpenAI server; see tests/judge/mistakes) plays N episodes
twice: once clean (no mistakes) and once injecting one labelled mistake into a share of its
messages (30 % by default). The judge (rules, as in `toolsim run`) then decides. Printed per pack:

  precision    share of accepted traces that are mistake-free (at the mistake rate)
  clean loss   share of clean traces the judge rejected (the clean run)
  per class    share of traces whose only mistake is of that class that were accepted

    python bench/judge_precision.py                    # every pack, 300 episodes each
    python bench/judge_precision.py --packs travel --n 100 --examples 3

Target (issue 11): precision >= 98 % for every pack at 30 %; clean loss <= 2 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.load.loader import load_pack  # noqa: E402
from tests.judge.mistakes.harness import KINDS, figures, run_harness  # noqa: E402

PACKS = ("customer_support", "travel", "office", "wuxia", "generalist", "smart_home")


def _percent(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packs", nargs="*", default=list(PACKS))
    parser.add_argument("--n", type=int, default=300, help="episodes per pack and run")
    parser.add_argument("--rate", type=float, default=0.3, help="mistake rate per assistant message")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=0, help="accepted mistakes to print per class")
    args = parser.parse_args()

    rows = []
    for name in args.packs:
        pack = load_pack(ROOT / "scenarios" / f"{name}.yaml")
        started = time.perf_counter()
        clean = figures(run_harness(pack, args.n, 0.0, args.seed))
        dirty = figures(run_harness(pack, args.n, args.rate, args.seed))
        seconds = time.perf_counter() - started
        rows.append((name, clean, dirty))
        print(f"\n{name}: {args.n} episodes clean + {args.n} at {args.rate:.0%} ({seconds:.0f} s)")
        print(f"  clean run: {clean.clean_accepted}/{clean.clean} accepted, loss {_percent(clean.clean_loss)}")
        print(f"  mistake run: {dirty.accepted}/{dirty.traces} accepted, {dirty.clean_accepted} of them clean: "
              f"precision {_percent(dirty.precision)}")
        for kind in KINDS:
            print(f"    {kind:22s} {dirty.sole_accepted[kind]:4d}/{dirty.sole[kind]:<4d} accepted "
                  f"{_percent(dirty.accept_rate(kind))}")
            for example in dirty.examples.get(kind, [])[: args.examples]:
                print(f"        {example}")

    print("\npack               precision  clean loss  (target: >= 98.0 %, <= 2.0 %)")
    for name, clean, dirty in rows:
        ok = dirty.precision >= 0.98 and clean.clean_loss <= 0.02
        print(f"{name:18s} {_percent(dirty.precision):>9s}  {_percent(clean.clean_loss):>10s}  {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
