"""From accepted traces to a dataset: exact and near dedupe, quota selection, leak-free splits, balance.

Curation never holds whole traces, nor their text. `Summaries` keeps, per accepted trace, its id,
small codes for tool / category / persona / language, 64-bit hashes of its normalised user
messages and of its calls (dedupe and the split's union-find only need equality), and its 128-byte
MinHash signature (the near-duplicate index and the leak groups read it in place): under 200 bytes
a trace, in arrays rather than per-trace objects. `TraceSummary` is the view of one row that the
selection functions take. All functions are deterministic: the same summaries (and seed) give the
same dataset, whatever order they arrive in.

`Curator` is the one path from accepted summaries to the chosen dataset. The runner asks it after
every round what is still short (so it plans again for cells that dedupe emptied) and the
publisher asks it once at the end; it keeps its near-duplicate index between calls, so each
round only links the traces that are new.

Hashes: 64-bit blake2b. Two different messages (or call lists) share one with probability 2⁻⁶⁴
per pair — for a million traces, about one chance in 10⁷ that dedupe or the split treats two
different ones as the same.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from array import array
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence, overload

from simulator.messages import AssistantMessage, UserMessage, strip_stop_token
from simulator.near_dup import (
    DEFAULT_THRESHOLD,
    LEAK_THRESHOLD,
    NearDupIndex,
    Signatures,
    similar_groups,
)
from simulator.plan import NO_TOOL, Targets
from simulator.records import Trace
from simulator.splits import split

__all__ = [
    "BalanceReport", "Curated", "Curator", "Summaries", "TraceSummary", "balance_report", "dedupe_exact",
    "normalize_message", "select_quota", "shortfall", "split", "summarize",
]

BALANCE_TOLERANCE = 0.3


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """What curation knows of one accepted trace (a row of `Summaries`)."""

    id: str
    tool: str | None
    category: str
    persona: str
    language: str
    user_key: tuple[int, ...]  # hashes of the normalised user messages, closing message excluded
    key: int  # hash of (user messages, calls): equal keys are exact duplicates
    multi_turn: bool
    row: int = -1  # its row in the `Summaries` it came from (its signature), -1 for none

    @property
    def n_turns(self) -> int:
        return len(self.user_key)


def normalize_message(text: str) -> str:
    """Identity of a user message for dedupe and leakage: width-, case- and spacing-insensitive."""
    return " ".join(unicodedata.normalize("NFKC", strip_stop_token(text)).casefold().split())


def _canonical_arguments(arguments: str) -> str:
    try:
        value = json.loads(arguments)
    except (ValueError, TypeError):
        return arguments
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash64(data: str | bytes) -> int:
    raw = data.encode() if isinstance(data, str) else data
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


def _exact_key(user_key: Sequence[int], calls: Sequence[tuple[str, str]]) -> int:
    """One hash of the normalised user messages and the (tool, canonical arguments) calls."""
    users = array("Q", user_key).tobytes()
    return _hash64(users + json.dumps(calls, ensure_ascii=False, separators=(",", ":")).encode())


def user_texts(trace: Trace) -> list[str]:
    """The normalised user messages curation compares. Those after the last assistant message
    (the closing "thanks ###STOP###") are left out: they are not exported, and shared closings
    like "thanks!" would otherwise tie unrelated conversations together."""
    last_assistant = max((i for i, m in enumerate(trace.messages) if isinstance(m, AssistantMessage)), default=-1)
    return [
        text
        for m in trace.messages[: last_assistant + 1]
        if isinstance(m, UserMessage) and (text := normalize_message(m.content))
    ]


def call_list(trace: Trace) -> list[tuple[str, str]]:
    """Every tool call as (name, canonical JSON arguments), in order."""
    return [
        (c.name, _canonical_arguments(c.arguments))
        for m in trace.messages
        if isinstance(m, AssistantMessage)
        for c in m.tool_calls
    ]


def summarize(trace: Trace) -> TraceSummary:
    """The summary of one trace on its own (no signature row; `Summaries.add_trace` stores one)."""
    users = tuple(_hash64(t) for t in user_texts(trace))
    ep = trace.episode
    return TraceSummary(id=trace.id, tool=ep.tool, category=ep.category, persona=ep.persona_id,
                        language=ep.language, user_key=users, key=_exact_key(users, call_list(trace)),
                        multi_turn=ep.multi_turn)


class _Names:
    """Small codes for the few distinct values of a column (tools, categories, personas, languages)."""

    __slots__ = ("codes", "values")

    def __init__(self) -> None:
        self.values: list[str | None] = []
        self.codes: dict[str | None, int] = {}

    def code(self, value: str | None) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.values)
            self.values.append(value)
        return code


class Summaries(Sequence[TraceSummary]):
    """The accepted traces' summaries, column by column (see the module docstring).

    `add_trace` summarises and signs a trace; `add` takes the facts directly (normalised user
    texts, calls). Indexing gives `TraceSummary` views; `ids` and `signatures` are the columns
    curation reads in place.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.signatures = Signatures()
        self._names = {field: _Names() for field in ("tool", "category", "persona", "language")}
        self._codes = {field: array("H") for field in self._names}
        self._multi = bytearray()
        self._users = array("Q")  # every row's message hashes, one after the other
        self._ends = array("Q")  # where each row's message hashes end in `_users`
        self._keys = array("Q")

    def add(self, id: str, *, tool: str | None, category: str, persona: str, language: str,
            users: Sequence[str], calls: Sequence[tuple[str, str]] = (), multi_turn: bool = False) -> int:
        """Store one summary from its normalised user texts and (name, canonical arguments) calls;
        return its row."""
        values = {"tool": tool, "category": category, "persona": persona, "language": language}
        for field, value in values.items():
            self._codes[field].append(self._names[field].code(value))
        hashes = [_hash64(t) for t in users]
        self._users.extend(hashes)
        self._ends.append(len(self._users))
        self._keys.append(_exact_key(hashes, list(calls)))
        self._multi.append(bool(multi_turn))
        self.signatures.add(users)
        self.ids.append(id)
        return len(self.ids) - 1

    def add_trace(self, trace: Trace) -> int:
        ep = trace.episode
        return self.add(trace.id, tool=ep.tool, category=ep.category, persona=ep.persona_id, language=ep.language,
                        users=user_texts(trace), calls=call_list(trace), multi_turn=ep.multi_turn)

    def __len__(self) -> int:
        return len(self.ids)

    def key(self, row: int) -> int:
        return self._keys[row]

    @overload
    def __getitem__(self, row: int) -> TraceSummary: ...
    @overload
    def __getitem__(self, row: slice) -> list[TraceSummary]: ...

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        start = self._ends[row - 1] if row else 0
        names, codes = self._names, self._codes
        return TraceSummary(
            id=self.ids[row],
            tool=names["tool"].values[codes["tool"][row]],  # type: ignore[arg-type]
            category=names["category"].values[codes["category"][row]],  # type: ignore[arg-type]
            persona=names["persona"].values[codes["persona"][row]],  # type: ignore[arg-type]
            language=names["language"].values[codes["language"][row]],  # type: ignore[arg-type]
            user_key=tuple(self._users[start:self._ends[row]]),
            key=self._keys[row],
            multi_turn=bool(self._multi[row]),
            row=row,
        )

    def __iter__(self) -> Iterator[TraceSummary]:
        return (self[i] for i in range(len(self)))


# ---------------------------------------------------------------- dedupe and quotas


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
