"""A seeded mutation fuzzer over the shipped packs, for `tests/cli/test_cli_fuzz.py` (a few hundred
cases) and `bench/fuzz.py` (a thousand).

Each case copies the pack folders, breaks one thing — a deleted key, a value of the wrong type, a
bad encoding, an alias bomb, deep nesting, a special or outside file, a broken tool module, a bad
tools.yaml schema, noise in the text — and runs `toolsim run` on it in this process (fast: no
interpreter start per case). What must hold for every case:

- no traceback (nothing escapes `main`, and nothing prints one);
- exit 0 or 2;
- on exit 2 nothing was written (every file under the case's folder as before);
- no hang: a case over `timeout` seconds is interrupted (SIGALRM) and counted.
"""

from __future__ import annotations

import contextlib
import io
import random
import shutil
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from tests.fuzz_mutations import (
    DATA_FILES,
    MODULES,
    TOOLS_YAML,
    YAML_MUTATIONS,
    outside,
    special_file,
    tool_module,
    tools_yaml,
)
from tests.guard_kit import snapshot
from tests.pack_copy import pack_copy

PACKS = {  # scenario file -> weight (generalist loads slowest: fewer cases)
    "customer_support.yaml": 3, "office.yaml": 3, "wuxia.yaml": 3, "travel.yaml": 2, "smart_home.yaml": 2,
    "generalist.yaml": 1,
}
# A tiny budget: a case is about refusals, tracebacks and hangs, not targets, so a run left short
# by it (or by a mutated sim that fails every call) is accepted as finished (exit 4 otherwise).
RUN_FLAGS = ("--n", "2", "--max-episodes", "3", "--concurrency", "2", "--quiet", "--allow-short")


@dataclass
class Case:
    index: int
    scenario: str
    kind: str
    detail: str = ""


@dataclass
class Outcome:
    case: Case
    code: int | None
    seconds: float
    err: str = ""
    traceback: str | None = None  # an exception escaped main, or one was printed
    hung: bool = False
    wrote_on_rejection: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.traceback is None and not self.hung and self.code in (0, 2)
                and not self.wrote_on_rejection)


# ---------------------------------------------------------------- cases


def _scenario_file(rng: random.Random, scenario: Path) -> Path:
    return scenario


def _persona(rng: random.Random, scenario: Path) -> Path:
    return rng.choice(sorted((scenario.parents[1] / "personas").glob("*.yaml")))


def _data_file(rng: random.Random, scenario: Path) -> Path:
    return scenario.parents[1] / "tool_sims" / DATA_FILES[scenario.name]




def make_case(index: int, seed: int) -> Case:
    rng = random.Random(f"{seed}:{index}")
    scenario = rng.choices(list(PACKS), weights=list(PACKS.values()))[0]
    kinds = ["scenario:" + k for k in YAML_MUTATIONS] * 3 + ["persona:" + k for k in YAML_MUTATIONS]
    kinds += ["special file", "outside path"] * 2
    if scenario in MODULES:
        kinds += ["tool module"] * 4
    if scenario in TOOLS_YAML:
        kinds += ["tools.yaml"] * 4 + ["tools.yaml:" + k for k in YAML_MUTATIONS]
    if scenario in DATA_FILES:
        kinds += ["data file:" + k for k in ("bad encoding", "text noise", "bomb")]
    return Case(index, scenario, rng.choice(kinds))


def apply(case: Case, pack: Path, seed: int) -> Path:
    """Break the copy at `pack` as `case` says; returns the scenario file to run."""
    rng = random.Random(f"{seed}:{case.index}:apply")
    scenario = pack / "scenarios" / case.scenario
    target, _, mutation = case.kind.partition(":")
    if target == "special file":
        case.detail = special_file(rng, scenario)
    elif target == "outside path":
        case.detail = outside(rng, scenario)
    elif target == "tool module":
        case.detail = tool_module(rng, scenario)
    elif target == "tools.yaml" and not mutation:
        case.detail = tools_yaml(rng, scenario)
    else:
        file = {"scenario": _scenario_file, "persona": _persona, "data file": _data_file,
                "tools.yaml": lambda r, s: s.parent / TOOLS_YAML[s.name]}[target](rng, scenario)
        case.detail = f"{file.name}: {YAML_MUTATIONS[mutation](rng, file)}"
    return scenario


# ---------------------------------------------------------------- running


class _Hang(KeyboardInterrupt):
    """Raised by the alarm. A KeyboardInterrupt, because toolsim handles every other exception a
    sim may raise (a hang inside a sim must not pass as that sim's error)."""


def run_case(case: Case, workdir: Path, seed: int, timeout: float) -> Outcome:
    from simulator.cli.main import main

    case_dir = workdir / f"case{case.index}"
    pack = pack_copy(case_dir)
    scenario = apply(case, pack, seed)
    before = snapshot(case_dir)
    out, err = io.StringIO(), io.StringIO()
    hung, caught, code = False, None, None

    def alarm(*_: Any) -> None:
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", str(scenario), "--out", str(case_dir / "out"), *RUN_FLAGS])
    except _Hang:
        hung = True
    except SystemExit as exc:  # argparse; never expected here
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the very thing the fuzzer looks for
        caught = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - started
    if code == 130 and seconds >= timeout:
        hung = True  # main turned the alarm's KeyboardInterrupt into "interrupted"
    text = err.getvalue()
    if caught is None and "Traceback (most recent call last)" in text + out.getvalue():
        caught = text
    outcome = Outcome(case, code, seconds, err=text[-2000:], traceback=caught, hung=hung)
    if code == 2:
        after = snapshot(case_dir)
        outcome.wrote_on_rejection = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    for name in [m for m in sys.modules if m.startswith("_toolsim_sims_")]:
        del sys.modules[name]  # each case imports its own copy of a tool module
    shutil.rmtree(case_dir, ignore_errors=True)
    return outcome


def fuzz(count: int, seed: int, workdir: Path, timeout: float = 10.0,
         progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    outcomes = []
    for index in range(count):
        outcome = run_case(make_case(index, seed), workdir, seed, timeout)
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes


def describe(outcome: Outcome) -> str:
    c = outcome.case
    what = ("traceback" if outcome.traceback else "hang" if outcome.hung
            else f"wrote on rejection: {outcome.wrote_on_rejection[:5]}" if outcome.wrote_on_rejection
            else f"exit {outcome.code}")
    tail = (outcome.traceback or outcome.err).strip().splitlines()[-3:]
    return f"case {c.index} [{c.scenario} · {c.kind} · {c.detail}]: {what}\n    " + "\n    ".join(tail)
