"""From accepted traces to a dataset: exact and near dedupe, then quota selection, then leak-free splits.

`Curator` is the one path from accepted summaries (`summaries.py`) to the chosen dataset. The
runner asks it after every round what is still short (so it plans again for cells that dedupe
emptied) and the publisher asks it once at the end; it keeps its near-duplicate index between
calls, so each round only links the traces that are new. Selection (`quotas.py`) and splitting
(`splits.py`) see the summaries in id order, so the same summaries (and seed) give the same
dataset whatever order they arrive in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from simulator.core.names import NO_TOOL
from simulator.curate.near_dup import (
    DEFAULT_THRESHOLD,
    LEAK_THRESHOLD,
    NearDupIndex,
    similar_groups,
)
from simulator.curate.quotas import select_quota, shortfall
from simulator.curate.splits import split
from simulator.curate.summaries import Summaries, TraceSummary
from simulator.plan.targets import Targets


def dedupe_exact(summaries: Iterable[TraceSummary]) -> tuple[list[TraceSummary], int]:
    """Keep the first of every (user messages, calls) pair; return (kept, how many were removed)."""
    seen: set[int] = set()
    kept: list[TraceSummary] = []
    removed = 0
    for s in summaries:
        if s.key in seen:
            removed += 1
        else:
            seen.add(s.key)
            kept.append(s)
    return kept, removed


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
    """Exact dedupe, near dedupe and quota selection over a growing `Summaries`.

    The near-duplicate index reads the summaries' signatures in place and only ever grows:
    `curate` adds the rows it has not seen and links them, so calling it after every round costs
    the new traces only (plus an O(n) pass without any hashing). One curator serves one
    `Summaries` (the run's)."""

    def __init__(self, targets: Targets, near_threshold: float | None = DEFAULT_THRESHOLD,
                 leak_threshold: float = LEAK_THRESHOLD) -> None:
        self.targets = targets
        self.index = NearDupIndex(near_threshold) if near_threshold is not None else None
        self.leak_threshold = leak_threshold
        self.summaries: Summaries | None = None

    def _bind(self, summaries: Summaries) -> None:
        if self.summaries is None:
            self.summaries = summaries
            if self.index is not None:
                self.index.attach(summaries.signatures)
        elif self.summaries is not summaries:
            raise ValueError("a curator curates one Summaries; make a new Curator for another")

    def curate(self, accepted: Summaries) -> Curated:
        self._bind(accepted)
        # Sorted by id: completion order varies with concurrency and resume, the dataset must not.
        order = sorted(range(len(accepted)), key=accepted.ids.__getitem__)
        seen: set[int] = set()
        kept_rows: list[int] = []
        for row in order:
            key = accepted.key(row)
            if key not in seen:
                seen.add(key)
                kept_rows.append(row)
        del seen
        exact_removed = len(order) - len(kept_rows)
        near_removed = 0
        if self.index is not None:
            index = self.index
            for row in range(len(index), len(accepted)):  # rows arrive in order: position == row
                index.add(accepted.ids[row], row=row)
            representative = index.representatives()
            before = len(kept_rows)
            kept_rows = [row for row in kept_rows if representative[row]]
            near_removed = before - len(kept_rows)
        kept = [accepted[row] for row in kept_rows]
        t = self.targets
        per_tool = {c: n for c, n in t.cells.items() if c != NO_TOOL}
        chosen = select_quota(kept, per_tool, t.cells.get(NO_TOOL, 0), t.min_multi_turn,
                              categories=t.categories, languages=t.languages)
        return Curated(kept=kept, chosen=chosen, exact_removed=exact_removed, near_removed=near_removed,
                       short=shortfall(chosen, t))

    def leak_groups(self, chosen: Sequence[TraceSummary]) -> list[list[str]]:
        """Groups of chosen summaries similar enough (≥ the leak threshold) to share a split."""
        if self.summaries is None:
            raise RuntimeError("curate the summaries before splitting them")
        must_catch = self.index.threshold if self.index is not None else DEFAULT_THRESHOLD
        return similar_groups(((s.id, s.row) for s in chosen), self.leak_threshold,
                              signatures=self.summaries.signatures, must_catch=must_catch)

    def split(self, chosen: Sequence[TraceSummary], ratios: Mapping[str, float], seed: int,
              hold_out: str = "none") -> dict[str, str]:
        return split(chosen, ratios, seed, links=self.leak_groups(chosen), hold_out=hold_out)
