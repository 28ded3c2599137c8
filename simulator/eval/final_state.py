"""Episode-level success's state check: does the state a trial's calls left behind equal the
state the blueprint's expected calls leave on a fresh copy of the episode's seeded state
(τ2-bench's and APIGen-MT's check)?

The replay is the judge's (`simulator.judge.final_state.compare_final_state`: tools declare
read-only or write, the expected calls are replayed on a fresh environment, the records the
write tools touch are compared), so that a trace the judge accepts and a trial the eval counts
as a success mean the same thing. A comparison the judge cannot make (schema-only tools keep no
state) is "not checked" (`matches is None`), with the judge's reason: such trials are scored on
the rules and the results told, and eval.json says under `not_measured` that the state was not
compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.core.records import Trace
from simulator.judge.final_state import compare_final_state
from simulator.spec.pack import Pack


@dataclass(frozen=True)
class StateCheck:
    matches: bool | None  # None: not checked
    detail: str = ""


def final_state_check(pack: Pack, trace: Trace) -> StateCheck:
    """Whether `trace` left the state the blueprint's replay leaves (None: not checked)."""
    comparison = compare_final_state(trace, pack)
    if comparison.skipped:
        return StateCheck(None, comparison.summary())
    return StateCheck(comparison.matches, comparison.summary())
