"""From accepted traces to a dataset: exact dedupe, quota selection, leak-free splits, balance.

Everything here works on `TraceSummary`, a few hundred bytes per trace, never on whole traces, so
curating a million-trace run needs memory for the summaries only; the exporter streams the traces
afterwards. All functions are deterministic: the same summaries (and seed) give the same dataset.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from simulator.messages import AssistantMessage, UserMessage, strip_stop_token
from simulator.records import Trace

BALANCE_TOLERANCE = 0.3


@dataclass(frozen=True, slots=True)
class TraceSummary:
    id: str
    tool: str | None
    category: str
    persona: str
    language: str
    user_key: tuple[str, ...]  # normalised user messages, closing message excluded
    call_key: tuple[tuple[str, str], ...]  # (tool name, canonical JSON arguments)
    n_turns: int
    multi_turn: bool


def normalize_message(text: str) -> str:
    """Identity of a user message for dedupe and leakage: width-, case- and spacing-insensitive."""
    return " ".join(unicodedata.normalize("NFKC", strip_stop_token(text)).casefold().split())


def _canonical_arguments(arguments: str) -> str:
    try:
        value = json.loads(arguments)
    except (ValueError, TypeError):
        return arguments
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def summarize(trace: Trace) -> TraceSummary:
    """The few facts curation needs. User messages after the last assistant message (the closing
    "thanks ###STOP###") are left out: they are not exported, and shared closings like "thanks!"
    would otherwise tie unrelated conversations together."""
    last_assistant = max((i for i, m in enumerate(trace.messages) if isinstance(m, AssistantMessage)), default=-1)
    user_key = tuple(
        text
        for m in trace.messages[: last_assistant + 1]
        if isinstance(m, UserMessage) and (text := normalize_message(m.content))
    )
    call_key = tuple(
        (c.name, _canonical_arguments(c.arguments))
        for m in trace.messages
        if isinstance(m, AssistantMessage)
        for c in m.tool_calls
    )
    ep = trace.episode
    return TraceSummary(
        id=trace.id, tool=ep.tool, category=ep.category, persona=ep.persona_id, language=ep.language,
        user_key=user_key, call_key=call_key, n_turns=len(user_key), multi_turn=ep.multi_turn,
    )


# ---------------------------------------------------------------- dedupe and quotas


def dedupe_exact(summaries: Iterable[TraceSummary]) -> tuple[list[TraceSummary], int]:
    """Keep the first of every (user messages, calls) pair; return (kept, how many were removed)."""
    seen: set[tuple] = set()
    kept: list[TraceSummary] = []
    removed = 0
    for s in summaries:
        key = (s.user_key, s.call_key)
        if key in seen:
            removed += 1
        else:
            seen.add(key)
            kept.append(s)
    return kept, removed


def _interleave_categories(indexes: list[int], summaries: Sequence[TraceSummary]) -> list[int]:
    """Round-robin over categories (in first-seen order) so a partial quota keeps their mix."""
    by_category: dict[str, deque[int]] = {}
    for i in indexes:
        by_category.setdefault(summaries[i].category, deque()).append(i)
    order: list[int] = []
    queues = list(by_category.values())
    while queues:
        for queue in queues:
            order.append(queue.popleft())
        queues = [q for q in queues if q]
    return order


def select_quota(
    summaries: Sequence[TraceSummary], per_tool: Mapping[str, int], no_tool: int, min_multi_turn: int
) -> list[TraceSummary]:
    """Pick accepted summaries to meet the targets: up to `per_tool[tool]` per tool and `no_tool`
    without a tool. Multi-turn summaries are taken first, round-robin across tools, until
    `min_multi_turn` are chosen; the rest of each quota is filled in input order with categories
    interleaved. Tools without a target are not selected. Returns summaries in input order."""
    room: dict[str | None, int] = {tool: n for tool, n in per_tool.items() if n > 0}
    if no_tool > 0:
        room[None] = no_tool
    buckets: dict[str | None, list[int]] = defaultdict(list)
    for i, s in enumerate(summaries):
        if s.tool in room:
            buckets[s.tool].append(i)
    order = sorted(buckets, key=lambda t: (t is None, t or ""))
    chosen = [False] * len(summaries)

    multi = {t: deque(i for i in buckets[t] if summaries[i].multi_turn) for t in order}
    taken = 0
    progress = True
    while taken < min_multi_turn and progress:
        progress = False
        for tool in order:
            if taken >= min_multi_turn:
                break
            if room[tool] > 0 and multi[tool]:
                chosen[multi[tool].popleft()] = True
                room[tool] -= 1
                taken += 1
                progress = True

    for tool in order:
        rest = [i for i in buckets[tool] if not chosen[i]]
        for i in _interleave_categories(rest, summaries)[: room[tool]]:
            chosen[i] = True
    return [s for i, s in enumerate(summaries) if chosen[i]]


# ---------------------------------------------------------------- splits


def _user_message_groups(summaries: Sequence[TraceSummary]) -> list[list[int]]:
    """Connected components of 'shares a normalised user message' (union-find, near O(n))."""
    parent = list(range(len(summaries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, s in enumerate(summaries):
        for message in s.user_key:
            j = owner.setdefault(message, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(summaries)):
        groups[find(i)].append(i)
    return list(groups.values())


def _stratum(group: list[int], summaries: Sequence[TraceSummary]) -> tuple[str, str]:
    if len(group) == 1:
        s = summaries[group[0]]
        return (s.tool or "", s.category)
    counts = Counter((summaries[i].tool or "", summaries[i].category) for i in group)
    return min(counts, key=lambda key: (-counts[key], key))


def _tiebreak(group: list[int], summaries: Sequence[TraceSummary], seed: str) -> bytes:
    """A seeded, input-order-independent shuffle key for groups of equal size."""
    first = summaries[group[0]].id if len(group) == 1 else min(summaries[i].id for i in group)
    return hashlib.blake2b((seed + first).encode(), digest_size=8).digest()


def split(summaries: Sequence[TraceSummary], ratios: Mapping[str, float], seed: int) -> dict[str, str]:
    """Assign every summary to a split, stratified by (tool, category), such that no normalised
    user message appears in two splits.

    Summaries sharing a user message form a group (union-find) and move together. Per stratum
    (the group's majority tool × category), groups go largest first to the split furthest below
    its target in that stratum. When no split there is a whole example short — small strata
    cannot honour 80/10/10 on their own — the split furthest below its *global* target (among
    those still short in the stratum) wins, so many small strata still add up to the ratios.
    """
    names = [name for name, ratio in ratios.items() if ratio > 0]
    if not names:
        raise ValueError("split ratios must give at least one split a positive share")
    strata: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    for group in _user_message_groups(summaries):
        strata[_stratum(group, summaries)].append(group)

    assignment: dict[str, str] = {}
    shares = [ratios[n] for n in names]
    slots = range(len(names))
    global_counts = [0] * len(names)
    assigned = 0
    salt = f"{seed}:"
    for key in sorted(strata):
        groups = sorted(strata[key], key=lambda g: (-len(g), _tiebreak(g, summaries, salt)))
        total = sum(len(g) for g in groups)
        counts = [0] * len(names)
        for group in groups:
            size = len(group)
            local = [shares[k] * total - counts[k] for k in slots]
            globl = [shares[k] * (assigned + size) - global_counts[k] for k in slots]
            if max(local) >= 1:
                k = max(slots, key=lambda k: (local[k], globl[k]))
            else:
                short = [k for k in slots if local[k] > 0] or list(slots)
                k = max(short, key=lambda k: (globl[k], local[k]))
            counts[k] += size
            global_counts[k] += size
            assigned += size
            for i in group:
                assignment[summaries[i].id] = names[k]
    return assignment


# ---------------------------------------------------------------- balance


@dataclass(frozen=True)
class BalanceReport:
    counts: dict[str, int]
    mean: float
    within: dict[str, bool]  # tool -> count within ±tolerance of the mean
    tolerance: float = BALANCE_TOLERANCE

    @property
    def balanced(self) -> bool:
        return all(self.within.values())

    def as_dict(self) -> dict:
        return {"counts": self.counts, "mean": self.mean, "tolerance": self.tolerance,
                "within": self.within, "balanced": self.balanced}


def balance_report(
    summaries: Iterable[TraceSummary], tools: Iterable[str] = (), tolerance: float = BALANCE_TOLERANCE
) -> BalanceReport:
    """Per-tool counts (no-tool examples excluded) and whether each is within ±tolerance of the
    mean. `tools` lists tools that must appear even with no example (they then count as 0)."""
    counts = Counter(s.tool for s in summaries if s.tool is not None)
    for tool in tools:
        counts.setdefault(tool, 0)
    ordered = dict(sorted(counts.items()))
    mean = sum(ordered.values()) / len(ordered) if ordered else 0.0
    within = {tool: abs(n - mean) <= tolerance * mean for tool, n in ordered.items()}
    return BalanceReport(counts=ordered, mean=mean, within=within, tolerance=tolerance)
