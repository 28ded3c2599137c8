"""Near-duplicate clusters of traces: banded candidates over MinHash signatures, union-find.

Traces form clusters: the connected components of "estimated Jaccard similarity ≥ threshold"
(signatures and the estimate: `minhash.py`). Components do not depend on the order traces arrive
in, so the runner (completion order, several rounds, resumes) and the publisher (id order, once)
agree on which trace survives — the smallest key of each cluster — and the runner keeps one index
across rounds. Banding (LSH, layouts in `band_layout.py`) only proposes candidates: two items are
compared when all `rows` values of one of the `bands` agree, and every candidate is confirmed on
the 128 values, so pairs that merely share a band are not merged. The band layout leans towards
recall (`RECALL_WEIGHTS`) because confirming is cheap.

Linking is batched: `add` only records an item; the next read (`is_representative`, `clusters`,
…) links everything added since. Per band, every item's band values are hashed to a 64-bit key
and sorted, and each new item is compared with the earlier items holding its key — pairs already
in one cluster are skipped. Items with identical signatures are joined directly and only the
first takes part in banding, so a message repeated a thousand times costs a thousand comparisons,
not half a million.

Memory: the signatures (a `minhash.Signatures` column — the curation store's, for the runner, so
the index copies nothing) plus about 100 bytes of keys and union-find per item. Band keys exist
only while linking, a band at a time, and candidate pairs are expanded and compared in bounded
batches, so linking 10,000 traces needs ~1 MiB besides.

This replaces datasketch's `MinHashLSH` (a Python set per band bucket: ~5 KB a trace, and scipy
imported for its layout optimiser, ~40 MiB); `optimal_bands` picks the layouts it picked.
"""

from __future__ import annotations

from array import array
from typing import Hashable, Iterable, Sequence

import numpy as np

from simulator.curate.band_layout import leak_bands, optimal_bands
from simulator.curate.minhash import NUM_PERM, Signatures, min_equal

DEFAULT_THRESHOLD = 0.8
LEAK_THRESHOLD = 0.5
RECALL_WEIGHTS = (0.05, 0.95)  # (false positive, false negative) weights: 16 bands of 8, recall 95 % at J = 0.8

_PAIRS = 1 << 13  # candidate pairs expanded at once
_COMPARE = 1024  # candidate pairs compared at once (2 × 1024 × 128 B)


