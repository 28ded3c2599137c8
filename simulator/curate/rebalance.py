"""Step 4 of quota selection: repair a category or language share the greedy fill left short.

Tool quotas are hard, so the greedy selection (`quotas.select_quota`) fills a tool's last places
with whatever it has — and a category can end one short while another is one over, with no
single tool able to trade one for the other. That is a transportation problem: the repair is an
augmenting path. From a kind that is over its count to one that is short, through kinds that
are exactly full, each step is a swap inside one tool (out: a chosen summary of the step's first
kind; in: an unchosen one of its second, same language when rebalancing categories and same
category when rebalancing languages), so every tool keeps its count and only the two ends move.
Breadth-first over kinds (six categories, two languages), first swap in input order, so the
result is still a pure function of the summaries in the order given.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Callable, Mapping, Sequence

from simulator.curate.summaries import TraceSummary

MAX_REPAIRS = 64


def rebalance(summaries: Sequence[TraceSummary], chosen: list[bool], categories: Mapping[str, int],
              languages: Mapping[str, int], min_multi_turn: int) -> None:
    """Move `chosen` toward the category, then the language counts (in place)."""
    if categories:
        _repair(summaries, chosen, lambda s: s.category, lambda s: s.language, categories, min_multi_turn)
    if languages:
        _repair(summaries, chosen, lambda s: s.language, lambda s: s.category, languages, min_multi_turn)


Swap = tuple[int, int]  # (index in, index out)


def _repair(summaries: Sequence[TraceSummary], chosen: list[bool], kind: Callable[[TraceSummary], str],
            keep: Callable[[TraceSummary], str], targets: Mapping[str, int], min_multi_turn: int) -> None:
    for _ in range(MAX_REPAIRS):
        counts = Counter(kind(s) for i, s in enumerate(summaries) if chosen[i])
        multi = sum(1 for i, s in enumerate(summaries) if chosen[i] and s.multi_turn)
        short = {k for k, n in targets.items() if counts[k] < n}
        over = {k for k in counts if k not in targets or counts[k] > targets[k]}
        if not short or not over:
            return
        path = _path(summaries, chosen, kind, keep, over, short)
        if path is None:
            return
        change = sum(summaries[i].multi_turn - summaries[o].multi_turn for i, o in path)
        if change < 0 and multi + change < min(min_multi_turn, multi):
            return  # the only repair would break the multi-turn minimum
        for index_in, index_out in path:
            chosen[index_in], chosen[index_out] = True, False


def _path(summaries: Sequence[TraceSummary], chosen: list[bool], kind: Callable[[TraceSummary], str],
          keep: Callable[[TraceSummary], str], over: set[str], short: set[str]) -> list[Swap] | None:
    """Swaps from an over kind to a short one (breadth-first over kinds), or None."""
    swaps: dict[tuple[str, str], Swap] = {}  # (kind out, kind in) -> the first swap doing it
    by_tool: dict[object, tuple[list[int], list[int]]] = {}
    for i, s in enumerate(summaries):
        by_tool.setdefault(s.tool, ([], []))[0 if chosen[i] else 1].append(i)
    for ins, outs in ((u, c) for c, u in by_tool.values()):
        for index_out in outs:
            for index_in in ins:
                a, b = summaries[index_out], summaries[index_in]
                edge = (kind(a), kind(b))
                if edge[0] != edge[1] and keep(a) == keep(b) and edge not in swaps:
                    swaps[edge] = (index_in, index_out)
    came: dict[str, tuple[str, Swap] | None] = {k: None for k in sorted(over)}
    queue = deque(sorted(over))
    while queue:
        here = queue.popleft()
        if here in short:
            path: list[Swap] = []
            while came[here] is not None:
                before, swap = came[here]  # type: ignore[misc]
                path.append(swap)
                here = before
            return path
        for (source, target), swap in sorted(swaps.items()):
            if source == here and target not in came:
                came[target] = (here, swap)
                queue.append(target)
    return None
