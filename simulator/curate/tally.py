"""A running count of accepted examples per tool cell, category, language and multi-turn, kept
one summary at a time: what curation *could* choose, at O(1) per trace.

Curation proper (`curator.py`) sorts, dedupes exactly and nearly, and selects within quotas: O(n)
per pass, fine once per planning round, too much after every few finished episodes. A `Tally`
counts each distinct (user messages, calls) key once and nothing else, so it never counts fewer
examples than curation will choose: a shortfall computed from it is at most the true one. The
runner plans refills from it while episodes are still in flight (a refill can then only be too
small, never too large, and the next full curation tops it up).
"""

from __future__ import annotations

from collections import Counter

from simulator.core.names import NO_TOOL
from simulator.curate.summaries import TraceSummary
from simulator.plan.targets import Targets


class Tally:
    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self.cells: Counter = Counter()
        self.categories: Counter = Counter()
        self.languages: Counter = Counter()
        self.multi_turn = 0
        self._keys: set[int] = set()

    def add(self, summary: TraceSummary) -> None:
        """Count an accepted trace's summary, unless an exact duplicate was counted before."""
        if summary.key in self._keys:
            return
        self._keys.add(summary.key)
        self.cells[summary.tool or NO_TOOL] += 1
        self.categories[summary.category] += 1
        self.languages[summary.language] += 1
        self.multi_turn += summary.multi_turn

    def short(self) -> int:
        """How many examples the targets still miss by this count (cells, categories, languages
        and multi-turn added up, as `quotas.shortfall` names them)."""
        t = self.targets
        return (
            sum(max(n - self.cells[c], 0) for c, n in t.cells.items())
            + sum(max(n - self.categories[k], 0) for k, n in t.categories.items())
            + sum(max(n - self.languages[k], 0) for k, n in t.languages.items())
            + max(t.min_multi_turn - self.multi_turn, 0)
        )

    def needs(self, pending: "Pending") -> tuple[dict[str, int], int, dict[str, int], dict[str, int]]:
        """What to plan now, in the shape of `Curated.needs`: each target minus what is counted
        and minus what is planned and not yet counted (`pending`, as if all of it will be kept)."""
        t = self.targets
        cells = {c: n - self.cells[c] - pending.cells[c] for c, n in t.cells.items()}
        return (
            {c: n for c, n in cells.items() if n > 0},
            max(t.min_multi_turn - self.multi_turn - pending.multi_turn, 0),
            {k: max(n - self.categories[k] - pending.categories[k], 0) for k, n in t.categories.items()},
            {k: max(n - self.languages[k] - pending.languages[k], 0) for k, n in t.languages.items()},
        )


class Pending:
    """Planned picks (first samples) whose results are not counted yet, by cell, category,
    language and multi-turn."""

    def __init__(self) -> None:
        self.cells: Counter = Counter()
        self.categories: Counter = Counter()
        self.languages: Counter = Counter()
        self.multi_turn = 0

    def change(self, tool: str | None, category: str, language: str, multi_turn: bool, by: int) -> None:
        self.cells[tool or NO_TOOL] += by
        self.categories[category] += by
        self.languages[language] += by
        self.multi_turn += by * multi_turn
