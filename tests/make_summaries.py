"""Curation summaries for tests: one `TraceSummary` from a few facts, or a `Summaries` store of several."""

from __future__ import annotations

from simulator.curate.summaries import Summaries, TraceSummary


def summary(i: int, tool: str | None = "refund", category: str = "positive", users=None, calls=(), multi=False,
            language: str = "en", into: Summaries | None = None) -> TraceSummary:
    """A summary from (normalised) user texts, stored in `into` (or a store of its own)."""
    users = list(users) if users is not None else [f"message {i}: {'xyzw'[i % 4] * (i % 7)} {i * 7919}"]
    store = into if into is not None else Summaries()
    row = store.add(f"t{i:05d}", tool=tool, category=category, persona="p", language=language, users=users,
                    calls=list(calls), multi_turn=multi)
    return store[row]


def store_of(*specs: dict) -> Summaries:
    store = Summaries()
    for spec in specs:
        summary(**spec, into=store)
    return store
