"""What a run knows and what it reports: `RunState`, rebuilt from the run directory on resume
and by `toolsim export`, and `RunResult`, the summary a finished run (or a re-publish) returns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from simulator.core.records import RoleUsage, Trace, Verdict
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.curate.summaries import Summaries
from simulator.run.outcome import Outcome
from simulator.run.shortfall import Cause, FailureTally


@dataclass
class RunState:
    """What the runner knows about the episodes already on disk."""

    done: set[str] = field(default_factory=set)
    accepted: Summaries = field(default_factory=Summaries)  # compact: < 200 bytes a trace
    rejected: Counter = field(default_factory=Counter)
    failed: int = 0
    usage: dict[str, RoleUsage] = field(default_factory=dict)
    failures: FailureTally = field(default_factory=FailureTally)  # why episodes were lost, with examples

    def record(self, outcome: Outcome) -> None:
        self.done.add(outcome.id)
        self.failures.add(outcome)
        if outcome.crashed:
            self.failed += 1
        if outcome.accepted and not outcome.mistake:  # a mistake twin is pair material, never data
            assert outcome.facts is not None
            self.accepted.add_facts(outcome.facts)
        elif not outcome.accepted:
            self.rejected.update(outcome.reasons or ["override"])
        totals = self.usage
        for role, usage in outcome.usage.items():
            total = totals.get(role)
            if total is None:  # (not `setdefault`: that validates a pydantic RoleUsage per role per episode)
                total = totals[role] = RoleUsage()
            total.add(usage)

    def record_trace(self, trace: Trace, verdict: Verdict) -> None:
        self.record(Outcome.of(trace, verdict))


def judged_traces(run: RunDir) -> Iterator[tuple[Trace, Verdict | None]]:
    """Every trace of the run with its verdict (None: the kill came between the two lines). A
    trace written twice (simulated again) yields once, with its first line."""
    verdicts = {v["trace_id"]: Verdict.model_validate(v) for v in iter_jsonl(run.verdicts_path)}
    seen: set[str] = set()
    for raw in iter_jsonl(run.traces_path):
        trace = Trace.model_validate(raw)
        if trace.id not in seen:
            seen.add(trace.id)
            yield trace, verdicts.get(trace.id)


@dataclass
class RunResult:
    run_dir: Path
    episodes: int
    accepted: int
    rejected: Counter
    failed: int
    duplicates_removed: int
    per_cell: dict[str, int]
    targets: dict[str, int]
    short: dict[str, int]
    multi_turn: int
    splits: dict[str, int]
    usage: dict[str, RoleUsage]
    resumed: bool = False
    seconds: float = 0.0
    near_duplicates_removed: int = 0
    composition: dict[str, dict[str, int]] = field(default_factory=dict)  # category / language -> n
    balance: dict[str, Any] = field(default_factory=dict)  # quotas.BalanceReport.as_dict()
    stopped_by: str | None = None  # the budget or limit that left cells short
    stop_detail: str | None = None  # what it means in this run ("the budget of 375 episodes is spent")
    causes: list[Cause] = field(default_factory=list)  # crashes and rejections, most costly first
    stopped_early: str | None = None  # `file:line: ...` of a scenario whose every episode crashed

    @property
    def cost_usd(self) -> float | None:
        """Total spend; None when some role's model has no known price (give --price-in/out)."""
        costs = [u.cost_usd for u in self.usage.values()]
        return None if any(c is None for c in costs) else sum(costs)  # type: ignore[arg-type]

    @property
    def cost_per_accepted_example(self) -> float | None:
        cost = self.cost_usd
        return cost / self.accepted if cost is not None and self.accepted else None

    def counts(self) -> dict[str, Any]:
        return {
            "cost_usd": self.cost_usd,
            "cost_per_accepted_example": self.cost_per_accepted_example,
            "episodes": self.episodes,
            "accepted": self.accepted,
            "rejected": sum(self.rejected.values()) and dict(self.rejected),
            "failed": self.failed,
            "duplicates_removed": self.duplicates_removed,
            "near_duplicates_removed": self.near_duplicates_removed,
            "dataset_per_cell": self.per_cell,
            "dataset_composition": self.composition,
            "targets": self.targets,
            "short": self.short,
            "multi_turn": self.multi_turn,
            "splits": self.splits,
            "balance": self.balance,
            "stopped_by": self.stopped_by,
            "stop_detail": self.stop_detail,
            "stopped_early": self.stopped_early,
            "causes": [c.as_dict() for c in self.causes],
            "usage": {k: v.model_dump() for k, v in self.usage.items()},
        }
