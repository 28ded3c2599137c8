"""How often the three judges agree: rules, judge model, human.

Each comparison only counts the verdicts where both sides decided: the model where it ran (a
trace rejected by rules usually never reaches it), the human where they overrode. A low
agreement between the automatic decision and human overrides says the rubric or the rules need
work; between rules and model, that one layer sees defects the other misses.

Cohen's kappa is given next to the raw agreement because raw agreement flatters a judge when
almost everything is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

DECISIONS: tuple[str, str] = ("accept", "reject")


def rules_decision(verdict: dict[str, Any]) -> str:
    return "accept" if all(c.get("passed", True) for c in verdict.get("checks") or []) else "reject"


def model_decision(verdict: dict[str, Any]) -> str | None:
    """The judge model's decision; `unscored` counts as reject (it is never accepted)."""
    model = verdict.get("model") or {}
    status = model.get("status", "not_run")
    if status == "not_run":
        return None
    return "accept" if status == "scored" and model.get("passed") else "reject"


def automatic_decision(verdict: dict[str, Any]) -> str:
    return verdict["decision"]


def human_decision(verdict: dict[str, Any]) -> str | None:
    overrides = verdict.get("overrides") or []
    return overrides[-1]["decision"] if overrides else None


SOURCES: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "rules": rules_decision,
    "model": model_decision,
    "automatic": automatic_decision,
    "human": human_decision,
}
COMPARISONS: tuple[tuple[str, str], ...] = (
    ("rules", "model"), ("automatic", "human"), ("rules", "human"), ("model", "human"),
)


@dataclass
class Confusion:
    """A 2×2 table: rows are the first source's decision, columns the second's."""

    rows: str
    columns: str
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {r: {c: 0 for c in DECISIONS} for r in DECISIONS}
    )

    def add(self, row: str, column: str) -> None:
        self.counts[row][column] += 1

    @property
    def total(self) -> int:
        return sum(sum(r.values()) for r in self.counts.values())

    @property
    def agreement(self) -> float | None:
        n = self.total
        return sum(self.counts[d][d] for d in DECISIONS) / n if n else None

    @property
    def kappa(self) -> float | None:
        n = self.total
        if not n:
            return None
        observed = sum(self.counts[d][d] for d in DECISIONS) / n
        expected = sum(
            (sum(self.counts[d].values()) / n) * (sum(self.counts[r][d] for r in DECISIONS) / n) for d in DECISIONS
        )
        if expected >= 1.0:
            return None  # both sides always said the same single thing: kappa is undefined
        return (observed - expected) / (1.0 - expected)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": self.columns,
            "n": self.total,
            "matrix": self.counts,
            "agreement": _round(self.agreement),
            "kappa": _round(self.kappa),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def compute_agreement(verdicts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Counts per source and the confusion table of each comparison (plain-JSON verdicts)."""
    counts: dict[str, dict[str, int]] = {name: {d: 0 for d in DECISIONS} for name in (*SOURCES, "final")}
    model_status: dict[str, int] = {"not_run": 0, "scored": 0, "unscored": 0}
    tables = {pair: Confusion(*pair) for pair in COMPARISONS}
    total = overridden = 0
    for verdict in verdicts:
        total += 1
        decided = {name: source(verdict) for name, source in SOURCES.items()}
        status = (verdict.get("model") or {}).get("status", "not_run")
        model_status[status] = model_status.get(status, 0) + 1
        overridden += bool(verdict.get("overrides"))
        for name, decision in decided.items():
            if decision is not None:
                counts[name][decision] += 1
        counts["final"][decided["human"] or decided["automatic"]] += 1
        for (a, b), table in tables.items():
            if decided[a] is not None and decided[b] is not None:
                table.add(decided[a], decided[b])
    return {
        "verdicts": total,
        "overridden": overridden,
        "model_status": model_status,
        "decisions": counts,
        "comparisons": {f"{a}_vs_{b}": t.as_json() for (a, b), t in tables.items()},
    }
