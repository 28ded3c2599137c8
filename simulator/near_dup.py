"""Near-duplicate detection over user turns: MinHash signatures, banded candidates, union-find clusters.

Shingles are 5-character substrings of each normalised user message (casefolded, NFKC, spacing
collapsed — `curate.normalize_message`), never spanning two messages. Characters rather than
word 3-grams because:
- Chinese has no spaces, and one rule for every language keeps similarity comparable across them;
- user turns are short: one changed word (a persona's typo, an abbreviation) breaks three of a
  dozen word 3-grams but only about five of sixty character 5-grams, so a typo'd copy of a message
  still reads as the near-duplicate it is.

Signatures (numpy, no per-shingle Python): each 5-gram's code points are hashed to 64 bits (a
polynomial, then splitmix64's finaliser); each of the 128 "permutations" XORs the hash's top 32
bits with its own seed and applies murmur3's 32-bit finaliser (a bijection), keeping the minimum
over the shingles. (Affine maps x ↦ a·x + b are cheaper but measurably biased: they under-estimate
Jaccard by ~0.004; this family's error is within noise, and its spread is the 128-permutation
binomial one.) A signature stores the low 8 bits of each minimum: b-bit MinHash (Li & König,
2010). Two different minima agree by chance once in 256, so a position agrees with probability
J + (1 − J)/256 and the confirmation threshold is raised by that much; measured against exact
Jaccard, the error is the same as with whole values. 128 bytes a trace, the same on every machine
and run: every constant comes from blake2b, nothing from `hash()` or a random generator.

Traces form clusters: the connected components of "estimated Jaccard similarity ≥ threshold".
Components do not depend on the order traces arrive in, so the runner (completion order, several
rounds, resumes) and the publisher (id order, once) agree on which trace survives — the smallest
key of each cluster — and the runner keeps one index across rounds. Banding (LSH) only proposes
candidates: two items are compared when all `rows` values of one of the `bands` agree, and every
candidate is confirmed on the 128 values, so pairs that merely share a band are not merged. The
band layout leans towards recall (`RECALL_WEIGHTS`) because confirming is cheap.

Linking is batched: `add` only records an item; the next read (`is_representative`, `clusters`,
…) links everything added since. Per band, every item's band values are hashed to a 64-bit key
and sorted, and each new item is compared with the earlier items holding its key — pairs already
in one cluster are skipped. Items with identical signatures are joined directly and only the
first takes part in banding, so a message repeated a thousand times costs a thousand comparisons,
not half a million.

Signing is batched too: a `Signatures` column queues message lists and signs 128 at a time (or
when a row is read). The arithmetic is the same, ~25 µs a trace, but signed one at a time between
episodes it ran at half that speed (caches cold from the simulation).

Memory: the signatures (128 bytes a row in fixed-size numpy chunks, owned by a `Signatures` column
— the curation store's, for the runner, so the index copies nothing) plus about 100 bytes of keys
and union-find per item. Band keys exist only while linking, a band at a time, and candidate pairs
are expanded and compared in bounded batches, so linking 10,000 traces needs ~1 MiB besides.

This replaces datasketch's `MinHashLSH` (a Python set per band bucket: ~5 KB a trace, and scipy
imported for its layout optimiser, ~40 MiB); `optimal_bands` picks the layouts it picked.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from functools import lru_cache
from typing import Hashable, Iterable, Sequence

import numpy as np

NUM_PERM = 128
SHINGLE_CHARS = 5
VALUE_BITS = 8  # bits kept of each minimum
DEFAULT_THRESHOLD = 0.8
LEAK_THRESHOLD = 0.5
RECALL_WEIGHTS = (0.05, 0.95)  # (false positive, false negative) weights: 16 bands of 8, recall 95 % at J = 0.8

_VALUE = np.uint8
_CHUNK = 4096  # signature rows per storage chunk (512 KiB; pages are touched only when written)
_PAIRS = 1 << 13  # candidate pairs expanded at once
_COMPARE = 1024  # candidate pairs compared at once (2 × 1024 × 128 B)
_KEY_BLOCK = 1024  # rows folded into keys at once
_SHINGLE_BLOCK = 512  # shingles put through the 128 permutations at once (256 KiB)
_SIGN_BATCH = 128  # message lists a `Signatures` column queues before signing them together
_PAD = 0x110000  # above every code point: pads a message shorter than a shingle


def _constants(tag: str, n: int) -> np.ndarray:
    data = b"".join(hashlib.blake2b(f"toolsim.near_dup.{tag}.{i}".encode(), digest_size=8).digest()
                    for i in range(n))
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


_GRAM = _constants("gram", SHINGLE_CHARS) | np.uint64(1)
_SEEDS = (_constants("seed", NUM_PERM) >> np.uint64(32)).astype(np.uint32)
_MIX = _constants("key", NUM_PERM) | np.uint64(1)  # multipliers that fold signature values into keys


def shingles(messages: Iterable[str]) -> set[bytes]:
    """Character 5-grams of every message; a message shorter than that is one shingle. (The exact
    sets, for tests and audits; signatures hash the same shingles without building them.)"""
    out: set[bytes] = set()
    k = SHINGLE_CHARS
    for text in messages:
        if len(text) <= k:
            if text:
                out.add(text.encode())
        else:
            out.update(text[i:i + k].encode() for i in range(len(text) - k + 1))
    return out


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard similarity of two shingle sets (tests and small audits, not the hot path)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _fmix(x: np.ndarray) -> np.ndarray:
    """The 128 permutations of each 32-bit shingle hash: murmur3's fmix32 of (hash XOR seed)."""
    v = x[:, None] ^ _SEEDS
    v ^= v >> np.uint32(16)
    v *= np.uint32(0x85EBCA6B)
    v ^= v >> np.uint32(13)
    v *= np.uint32(0xC2B2AE35)
    v ^= v >> np.uint32(16)
    return v


