"""Verdicts joined with their episodes, and the filters `toolsim audit` applies to them.

Reads the JSONL files as plain JSON (no model validation): listing and filtering need a few keys
per record, and a large run should list in well under a second. The final decision honours human
overrides, so what the audit shows is what export will do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from simulator.core.names import NO_TOOL
from simulator.core.rundir import RunDir, iter_jsonl

OVERRIDE_REASON = "override"  # the reason of a rejection a human made without any failed check


@dataclass(frozen=True)
class AuditRow:
    """One verdict as the audit lists it."""

    trace_id: str
    decision: str  # final: the last human override, else the judge's
    judge_decision: str
    overridden: bool
    reasons: tuple[str, ...]
    scenario: str
    persona: str
    tool: str
    category: str
    model_status: str = "not_run"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        return data


def final_decision(verdict: dict[str, Any]) -> str:
    overrides = verdict.get("overrides") or []
    return overrides[-1]["decision"] if overrides else verdict["decision"]


def failed_reasons(verdict: dict[str, Any]) -> list[str]:
    """Names of failed rule checks and judge criteria, in the judge's order.

    `reasons` is what the judge recorded; failed checks missing from it are added so an older or
    hand-edited verdict still lists every failure. A human rejection with nothing failed gets
    the reason `override`, so `--reason override` finds those.
    """
    reasons = list(verdict.get("reasons") or [])
    for check in verdict.get("checks") or []:
        if not check.get("passed", True) and check.get("name") not in reasons:
            reasons.append(check["name"])
    if not reasons and final_decision(verdict) == "reject":
        reasons.append(OVERRIDE_REASON)
    return reasons


def latest_verdicts(run: RunDir) -> dict[str, dict[str, Any]]:
    """trace id -> verdict; a later line for the same trace wins (as everywhere else)."""
    return {v["trace_id"]: v for v in iter_jsonl(run.verdicts_path)}


def episodes_by_trace(run: RunDir) -> dict[str, dict[str, Any]]:
    return {t["id"]: t.get("episode") or {} for t in iter_jsonl(run.traces_path)}


def make_row(verdict: dict[str, Any], episode: dict[str, Any]) -> AuditRow:
    return AuditRow(
        trace_id=verdict["trace_id"],
        decision=final_decision(verdict),
        judge_decision=verdict["decision"],
        overridden=bool(verdict.get("overrides")),
        reasons=tuple(failed_reasons(verdict)),
        scenario=episode.get("scenario_id", "?"),
        persona=episode.get("persona_id", "?"),
        tool=episode.get("tool") or NO_TOOL,
        category=episode.get("category", "?"),
        model_status=(verdict.get("model") or {}).get("status", "not_run"),
    )


def load_rows(run: RunDir) -> list[AuditRow]:
    """Every verdict of the run, in file order, joined with its trace's episode."""
    episodes = episodes_by_trace(run)
    return [make_row(v, episodes.get(tid, {})) for tid, v in latest_verdicts(run).items()]


@dataclass
class AuditFilters:
    """What `toolsim audit RUN` narrows the list to. Empty fields match everything."""

    decision: str | None = None
    reason: str | None = None
    scenario: str | None = None
    persona: str | None = None
    tool: str | None = None
    category: str | None = None
    limit: int | None = None

    def matches(self, row: AuditRow) -> bool:
        if self.decision and row.decision != self.decision:
            return False
        if self.reason and self.reason not in row.reasons:
            return False
        if self.tool and row.tool != self.tool and not (self.tool in ("none", "") and row.tool == NO_TOOL):
            return False
        return all(
            wanted is None or getattr(row, name) == wanted
            for name, wanted in (("scenario", self.scenario), ("persona", self.persona), ("category", self.category))
        )

    def apply(self, rows: Iterable[AuditRow]) -> list[AuditRow]:
        picked: list[AuditRow] = []
        for row in rows:
            if self.limit is not None and len(picked) >= self.limit:
                break
            if self.matches(row):
                picked.append(row)
        return picked


def known_values(rows: Iterable[AuditRow]) -> dict[str, set[str]]:
    """Values present in the run per filter, to tell a user what a typo could have meant."""
    values: dict[str, set[str]] = {k: set() for k in ("reason", "scenario", "persona", "tool", "category")}
    for row in rows:
        values["reason"].update(row.reasons)
        for key in ("scenario", "persona", "tool", "category"):
            values[key].add(getattr(row, key))
    return values
