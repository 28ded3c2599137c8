"""Which deduplicated summaries make the dataset, what it still lacks, and how even its tools are.

`select_quota` fills the per-tool (and no-tool) quotas, multi-turn first, within the category and
language counts; `shortfall` names every cell the choice leaves short (the runner plans further
rounds for those); `balance_report` checks each tool against the mean for the dataset card. All
are pure functions of the summaries in the order given: the same input, the same dataset.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from simulator.core.names import NO_TOOL
from simulator.curate.rebalance import rebalance
from simulator.curate.summaries import TraceSummary
from simulator.plan.targets import Targets

BALANCE_TOLERANCE = 0.3


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
    3. tool quotas are hard: whatever room is left is filled ignoring categories and languages;
    4. a share that step 3 left short is repaired by swaps within tools (`rebalance.py`).
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
    rebalance(summaries, chosen, categories or {}, languages or {}, min_multi_turn)
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
