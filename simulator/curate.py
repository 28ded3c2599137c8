"""From accepted traces to a dataset: exact and near dedupe, quota selection, leak-free splits, balance.

Everything here works on `TraceSummary`, a few hundred bytes per trace, never on whole traces, so
curating a million-trace run needs memory for the summaries (and near-duplicate signatures) only;
the exporter streams the traces afterwards. All functions are deterministic: the same summaries
(and seed) give the same dataset, whatever order they arrive in.

`Curator` is the one path from accepted summaries to the chosen dataset. The runner asks it after
every round what is still short (so it plans again for cells that dedupe emptied) and the
publisher asks it once at the end; it keeps its near-duplicate index between calls, so each
round only indexes the traces that are new.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from simulator.messages import AssistantMessage, UserMessage, strip_stop_token
from simulator.near_dup import (
    DEFAULT_THRESHOLD,
    LEAK_THRESHOLD,
    NearDupIndex,
    similar_groups,
)
from simulator.plan import NO_TOOL, Targets
from simulator.records import Trace
from simulator.splits import split

__all__ = [
    "BalanceReport", "Curated", "Curator", "TraceSummary", "balance_report", "dedupe_exact", "normalize_message",
    "select_quota", "shortfall", "split", "summarize",
]

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
    summaries: Sequence[TraceSummary],
    per_tool: Mapping[str, int],
    no_tool: int,
    min_multi_turn: int,
    *,
    categories: Mapping[str, int] | None = None,
    languages: Mapping[str, int] | None = None,
) -> list[TraceSummary]:
    """Pick accepted summaries to meet the targets: up to `per_tool[tool]` per tool and `no_tool`
    without a tool. Tools without a target are not selected. Returns summaries in input order.

    1. multi-turn summaries, round-robin across tools, until `min_multi_turn` are chosen;
    2. round-robin across tools, each tool's summaries in input order with categories
       interleaved, taking a summary only while its category and language (where `categories` /
       `languages` give counts; others are unconstrained) still have room;
    3. tool quotas are hard: whatever room is left is filled ignoring categories and languages.
    A summary passed over in step 2 can never fit later (room only shrinks), so one pass is enough.
    """
    room: dict[str | None, int] = {tool: n for tool, n in per_tool.items() if n > 0}
    if no_tool > 0:
        room[None] = no_tool
    category_room = dict(categories or {})
    language_room = dict(languages or {})
    buckets: dict[str | None, list[int]] = defaultdict(list)
    for i, s in enumerate(summaries):
        if s.tool in room:
            buckets[s.tool].append(i)
    order = sorted(buckets, key=lambda t: (t is None, t or ""))
    chosen = [False] * len(summaries)

    def fits(s: TraceSummary) -> bool:
        return category_room.get(s.category, 1) > 0 and language_room.get(s.language, 1) > 0

    def take(i: int) -> None:
        s = summaries[i]
        chosen[i] = True
        room[s.tool] -= 1
        if s.category in category_room:
            category_room[s.category] -= 1
        if s.language in language_room:
            language_room[s.language] -= 1

    multi = {t: deque(i for i in buckets[t] if summaries[i].multi_turn) for t in order}
    taken = 0
    progress = True
    while taken < min_multi_turn and progress:
        progress = False
        for tool in order:
            while room[tool] > 0 and multi[tool] and not fits(summaries[multi[tool][0]]):
                multi[tool].popleft()  # left for step 3
            if taken < min_multi_turn and room[tool] > 0 and multi[tool]:
                take(multi[tool].popleft())
                taken += 1
                progress = True

    queues = {t: deque(_interleave_categories([i for i in buckets[t] if not chosen[i]], summaries)) for t in order}
    passed_over: dict[str | None, list[int]] = defaultdict(list)
    active = [t for t in order if queues[t]]
    while active:
        for tool in active:
            queue = queues[tool]
            while queue and room[tool] > 0:
                i = queue.popleft()
                if fits(summaries[i]):
                    take(i)
                    break
                passed_over[tool].append(i)
        active = [t for t in active if queues[t] and room[t] > 0]
    for tool in order:
        for i in passed_over[tool][: max(room[tool], 0)]:
            take(i)
    return [s for i, s in enumerate(summaries) if chosen[i]]


def shortfall(chosen: Iterable[TraceSummary], targets: Targets) -> dict[str, int]:
    """What the dataset lacks, by name: tool cells by their label (`(none)` for no tool),
    `category:<name>`, `language:<code>` and `multi-turn`."""
    cells: Counter = Counter()
    categories: Counter = Counter()
    languages: Counter = Counter()
    multi = 0
    for s in chosen:
        cells[s.tool or NO_TOOL] += 1
        categories[s.category] += 1
        languages[s.language] += 1
        multi += s.multi_turn
    short = {c: t - cells[c] for c, t in targets.cells.items() if cells[c] < t}
    short |= {f"category:{k}": t - categories[k] for k, t in targets.categories.items() if categories[k] < t}
    short |= {f"language:{k}": t - languages[k] for k, t in targets.languages.items() if languages[k] < t}
    if multi < targets.min_multi_turn:
        short["multi-turn"] = targets.min_multi_turn - multi
    return short


# ---------------------------------------------------------------- the pipeline


@dataclass
class Curated:
    """One curation pass: what survived dedupe, what the quotas chose, and what is missing."""

    kept: list[TraceSummary]  # after exact and near dedupe, in id order
    chosen: list[TraceSummary]  # the dataset, in id order
    exact_removed: int
    near_removed: int
    short: dict[str, int]

    def needs(self, targets: Targets) -> tuple[dict[str, int], int, dict[str, int], dict[str, int]]:
        """What the next round should plan: per tool cell, multi-turn, per category and per
        language (every constrained category / language, 0 when it is full)."""
        have_categories = Counter(s.category for s in self.chosen)
        have_languages = Counter(s.language for s in self.chosen)
        cells = {c: n for c, n in self.short.items() if c in targets.cells}
        return (
            cells,
            self.short.get("multi-turn", 0),
            {k: max(t - have_categories[k], 0) for k, t in targets.categories.items()},
            {k: max(t - have_languages[k], 0) for k, t in targets.languages.items()},
        )


class Curator:
    """Exact dedupe, near dedupe and quota selection over a growing list of accepted summaries.

    The near-duplicate index only ever grows: `curate` inserts the summaries it has not seen and
    reuses everything else, so calling it after every round costs the new traces only (plus an
    O(n) pass without any hashing)."""

    def __init__(self, targets: Targets, near_threshold: float | None = DEFAULT_THRESHOLD,
                 leak_threshold: float = LEAK_THRESHOLD) -> None:
        self.targets = targets
        self.index = NearDupIndex(near_threshold) if near_threshold is not None else None
        self.leak_threshold = leak_threshold

    def curate(self, accepted: Iterable[TraceSummary]) -> Curated:
        # Sorted by id: completion order varies with concurrency and resume, the dataset must not.
        ordered = sorted(accepted, key=lambda s: s.id)
        kept, exact_removed = dedupe_exact(ordered)
        near_removed = 0
        if self.index is not None:
            index = self.index
            for s in ordered:
                if s.id not in index:
                    index.add(s.id, s.user_key)
            before = len(kept)
            kept = [s for s in kept if index.is_representative(s.id)]
            near_removed = before - len(kept)
        t = self.targets
        per_tool = {c: n for c, n in t.cells.items() if c != NO_TOOL}
        chosen = select_quota(kept, per_tool, t.cells.get(NO_TOOL, 0), t.min_multi_turn,
                              categories=t.categories, languages=t.languages)
        return Curated(kept=kept, chosen=chosen, exact_removed=exact_removed, near_removed=near_removed,
                       short=shortfall(chosen, t))

    def leak_groups(self, chosen: Sequence[TraceSummary]) -> list[list[str]]:
        """Groups of chosen summaries similar enough (≥ the leak threshold) to share a split."""
        return similar_groups(((s.id, s.user_key) for s in chosen), self.leak_threshold, source=self.index)

    def split(self, chosen: Sequence[TraceSummary], ratios: Mapping[str, float], seed: int) -> dict[str, str]:
        return split(chosen, ratios, seed, links=self.leak_groups(chosen))


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
