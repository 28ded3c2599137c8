"""`toolsim stats RUN`: what a run made, read back from its files.

Reads the JSONL files as plain JSON (no model validation) and keeps only counters, so it stays
fast and flat in memory on large runs.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.table import Table

from simulator.errors import InputError
from simulator.rundir import RunDir, iter_jsonl

SELECTION = "selection.json"


def resolve_run(name: str) -> RunDir:
    """A run directory given as a path or as a name under runs/."""
    for candidate in (Path(name), Path("runs") / name):
        if (candidate / "manifest.json").exists():
            return RunDir(candidate)
    raise InputError.single(name, "no run here (expected a directory with manifest.json, or a name under runs/)")


def _final_decision(verdict: dict[str, Any]) -> str:
    overrides = verdict.get("overrides") or []
    return overrides[-1]["decision"] if overrides else verdict["decision"]


def compute_stats(run: RunDir) -> dict[str, Any]:
    manifest = run.read_manifest() or {}
    selection_path = run.path / SELECTION
    selection: dict[str, str] = json.loads(selection_path.read_text()) if selection_path.exists() else {}
    decisions: dict[str, str] = {}
    reasons: Counter = Counter()
    for v in iter_jsonl(run.verdicts_path):
        decisions[v["trace_id"]] = _final_decision(v)
        if decisions[v["trace_id"]] == "reject":
            reasons.update(v.get("reasons") or ["override"])

    by: dict[str, Counter] = defaultdict(Counter)
    terminations: Counter = Counter()
    turns: list[int] = []
    usage: dict[str, Counter] = defaultdict(Counter)
    costs: dict[str, float | None] = {}
    episodes = 0
    for t in iter_jsonl(run.traces_path):
        episodes += 1
        terminations[t["termination"]] += 1
        for role, u in (t.get("usage") or {}).items():
            for key in ("calls", "input_tokens", "output_tokens", "cached_calls"):
                usage[role][key] += u.get(key, 0)
            cost = u.get("cost_usd")
            costs[role] = None if cost is None or costs.get(role, 0.0) is None else costs.get(role, 0.0) + cost
        split = selection.get(t["id"])
        if split is None:
            continue
        ep = t["episode"]
        by["tool"][ep["tool"] or "(none)"] += 1
        by["category"][ep["category"]] += 1
        by["persona"][ep["persona_id"]] += 1
        by["language"][ep["language"]] += 1
        by["split"][split] += 1
        turns.append(sum(1 for m in t["messages"] if m["role"] == "user"))

    accepted = sum(1 for d in decisions.values() if d == "accept")
    total_cost = None if any(c is None for c in costs.values()) else sum(c or 0.0 for c in costs.values())
    return {
        "run": str(run.path),
        "name": manifest.get("name"),
        "status": manifest.get("status"),
        "episodes": episodes,
        "accepted": accepted,
        "rejected": episodes - accepted,
        "rejected_by_reason": dict(reasons.most_common()),
        "terminations": dict(terminations),
        "dataset": {k: dict(sorted(v.items())) for k, v in by.items()},
        "dataset_size": len(selection),
        "turns_per_trace": {
            "mean": round(sum(turns) / len(turns), 2) if turns else 0,
            "max": max(turns, default=0),
        },
        "usage": {role: dict(c) | {"cost_usd": costs.get(role)} for role, c in usage.items()},
        "cost_usd": total_cost,
        "cost_per_accepted_example": (total_cost / accepted) if (total_cost is not None and accepted) else None,
    }


def _table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(title.split()[-1])
    table.add_column("count", justify="right")
    for key, n in counts.items():
        table.add_row(str(key), str(n))
    return table


def print_stats(run: RunDir, *, as_json: bool = False) -> None:
    from simulator.console import stdout

    stats = compute_stats(run)
    if as_json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    head = Table(title=f"toolsim stats — {stats['run']}", show_header=False, title_justify="left")
    for key in ("status", "episodes", "accepted", "rejected", "dataset_size"):
        head.add_row(key.replace("_", " "), str(stats[key]))
    head.add_row("turns per trace (mean / max)", f"{stats['turns_per_trace']['mean']} / {stats['turns_per_trace']['max']}")
    cost = stats["cost_usd"]
    head.add_row("cost (USD)", "unknown" if cost is None else f"{cost:.4f}")
    per = stats["cost_per_accepted_example"]
    head.add_row("cost per accepted example", "unknown" if per is None else f"{per:.6f}")
    stdout.print(head)
    for dim in ("tool", "category", "persona", "language", "split"):
        if stats["dataset"].get(dim):
            stdout.print(_table(f"dataset by {dim}", stats["dataset"][dim]))
    if stats["rejected_by_reason"]:
        stdout.print(_table("rejected by reason", stats["rejected_by_reason"]))
    if stats["usage"]:
        usage = Table(title="usage by role", title_justify="left")
        for col in ("role", "calls", "cached", "input tokens", "output tokens", "cost USD"):
            usage.add_column(col, justify="right" if col != "role" else "left")
        for role, u in stats["usage"].items():
            c = u.get("cost_usd")
            usage.add_row(role, str(u.get("calls", 0)), str(u.get("cached_calls", 0)), str(u.get("input_tokens", 0)),
                          str(u.get("output_tokens", 0)), "unknown" if c is None else f"{c:.4f}")
        stdout.print(usage)
