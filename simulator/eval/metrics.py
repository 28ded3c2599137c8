"""From per-item scores to the figures a report shows: rates with Wilson 95 % intervals, the call /
no-call confusion matrix, per-group accuracy, and τ2-bench's pass^k.

A rate is `{"k": successes, "n": trials, "rate": k/n, "low": …, "high": …}` (rate and bounds None
when n is 0). The Wilson score interval is used rather than the normal one because eval sets are
small and rates sit near 0 or 1, where `p ± 1.96·√(p(1-p)/n)` leaves [0, 1] and says 100 % ± 0 for
10 out of 10. Every metric's denominator is written in `METRICS` and in the README.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Z95 = 1.959963984540054
GROUPS = ("tool", "category", "behaviour", "persona", "language", "kind")

# metric → what it measures, over which items (the README's table says the same)
METRICS: dict[str, str] = {
    "accuracy": "items answered right end to end / items scored",
    "call_accuracy": "call turns with the right tools and arguments / call turns",
    "parse_rate": "well-formed outputs / items scored",
    "decision_accuracy": "right call-or-not / well-formed items",
    "precision": "should call, called / called (well-formed)",
    "recall": "should call, called / should call (well-formed)",
    "tool_selection": "right tool multiset / turns where both the reference and the model called",
    "arguments": "every call passes the AST check / turns with the right tools",
    "exact_match": "arguments exactly the reference's / turns with the right tools",
    "argument_precision": "acceptable arguments / arguments given (turns with the right tools)",
    "argument_recall": "reference arguments given acceptably / reference arguments (turns with the right tools)",
    "clarification": "no call where the reference asks / clarifying turns (well-formed)",
    "hallucination": "items with any hallucination / well-formed items",
    "unknown_tool": "calls to a tool that does not exist / well-formed items that called",
    "schema_invalid": "arguments the schema rejects / well-formed items that called",
    "ungrounded_id": "an identifier nowhere in the conversation / well-formed items that called",
    "needless_call": "a call where none is needed / well-formed items that should not call",
}


def wilson(k: int, n: int, z: float = Z95) -> dict[str, Any]:
    """k successes in n trials with the Wilson score interval."""
    if n <= 0:
        return {"k": k, "n": n, "rate": None, "low": None, "high": None}
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return {"k": k, "n": n, "rate": p, "low": max(0.0, centre - half), "high": min(1.0, centre + half)}


def _count(scores: Iterable[Mapping[str, Any]], where: Callable[[Mapping[str, Any]], bool],
           success: Callable[[Mapping[str, Any]], bool]) -> dict[str, Any]:
    k = n = 0
    for s in scores:
        if where(s):
            n += 1
            k += bool(success(s))
    return wilson(k, n)


def turn_metrics(scores: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every metric of `METRICS` over the scores of the items scored (`Score.as_dict()`)."""
    parsed = [s for s in scores if s["parsed"]]
    tp = sum(1 for s in parsed if s["should_call"] and s["called"])
    fp = sum(1 for s in parsed if not s["should_call"] and s["called"])
    fn = sum(1 for s in parsed if s["should_call"] and not s["called"])
    tn = sum(1 for s in parsed if not s["should_call"] and not s["called"])
    precision, recall = wilson(tp, tp + fp), wilson(tp, tp + fn)
    p, r = precision["rate"], recall["rate"]
    f1 = None if p is None or r is None else (2 * p * r / (p + r) if p + r else 0.0)
    with_args = [s for s in scores if s["arguments"] is not None]
    given, right, expected, found = (sum(s["args"][i] for s in with_args) for i in range(4))

    def flagged(name: str) -> Callable[[Mapping[str, Any]], bool]:
        return lambda s: name in s["hallucinations"]

    return {
        "items": len(scores),
        "accuracy": _count(scores, lambda s: True, lambda s: s["correct"]),
        "call_accuracy": _count(scores, lambda s: s["should_call"], lambda s: s["correct"]),
        "parse_rate": _count(scores, lambda s: True, lambda s: s["parsed"]),
        "decision": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "decision_accuracy": wilson(tp + tn, len(parsed)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tool_selection": _count(scores, lambda s: s["tools"] is not None, lambda s: s["tools"]),
        "arguments": _count(with_args, lambda s: True, lambda s: s["arguments"]),
        "exact_match": _count(with_args, lambda s: True, lambda s: s["exact"]),
        "argument_precision": wilson(right, given),
        "argument_recall": wilson(found, expected),
        "clarification": _count(parsed, lambda s: s["clarify"], lambda s: not s["called"]),
        "hallucination": _count(parsed, lambda s: True, lambda s: bool(s["hallucinations"])),
        "unknown_tool": _count(parsed, lambda s: s["called"], flagged("unknown_tool")),
        "schema_invalid": _count(parsed, lambda s: s["called"], flagged("schema_invalid")),
        "ungrounded_id": _count(parsed, lambda s: s["called"], flagged("ungrounded_id")),
        "needless_call": _count(parsed, lambda s: not s["should_call"], flagged("needless_call")),
    }


def group_accuracy(items: Sequence[Mapping[str, Any]], groups: Sequence[str] = GROUPS) -> dict[str, dict[str, Any]]:
    """Per group (tool, category, behaviour, persona, language, kind) and value: the accuracy of
    its items. An item counts under every value it has (a turn calling two tools, a trace with two
    behaviours)."""
    out: dict[str, dict[str, Any]] = {}
    for group in groups:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for item in items:
            values = item["tags"].get(group) or []
            for value in values if isinstance(values, list) else [values]:
                counts[value][1] += 1
                counts[value][0] += bool(item["score"]["correct"])
        out[group] = {value: wilson(k, n) for value, (k, n) in sorted(counts.items())}
    return out


def pass_hat_k(trials: int, successes: int, k: int) -> float:
    """τ2-bench's pass^k of one task: the chance that k trials drawn from its n all succeed,
    C(c, k) / C(n, k)."""
    if trials < k:
        raise ValueError(f"{trials} trials is fewer than k={k}")
    return math.comb(successes, k) / math.comb(trials, k)


def pass_hat(tasks: Mapping[str, Sequence[bool]]) -> dict[int, float]:
    """pass^1 … pass^k, each the mean over tasks; k runs up to the fewest trials of any task
    (tasks with none — every trial an infrastructure failure — are left out)."""
    counted = {task: list(results) for task, results in tasks.items() if results}
    if not counted:
        return {}
    top = min(len(results) for results in counted.values())
    return {
        k: sum(pass_hat_k(len(r), sum(r), k) for r in counted.values()) / len(counted)
        for k in range(1, top + 1)
    }
