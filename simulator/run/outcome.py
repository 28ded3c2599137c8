"""A played episode as the runner needs it: its two JSONL lines and the facts planning reads.

Whoever plays an episode — the runner's own event loop, a worker process, a Ray actor — turns
its trace and verdict into a `Played`: the lines the runner appends to `traces.jsonl` and
`verdicts.jsonl` as they are, and an `Outcome`, what `RunState` and the `Schedule` read (accepted
or why not, usage, and for an accepted trace the curation facts, hashed and signed). The runner,
the one writer, then never parses a trace nor serialises one: with several workers its share of
the work per episode stays a few microseconds, so the workers' CPU is what sets the pace. A
resumed run builds the same `Outcome`s from the lines on disk (`Outcome.of`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.core.names import NO_TOOL
from simulator.core.records import RoleUsage, Trace, Verdict
from simulator.core.rundir import jsonl_bytes
from simulator.curate.summaries import AcceptedFacts, accepted_facts
from simulator.run.lines import verdict_line

CRASHED = ("error", "user_defect")


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    termination: str
    error: str | None
    accepted: bool  # the final decision (an override's, if any)
    reasons: tuple[str, ...] = ()  # why it was rejected
    usage: dict[str, RoleUsage] = field(default_factory=dict)
    facts: AcceptedFacts | None = None  # accepted traces only
    scenario_id: str = ""
    cell: str = NO_TOOL  # the episode's tool cell (why a run is short names the cells it hit)
    failed_checks: tuple[tuple[str, str], ...] = ()  # (check, its reason), rejected traces only
    mistake: bool = False  # a mistake twin (--mistake-share): pair material, never data

    @classmethod
    def of(cls, trace: Trace, verdict: Verdict) -> "Outcome":
        accepted = verdict.final_decision == "accept"
        failed = () if accepted else tuple((c.name, c.reason) for c in verdict.checks if not c.passed)
        return cls(id=trace.id, termination=trace.termination, error=trace.error, accepted=accepted,
                   reasons=tuple(verdict.reasons), usage=dict(trace.usage),
                   facts=accepted_facts(trace) if accepted else None,
                   scenario_id=trace.episode.scenario_id, cell=trace.episode.tool or NO_TOOL,
                   failed_checks=failed, mistake=bool(trace.episode.mistake))

    @property
    def crashed(self) -> bool:
        return self.termination in CRASHED

    @property
    def cost_usd(self) -> float:
        """Spend; roles whose cost is unknown (no price for the model) count as 0."""
        return sum(u.cost_usd or 0.0 for u in self.usage.values())


@dataclass(slots=True)
class Played:
    """One episode, played and judged: what an executor hands back to the runner. The trace line
    stays the bytes pydantic encoded (`jsonl_bytes`): the runner writes it as it is."""

    outcome: Outcome
    trace_line: bytes
    verdict_line: str

    @classmethod
    def of(cls, trace: Trace, verdict: Verdict) -> "Played":
        return cls(Outcome.of(trace, verdict), jsonl_bytes(trace), verdict_line(verdict))
