"""Leak-free, stratified train / validation / test splits of the curated summaries.

A model evaluated on a test example whose twin it trained on scores too well, so examples that
are "the same" must share a split. Two relations make examples the same here:
- they share a normalised user message (the same request, asked in two conversations);
- `links`: groups the caller found similar — curation passes the near-duplicate clusters at the
  lower leak threshold (`near_dup.similar_groups`), which catches the pairs the stricter dedupe
  kept on purpose and the few its LSH missed.
- `hold_out`: `template` (the default) also keeps every conversation opening with one hand-written
  seed together, so no test record shares its seed with a training record — a test of memory,
  not of generalisation, otherwise; `persona` keeps every conversation of one persona together
  (validation and test then speak with personas training never saw); `none` adds nothing.
All feed one union-find, so a group is the connected component of any relation (near O(n)).
Messages are compared by their 64-bit hashes (`TraceSummary.user_key`): the split never needs
the text.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from simulator.curate.summaries import TraceSummary


HOLD_OUTS = ("template", "persona", "none")


def _held_key(summary: "TraceSummary", hold_out: str) -> str:
    if hold_out == "template":
        return summary.template
    if hold_out == "persona":
        return summary.persona
    return ""


def _groups(summaries: Sequence["TraceSummary"], links: Iterable[Sequence[str]] = (),
            hold_out: str = "none") -> list[list[int]]:
    """Connected components of 'shares a normalised user message, a link group or the held-out key'."""
    parent = list(range(len(summaries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    owner: dict[int, int] = {}  # message hash -> first summary with it
    for i, s in enumerate(summaries):
        for message in s.user_key:
            j = owner.setdefault(message, i)
            if j != i:
                union(i, j)
    held: dict[str, int] = {}  # template or persona -> first summary with it
    for i, s in enumerate(summaries):
        key = _held_key(s, hold_out)
        if key:
            j = held.setdefault(key, i)
            if j != i:
                union(i, j)
    position = {s.id: i for i, s in enumerate(summaries)}
    for group in links:
        members = [position[key] for key in group if key in position]
        for j in members[1:]:
            union(members[0], j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(summaries)):
        groups[find(i)].append(i)
    return list(groups.values())


def _stratum(group: list[int], summaries: Sequence["TraceSummary"]) -> tuple[str, str]:
    if len(group) == 1:
        s = summaries[group[0]]
        return (s.tool or "", s.category)
    counts = Counter((summaries[i].tool or "", summaries[i].category) for i in group)
    return min(counts, key=lambda key: (-counts[key], key))


def _tiebreak(group: list[int], summaries: Sequence["TraceSummary"], seed: str) -> bytes:
    """A seeded, input-order-independent shuffle key for groups of equal size."""
    first = summaries[group[0]].id if len(group) == 1 else min(summaries[i].id for i in group)
    return hashlib.blake2b((seed + first).encode(), digest_size=8).digest()


def split(
    summaries: Sequence["TraceSummary"], ratios: Mapping[str, float], seed: int,
    *, links: Iterable[Sequence[str]] = (), hold_out: str = "none",
) -> dict[str, str]:
    """Assign every summary to a split, stratified by (tool, category), such that no normalised
    user message appears in two splits, every `links` group (ids) stays in one split, and (by
    `hold_out`) every seed template or persona stays in one split.

    Summaries sharing a user message or a link group form a group and move together. Per stratum
    (the group's majority tool × category), groups go largest first to the split furthest below
    its target in that stratum. When no split there is a whole example short — small strata
    cannot honour 80/10/10 on their own — the split furthest below its *global* target (among
    those still short in the stratum) wins, so many small strata still add up to the ratios.
    """
    if hold_out not in HOLD_OUTS:
        raise ValueError(f"hold_out must be one of {', '.join(HOLD_OUTS)}, not {hold_out!r}")
    names = [name for name, ratio in ratios.items() if ratio > 0]
    if not names:
        raise ValueError("split ratios must give at least one split a positive share")
    strata: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    for group in _groups(summaries, links, hold_out):
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