def signatures_of(batch: Sequence[Iterable[str]]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of many message lists at once: a (len(batch), NUM_PERM) array of 8-bit
    values and whether each list had any text (rows without are zeros). Batches share the numpy
    calls: signing is arithmetic-bound, ~25 µs a trace, whichever way it is cut."""
    k = SHINGLE_CHARS
    messages: list[str] = []
    owners: list[int] = []
    for owner, texts in enumerate(batch):
        for text in texts:
            if text:
                messages.append(text)
                owners.append(owner)
    values = np.zeros((len(batch), NUM_PERM), dtype=_VALUE)
    has_text = np.zeros(len(batch), dtype=bool)
    if not messages:
        return values, has_text
    lengths = np.fromiter(map(len, messages), dtype=np.int64, count=len(messages))
    points = np.frombuffer("".join(messages).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    short = np.flatnonzero(lengths < k)
    if len(short):  # a message shorter than a shingle is one shingle: pad it to one
        ends = np.cumsum(lengths)
        points = np.insert(points, np.repeat(ends[short], k - lengths[short]), np.uint64(_PAD))
        lengths = np.maximum(lengths, k)
    ends = np.cumsum(lengths)
    n = len(points) - k + 1
    h = points[:n] * _GRAM[0]
    for j in range(1, k):
        h += points[j:j + n] * _GRAM[j]
    message_of = np.repeat(np.arange(len(messages)), lengths)[:n]
    inside = np.arange(n) + k <= ends[message_of]  # windows never span two messages
    h, message_of = h[inside], message_of[inside]
    h ^= h >> np.uint64(30)  # splitmix64's finaliser: every input bit reaches the top 32 bits
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    x = (h >> np.uint64(32)).astype(np.uint32)
    owner_of = np.asarray(owners, dtype=np.int64)[message_of]  # non-decreasing
    starts = np.flatnonzero(np.r_[True, owner_of[1:] != owner_of[:-1]])
    mins = np.full((len(starts), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    for at in range(0, len(x), _SHINGLE_BLOCK):
        block = _fmix(x[at:at + _SHINGLE_BLOCK])
        lo = int(np.searchsorted(starts, at, side="right")) - 1  # the lists this block covers
        hi = int(np.searchsorted(starts, at + len(block), side="left"))
        part = np.minimum.reduceat(block, np.maximum(starts[lo:hi] - at, 0), axis=0)
        np.minimum(mins[lo:hi], part, out=mins[lo:hi])
    rows = owner_of[starts]
    values[rows] = (mins & np.uint32((1 << VALUE_BITS) - 1)).astype(_VALUE)
    has_text[rows] = True
    return values, has_text


def signature(messages: Iterable[str]) -> np.ndarray | None:
    """The MinHash signature (NUM_PERM 8-bit values) of the messages' shingles; None without text."""
    values, has_text = signatures_of([messages])
    return values[0] if has_text[0] else None


def min_equal(threshold: float) -> float:
    """Signature positions that must agree for an estimated Jaccard similarity ≥ threshold: with
    b-bit values a position agrees with probability J + (1 − J)·2⁻ᵇ."""
    return NUM_PERM * (threshold + (1.0 - threshold) * 2.0 ** -VALUE_BITS)


class Signatures:
    """An append-only column of signatures: NUM_PERM 8-bit values per row, in fixed-size numpy
    chunks (growing never copies). A text-less row is all zeros and flagged empty; it matches
    nothing. `add` queues messages and signs them in batches of `_SIGN_BATCH` (or when a row is
    read): one trace at a time, between episodes, the same arithmetic ran twice as slowly."""

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self._empty = bytearray()
        self._pending: list[list[str]] = []

    def __len__(self) -> int:
        return len(self._empty) + len(self._pending)

    def add(self, messages: Iterable[str]) -> int:
        """Queue messages to sign; return their row."""
        row = len(self)
        self._pending.append(list(messages))
        if len(self._pending) >= _SIGN_BATCH:
            self._sign()
        return row

    def append(self, values: np.ndarray | None) -> int:
        """Store one signature (or None: no text); return its row."""
        self._sign()
        self._store(values[None, :] if values is not None else np.zeros((1, NUM_PERM), dtype=_VALUE),
                    np.array([values is not None]))
        return len(self._empty) - 1

    def _sign(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self._store(*signatures_of(pending))

    def _store(self, values: np.ndarray, has_text: np.ndarray) -> None:
        row, done = len(self._empty), 0
        while done < len(values):
            chunk, offset = divmod(row + done, _CHUNK)
            if chunk == len(self._chunks):
                self._chunks.append(np.zeros((_CHUNK, NUM_PERM), dtype=_VALUE))
            count = min(_CHUNK - offset, len(values) - done)
            self._chunks[chunk][offset:offset + count] = values[done:done + count]
            done += count
        self._empty.extend((~has_text).astype(np.uint8).tobytes())

    def get(self, row: int) -> np.ndarray | None:
        self._sign()
        if self._empty[row]:
            return None
        chunk, offset = divmod(row, _CHUNK)
        return self._chunks[chunk][offset].copy()

    def empty(self, rows: np.ndarray) -> np.ndarray:
        """Whether each row has no text (a boolean array)."""
        self._sign()
        flags = np.frombuffer(bytes(self._empty), dtype=np.uint8)
        return flags[rows].astype(bool)

    def take(self, rows: np.ndarray, cols: slice = slice(None)) -> np.ndarray:
        """The values of `rows` (in that order) at `cols`: a new (len(rows), width) array."""
        self._sign()
        rows = np.asarray(rows, dtype=np.int64)
        chunk, offset = np.divmod(rows, _CHUNK)
        width = len(range(*cols.indices(NUM_PERM)))
        out = np.empty((len(rows), width), dtype=_VALUE)
        if len(rows) == 0:
            return out
        first, last = int(chunk.min()), int(chunk.max())
        if first == last:
            out[:] = self._chunks[first][offset, cols]
            return out
        order = np.argsort(chunk, kind="stable")
        bounds = np.searchsorted(chunk[order], np.arange(first, last + 2))
        for c in range(first, last + 1):
            sel = order[bounds[c - first]:bounds[c - first + 1]]
            if len(sel):
                out[sel] = self._chunks[c][offset[sel], cols]
        return out

    def keys(self, rows: np.ndarray, cols: slice = slice(None)) -> np.ndarray:
        """A 64-bit key per row of its values at `cols`: equal values, equal keys (different values
        share a key only by a rare accident, which costs a needless comparison, never a wrong merge)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=np.uint64)
        for start in range(0, len(rows), _KEY_BLOCK):
            block = self.take(rows[start:start + _KEY_BLOCK], cols)
            key = np.zeros(len(block), dtype=np.uint64)
            for j in range(block.shape[1]):
                key += block[:, j].astype(np.uint64) * _MIX[j]
            key ^= key >> np.uint64(29)
            out[start:start + len(block)] = key
        return out


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


def candidate_probability(similarity: float, bands: tuple[int, int]) -> float:
    """The chance that banding with (bands, rows) proposes a pair of this Jaccard similarity."""
    b, r = bands
    return 1.0 - (1.0 - similarity ** r) ** b


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """The (bands, rows) layout, bands × rows ≤ NUM_PERM, minimising the weighted sum of the
    false-positive area (candidate probability integrated over similarities below the threshold)
    and the false-negative area (its complement integrated above) — the layout datasketch's
    `MinHashLSH` picks. The integrands are polynomials of degree ≤ NUM_PERM, so 80-point
    Gauss–Legendre quadrature integrates them exactly (up to rounding)."""
    fp_weight, fn_weight = weights
    nodes, node_weights = np.polynomial.legendre.leggauss(80)

    def points(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        return (b - a) / 2 * nodes + (a + b) / 2, (b - a) / 2 * node_weights

    below, below_w = points(0.0, threshold)
    above, above_w = points(threshold, 1.0)
    best, layout = math.inf, (1, 1)
    for b in range(1, NUM_PERM + 1):
        for r in range(1, NUM_PERM // b + 1):
            fp = float(np.dot(below_w, 1.0 - (1.0 - below ** r) ** b))
            fn = float(np.dot(above_w, (1.0 - above ** r) ** b))
            error = fp * fp_weight + fn * fn_weight
            if error < best:
                best, layout = error, (b, r)
    return layout


def leak_bands(threshold: float, must_catch: float = DEFAULT_THRESHOLD) -> tuple[int, int] | None:
    """The fewest bands (each costs a sort and its candidates' comparisons) whose candidates
    include pairs at `must_catch` similarity with probability ≥ 99.5 % and pairs at `threshold`
    at least three times in four, while pairs half as similar as `threshold` are proposed at most
    10 % of the time. For 0.5 / 0.8 that is 22 bands of 4 rows: fewer than the 25 × 5
    `optimal_bands` picks for 0.5, and more of the 0.5-similar pairs (76 % against 55 %). (Bands
    cost no memory between links here, so recall at the leak threshold is worth a few more than
    the 11 that the 50 % this asked for under datasketch needed.) None when no layout fits
    (`optimal_bands` decides then)."""
    for b in range(1, NUM_PERM + 1):
        for r in range(NUM_PERM // b, 0, -1):
            layout = (b, r)
            if candidate_probability(threshold / 2, layout) > 0.1:
                break  # fewer rows only propose more unrelated pairs
            if candidate_probability(must_catch, layout) >= 0.995 and candidate_probability(threshold, layout) >= 0.75:
                return layout
    return None


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

