"""`toolsim stats RUN`: what a run made, read back from its files.

Reads the JSONL files as plain JSON (no model validation) and keeps only counters, so it stays
fast and flat in memory on large runs (the one set that grows with the data holds 64-bit hashes
of distinct bigrams). `compute_stats` is the machine-readable result (`--json`, the HTML
report); `print_stats` draws it in the terminal with bar charts.

What the dataset statistics mean:
- turns per trace: user turns as exported (the closing "thanks" after the last answer is not);
- argument coverage: per tool, the share of its calls that pass each optional parameter — a
  parameter that never appears teaches a model to never use it;
- distinct-2: distinct bigrams / all bigrams over the user turns (words; characters for Chinese,
  which has no spaces), per language and overall — low values mean templated, repetitive users;
- unique first messages: distinct opening user messages / conversations (after normalisation),
  and the share of conversations whose opening nobody else used.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from typing import Any

from simulator.core.names import NO_TOOL, SPLITS
from simulator.core.rundir import RunDir, iter_jsonl
from simulator.curate.summaries import normalize_message


def _final_decision(verdict: dict[str, Any]) -> str:
    overrides = verdict.get("overrides") or []
    return overrides[-1]["decision"] if overrides else verdict["decision"]


def exported_user_turns(messages: list[dict[str, Any]]) -> list[str]:
    """User messages up to the last assistant message (what the dataset record keeps)."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=-1)
    return [m.get("content") or "" for m in messages[: last + 1] if m["role"] == "user"]


def _bigrams(text: str, language: str) -> list[str]:
    norm = normalize_message(text)
    units = [c for c in norm if not c.isspace()] if language == "zh" else norm.split()
    return [units[i] + "\x1f" + units[i + 1] for i in range(len(units) - 1)]


class _Diversity:
    """distinct-2 per language and overall, and unique first user messages."""

    def __init__(self) -> None:
        self.distinct: dict[str, set[int]] = defaultdict(set)
        self.total: Counter = Counter()
        self.first: Counter = Counter()
        self.traces = 0

    def add(self, turns: list[str], language: str) -> None:
        self.traces += 1
        if turns:
            self.first[normalize_message(turns[0])] += 1
        for turn in turns:
            grams = _bigrams(turn, language)
            self.total[language] += len(grams)
            self.distinct[language].update(hash(g) for g in grams)

    def result(self) -> dict[str, Any]:
        per_language = {lang: round(len(self.distinct[lang]) / n, 4) for lang, n in sorted(self.total.items()) if n}
        all_distinct = len(set().union(*self.distinct.values())) if self.distinct else 0
        total = sum(self.total.values())
        seen_once = sum(1 for n in self.first.values() if n == 1)
        return {
            "distinct_2": round(all_distinct / total, 4) if total else 0.0,
            "distinct_2_by_language": per_language,
            # distinct opening messages / conversations, and the share of openings nobody else used
            "unique_first_user_messages": round(len(self.first) / self.traces, 4) if self.traces else 0.0,
            "first_user_messages_seen_once": round(seen_once / self.traces, 4) if self.traces else 0.0,
        }


