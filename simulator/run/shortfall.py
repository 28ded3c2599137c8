"""Why a run fell short of its targets: crashes by exception, rejections by check, and the budget
or limit that stopped it — each with a count and one example trace to open.

`FailureTally` sees the outcome of every episode the run records (`RunState.record`) and keeps, per
cause, the count, the cells it hit and the first example — a few hundred bytes however long the
run. A crashed episode is counted once, under its exception (where it happened, not its
changing message), never again under the checks its crash failed. `CrashWatch` stops a run
whose scenario crashes in every one of its first episodes: more of them would only crash too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.core.yaml_lines import display_path
from simulator.run.outcome import Outcome

CRASH_STOP = 5  # a scenario's first episodes that all crash stop the run
_AT = re.compile(r"\s*\(at (.+):(\d+)\)$")


@dataclass
class Cause:
    """One reason episodes did not make it into the dataset."""

    kind: str  # "crash" | "rejected"
    name: str  # the exception and where it happened, or the failed check
    count: int = 0
    example: str = ""  # a trace id: `toolsim audit RUN --show ID`
    detail: str = ""  # the first example's message
    cells: Counter = field(default_factory=Counter)  # per tool cell (NO_TOOL for none)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "count": self.count, "example": self.example,
                "detail": self.detail, "cells": dict(sorted(self.cells.items()))}


def shown(error: str) -> str:
    """An error with the file it happened in as the user would write it (relative to here)."""
    return _AT.sub(lambda m: f" (at {display_path(Path(m.group(1)))}:{m.group(2)})", error)


def crash_name(error: str | None, termination: str) -> str:
    """`KeyError at tool_sims/x.py:19`: the exception type and place, which stay the same while
    its message changes from episode to episode (`KeyError: 'ORD-48213'`)."""
    if termination == "user_defect":
        return "user defect: " + (error or "").split(":")[0]
    text = shown(error or "error")
    kind = text.split(":")[0].strip() or "error"
    where = _AT.search(text)
    return f"{kind} at {where.group(1)}:{where.group(2)}" if where else kind


@dataclass
class FailureTally:
    causes: dict[tuple[str, str], Cause] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        if outcome.accepted:
            return
        if outcome.crashed:
            self._count("crash", crash_name(outcome.error, outcome.termination), outcome, shown(outcome.error or ""))
            return
        reasons = dict(outcome.failed_checks)
        for name in outcome.reasons or ("override",):
            self._count("rejected", name, outcome, reasons.get(name, ""))

    def _count(self, kind: str, name: str, outcome: Outcome, detail: str) -> None:
        cause = self.causes.get((kind, name))
        if cause is None:
            cause = self.causes[(kind, name)] = Cause(kind, name, example=outcome.id, detail=detail[:300])
        cause.count += 1
        cause.cells[outcome.cell] += 1

    def ranked(self) -> list[Cause]:
        """Crashes first (they waste the most), then rejections, most frequent first."""
        return sorted(self.causes.values(), key=lambda c: (c.kind != "crash", -c.count, c.name))


@dataclass
class CrashWatch:
    """Watches each scenario's first episodes; `add` returns the scenario id once its first
    `CRASH_STOP` episodes have all crashed."""

    played: Counter = field(default_factory=Counter)
    crashed: Counter = field(default_factory=Counter)
    first_error: dict[str, str] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> str | None:
        scenario = outcome.scenario_id
        if self.played[scenario] >= CRASH_STOP:
            return None
        self.played[scenario] += 1
        if outcome.termination == "error":
            self.crashed[scenario] += 1
            self.first_error.setdefault(scenario, shown(outcome.error or "error"))
        if self.played[scenario] == CRASH_STOP and self.crashed[scenario] == CRASH_STOP:
            return scenario
        return None
