"""Fuzz toolsim's input handling: a thousand seeded mutations of the shipped packs (issue 16).

Each case breaks one thing in a copy of the pack folders — a deleted key, a wrong type, a bad
encoding, an alias bomb, deep nesting, a special or outside file, a broken tool module or
tools.yaml schema, noise in the text — and runs `toolsim run` on it in this process. Prints how
many cases exited 0 and 2, and the three figures that must be 0: tracebacks, hangs (over
--timeout seconds) and writes on rejected input, with every offending case.

    python bench/fuzz.py                 # 1,000 cases, seed 16
    python bench/fuzz.py --cases 200 --seed 7
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz_kit import describe, fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a case counts as a hang")
    args = parser.parse_args()
    started = time.perf_counter()
    done = Counter()

    def progress(outcome) -> None:
        done["n"] += 1
        if done["n"] % 100 == 0:
            print(f"  {done['n']} cases, {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)

    shm = Path("/dev/shm")  # RAM, when there: the cases' pack copies need not reach the disk
    where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="toolsim-fuzz-", dir=where) as workdir:
        outcomes = fuzz(args.cases, args.seed, Path(workdir), args.timeout, progress)
    seconds = time.perf_counter() - started
    codes = Counter(o.code for o in outcomes)
    kinds = Counter(o.case.kind.split(":")[0] for o in outcomes)
    bad = [o for o in outcomes if not o.ok]
    print(f"fuzz: {len(outcomes)} cases (seed {args.seed}) in {seconds:.0f}s, "
          f"{seconds / max(len(outcomes), 1) * 1000:.0f} ms a case, slowest {max(o.seconds for o in outcomes):.1f}s")
    print("  by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print("  exit codes: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items(), key=str)))
    print(f"  tracebacks: {sum(o.traceback is not None for o in outcomes)}")
    print(f"  hangs (> {args.timeout:g}s): {sum(o.hung for o in outcomes)}")
    print(f"  writes on rejected input: {sum(bool(o.wrote_on_rejection) for o in outcomes)}")
    print(f"  other exit codes: {sum(o.code not in (0, 2) and not o.hung for o in outcomes)}")
    for outcome in bad:
        print(describe(outcome))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