class _Coverage:
    """Per tool: calls, and how many of them pass each parameter."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()
        self.present: dict[str, Counter] = defaultdict(Counter)

    def add(self, messages: list[dict[str, Any]]) -> None:
        for m in messages:
            for call in m.get("tool_calls") or ():
                name = call.get("name") or (call.get("function") or {}).get("name")
                raw = call.get("arguments", (call.get("function") or {}).get("arguments"))
                try:
                    args = json.loads(raw) if isinstance(raw, str) else (raw or {})
                except ValueError:
                    args = {}
                self.calls[name] += 1
                self.present[name].update(args.keys() if isinstance(args, dict) else ())

    def result(self, specs: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """`{tool: {"calls": n, "optional": {param: share}, "required": [...]}}`; without a
        spec for a tool, every parameter seen is listed as optional."""
        out: dict[str, Any] = {}
        for tool in sorted(set(self.calls) | set(specs)):
            params = specs.get(tool, {})
            required = list(params.get("required", [])) if params else []
            names = list((params.get("properties") or {}).keys()) if params else sorted(self.present[tool])
            calls = self.calls[tool]
            out[tool] = {
                "calls": calls,
                "required": required,
                "optional": {p: round(self.present[tool][p] / calls, 4) if calls else 0.0
                             for p in names if p not in required},
            }
        return out


def _tool_specs(run: RunDir) -> dict[str, dict[str, Any]]:
    """Tool name -> JSON-Schema parameters, from the first dataset record that lists tools."""
    for split in SPLITS:
        for record in iter_jsonl(run.dataset_dir / f"{split}.jsonl"):
            tools = record.get("tools") or []
            return {t["function"]["name"]: t["function"].get("parameters") or {} for t in tools if "function" in t}
    return {}


def _ordered(dimension: str, counts: Counter) -> dict[str, int]:
    if dimension == "split":
        return {s: counts[s] for s in SPLITS if s in counts} | dict(sorted(
            (k, n) for k, n in counts.items() if k not in SPLITS))
    return dict(sorted(counts.items()))


def _turn_summary(turns: list[int]) -> dict[str, Any]:
    return {
        "mean": round(sum(turns) / len(turns), 2) if turns else 0,
        "median": statistics.median(turns) if turns else 0,
        "max": max(turns, default=0),
        "histogram": {str(k): v for k, v in sorted(Counter(turns).items())},
    }


def compute_stats(run: RunDir) -> dict[str, Any]:
    """Everything `toolsim stats` shows, as plain JSON-ready values (the HTML report uses it too)."""
    manifest = run.read_manifest() or {}
    selection = run.read_selection()
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
    diversity, coverage = _Diversity(), _Coverage()
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
        by["tool"][ep["tool"] or NO_TOOL] += 1
        by["category"][ep["category"]] += 1
        by["persona"][ep["persona_id"]] += 1
        by["language"][ep["language"]] += 1
        by["split"][split] += 1
        user_turns = exported_user_turns(t["messages"])
        turns.append(len(user_turns))
        diversity.add(user_turns, ep["language"])
        coverage.add(t["messages"])

    accepted = sum(1 for d in decisions.values() if d == "accept")
    total_cost = None if any(c is None for c in costs.values()) else sum(c or 0.0 for c in costs.values())
    counts = manifest.get("counts") or {}
    return {
        "run": str(run.path),
        "name": manifest.get("name"),
        "status": manifest.get("status"),
        "episodes": episodes,
        "accepted": accepted,
        "rejected": episodes - accepted,
        "rejected_by_reason": dict(reasons.most_common()),
        "duplicates_removed": {"exact": counts.get("duplicates_removed", 0),
                               "near": counts.get("near_duplicates_removed", 0)},
        "short_of_target": counts.get("short") or {},
        "balance": counts.get("balance") or {},
        "terminations": dict(terminations),
        "dataset": {k: _ordered(k, v) for k, v in by.items()},
        "dataset_size": len(selection),
        "turns_per_trace": _turn_summary(turns),
        "argument_coverage": coverage.result(_tool_specs(run)),
        "diversity": diversity.result(),
        "usage": {role: dict(c) | {"cost_usd": costs.get(role)} for role, c in usage.items()},
        "cost_usd": total_cost,
        "cost_per_accepted_example": (total_cost / accepted) if (total_cost is not None and accepted) else None,
    }


def compute_quality(run: RunDir) -> dict[str, Any]:
    """The quality report of a run's published records (`toolsim stats RUN --quality`)."""
    from simulator.export.quality import quality_report
    from simulator.spec.snapshot import read_snapshot

    return quality_report(run, read_snapshot(run))
