"""The seam for episode-level success's state check: does the state a trial's calls left behind
equal the state the blueprint's expected calls leave on a fresh copy of the episode's seeded
state (τ2-bench's and APIGen-MT's check)?

That replay is the judge's to own (issue 11: tools declare read-only or write, the expected calls
replayed on a fresh environment, the records the write tools touch compared), so that a trace the
judge accepts and a trial the eval counts as a success mean the same thing. Its public function,
`simulator.judge.final_state.compare_final_state(trace, pack)`, is used when the installed judge
has it; until then `final_state_check` answers "not checked" (`matches is None`): such trials are
scored on the rules and the results told, and eval.json says under `not_measured` that the state
was not compared. A comparison the judge cannot make (schema-only tools keep no state) is "not
checked" too, with the judge's reason.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from simulator.core.records import Trace
from simulator.spec.pack import Pack

JUDGE_MODULE = "simulator.judge.final_state"  # issue 11's module; imported by name, it may not exist yet


@dataclass(frozen=True)
class StateCheck:
    matches: bool | None  # None: not checked
    detail: str = ""


def final_state_check(pack: Pack, trace: Trace) -> StateCheck:
    """Whether `trace` left the state the blueprint's replay leaves (None: not checked)."""
    try:
        compare = importlib.import_module(JUDGE_MODULE).compare_final_state
    except (ImportError, AttributeError):
        return StateCheck(None, "not checked: the judge's final-state replay is not available yet")
    comparison = compare(trace, pack)
    if comparison.skipped:
        return StateCheck(None, comparison.summary())
    return StateCheck(comparison.matches, comparison.summary())