class NearDupIndex:
    """An incremental near-duplicate clustering of keyed texts.

    `add` records one item (its key and normalised user messages, or a row of a shared
    `Signatures`); `is_representative(key)` is True for the smallest key of each cluster — the
    one curation keeps. Keys must be comparable (trace ids are strings); adding a key again is a
    no-op. With `signatures` given, the index reads that column and items are added by row;
    otherwise it signs messages into a column of its own.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, *, signatures: Signatures | None = None,
                 weights: tuple[float, float] = RECALL_WEIGHTS, bands: tuple[int, int] | None = None) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.bands = bands or optimal_bands(threshold, weights)
        if self.bands[0] * self.bands[1] > NUM_PERM:
            raise ValueError(f"{self.bands[0]} bands of {self.bands[1]} rows need more than {NUM_PERM} values")
        self.signatures = signatures if signatures is not None else Signatures()
        self._shared = signatures is not None
        self._min_equal = min_equal(threshold)
        self._position: dict[Hashable, int] = {}
        self._keys: list[Hashable] = []
        self._rows = array("q")  # position -> signature row
        self._parent = array("q")
        self._smallest = array("q")  # per root: the position of its cluster's smallest key
        self._linked = 0  # positions below this have been compared with each other
        self.links = 0  # confirmed pairs that joined two clusters

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._position

    def attach(self, signatures: Signatures) -> None:
        """Read rows of `signatures` from now on (only while the index is empty)."""
        if self._keys:
            raise RuntimeError("an index can only change its signatures while it is empty")
        self.signatures, self._shared = signatures, True

    def add(self, key: Hashable, messages: Iterable[str] = (), signature_values: np.ndarray | None = None,
            *, row: int | None = None) -> int:
        """Record one item and return its position. Give its messages, its signature values, or
        (for an index over shared signatures) its row."""
        position = self._position.get(key)
        if position is not None:
            return position
        if row is None:
            if self._shared:
                raise ValueError("this index reads shared signatures: add items by row")
            row = (self.signatures.append(signature_values) if signature_values is not None
                   else self.signatures.add(messages))
        elif not 0 <= row < len(self.signatures):
            raise IndexError(f"signature row {row} does not exist")
        position = len(self._keys)
        self._position[key] = position
        self._keys.append(key)
        self._rows.append(row)
        self._parent.append(position)
        self._smallest.append(position)
        return position

    def signature(self, key: Hashable) -> np.ndarray | None:
        return self.signatures.get(self._rows[self._position[key]])

    # ------------------------------------------------------------ clusters

    def is_representative(self, key: Hashable) -> bool:
        """Whether `key` is the smallest key of its cluster (unknown keys count as their own)."""
        i = self._position.get(key)
        if i is None:
            return True
        self._link()
        return self._smallest[self._find(i)] == i

    def representatives(self) -> np.ndarray:
        """Per position, whether it holds the smallest key of its cluster."""
        self._link()
        roots = self._roots()
        smallest = np.frombuffer(self._smallest, dtype=np.int64)[roots]
        return smallest == np.arange(len(roots))

    def cluster(self, key: Hashable) -> Hashable:
        """The representative (smallest key) of `key`'s cluster."""
        self._link()
        return self._keys[self._smallest[self._find(self._position[key])]]

    def clusters(self) -> list[list[Hashable]]:
        """Every cluster with more than one member, members in insertion order."""
        self._link()
        groups: dict[int, list[Hashable]] = {}
        for i, root in enumerate(self._roots().tolist()):
            groups.setdefault(root, []).append(self._keys[i])
        return [g for g in groups.values() if len(g) > 1]

    # ------------------------------------------------------------ union-find

    def _find(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def _union(self, i: int, j: int) -> None:
        a, b = self._find(i), self._find(j)
        if a == b:
            return
        root, child = (a, b) if a < b else (b, a)
        self._parent[child] = root
        if self._keys[self._smallest[child]] < self._keys[self._smallest[root]]:
            self._smallest[root] = self._smallest[child]
        self.links += 1

    def _roots(self) -> np.ndarray:
        """Every position's root, by pointer jumping (and the parents compressed to it)."""
        parent = np.frombuffer(self._parent, dtype=np.int64).copy()
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        self._parent = array("q", parent.tobytes())
        return parent

    # ------------------------------------------------------------ linking

    def _link(self) -> None:
        """Compare every item added since the last read with every earlier one it shares a band with."""
        n, start = len(self._keys), self._linked
        if start == n:
            return
        rows = np.frombuffer(self._rows, dtype=np.int64).copy()
        valid = np.flatnonzero(~self.signatures.empty(rows))
        if len(valid):
            self._link_bands(rows, valid, start)
        self._linked = n

    def _link_bands(self, rows: np.ndarray, valid: np.ndarray, start: int) -> None:
        banded = self._join_identical(rows, valid, start)
        count, width = self.bands
        new = banded >= start
        for band in range(count):
            cols = slice(band * width, (band + 1) * width)
            keys = self.signatures.keys(rows[banded], cols)
            order = np.argsort(keys, kind="stable")  # equal keys keep ascending positions
            sorted_keys, sorted_positions = keys[order], banded[order]
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            first = np.searchsorted(sorted_keys, keys[new], side="left")
            # the earlier items sharing a new item's key sit between `first` and its own rank;
            # roots from before the band: a stale root only costs a needless comparison
            self._compare_runs(rows, banded[new], first, rank[new] - first, sorted_positions, self._roots())

    def _join_identical(self, rows: np.ndarray, valid: np.ndarray, start: int) -> np.ndarray:
        """Join each item to the first item with an identical signature; return the positions
        that take part in banding (the first of each signature)."""
        full = self.signatures.keys(rows[valid])
        _, first_index, inverse = np.unique(full, return_index=True, return_inverse=True)
        canonical = valid[first_index[inverse.reshape(-1)]]  # np.unique keeps the first occurrence
        duplicate = canonical != valid
        items, firsts = valid[duplicate], canonical[duplicate]
        same = np.ones(len(items), dtype=bool)
        for s in range(0, len(items), _COMPARE):  # a shared key is checked, never trusted
            a = self.signatures.take(rows[items[s:s + _COMPARE]])
            b = self.signatures.take(rows[firsts[s:s + _COMPARE]])
            same[s:s + _COMPARE] = (a == b).all(axis=1)
        joined = same & (items >= start)  # earlier ones were joined by an earlier link
        for i, j in zip(items[joined].tolist(), firsts[joined].tolist()):
            self._union(i, j)
        unbanded = np.zeros(len(self._keys), dtype=bool)
        unbanded[items[same]] = True
        return valid[~unbanded[valid]]

    def _compare_runs(self, rows: np.ndarray, positions: np.ndarray, first: np.ndarray, counts: np.ndarray,
                      sorted_positions: np.ndarray, roots: np.ndarray) -> None:
        """Compare item positions[k] with sorted_positions[first[k] : first[k] + counts[k]], in
        batches of at most `_PAIRS` pairs; skip pairs already in one cluster."""
        some = np.flatnonzero(counts > 0)
        if not len(some):
            return
        positions, first, counts = positions[some], first[some], counts[some]
        ends = np.cumsum(counts)
        lo = 0
        while lo < len(counts):
            base = ends[lo - 1] if lo else 0
            hi = max(int(np.searchsorted(ends, base + _PAIRS, side="right")), lo + 1)
            c = counts[lo:hi]
            total = int(c.sum())
            left = np.repeat(positions[lo:hi], c)
            offsets = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
            right = sorted_positions[np.repeat(first[lo:hi], c) + offsets]
            apart = roots[left] != roots[right]
            self._confirm(rows, left[apart], right[apart])
            lo = hi

    def _confirm(self, rows: np.ndarray, left: np.ndarray, right: np.ndarray) -> None:
        for s in range(0, len(left), _COMPARE):
            a = self.signatures.take(rows[left[s:s + _COMPARE]])
            b = self.signatures.take(rows[right[s:s + _COMPARE]])
            close = np.count_nonzero(a == b, axis=1) >= self._min_equal
            for i, j in zip(left[s:s + _COMPARE][close].tolist(), right[s:s + _COMPARE][close].tolist()):
                self._union(i, j)


def similar_groups(
    items: Iterable[tuple[Hashable, Sequence[str] | int]],
    threshold: float = LEAK_THRESHOLD,
    *,
    signatures: Signatures | None = None,
    must_catch: float = DEFAULT_THRESHOLD,
) -> list[list[Hashable]]:
    """Clusters of items whose user turns are at least `threshold` similar (for keeping similar
    examples inside one split), with near-certain recall at `must_catch` (the near-duplicate
    threshold). Items are (key, messages) pairs, or (key, row) pairs of `signatures` — then
    nothing is signed again."""
    must_catch = max(must_catch, threshold)
    index = NearDupIndex(threshold, signatures=signatures, weights=(0.5, 0.5),
                         bands=leak_bands(threshold, must_catch))
    for key, item in items:
        if signatures is None:
            index.add(key, item)  # type: ignore[arg-type]
        else:
            index.add(key, row=item)  # type: ignore[arg-type]
    return index.clusters()

