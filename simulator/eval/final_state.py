"""The seam for episode-level success's state check: does the state a trial's calls left behind
equal the state the blueprint's expected calls leave on a fresh copy of the episode's seeded
state (τ2-bench's and APIGen-MT's check)?

That replay is the judge's to own (issue 11: tools declare read-only or write, the expected calls
replayed on a fresh environment, the records the write tools touch compared), so that a trace the
judge accepts and a trial the eval counts as a success mean the same thing. Until the judge exposes
it, `final_state_check` answers "not checked" (`matches is None`): such trials are scored on the
rules and the results told, and eval.json says under `not_measured` that the state was not
compared. When the judge's replay lands, this function calls it and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.core.records import Trace
from simulator.spec.pack import Pack


@dataclass(frozen=True)
class StateCheck:
    matches: bool | None  # None: not checked
    detail: str = ""


def final_state_check(pack: Pack, trace: Trace) -> StateCheck:
    """Whether `trace` left the state the blueprint's replay leaves (None: not checked yet)."""
    return StateCheck(None, "not checked: the judge's final-state replay is not available yet")
