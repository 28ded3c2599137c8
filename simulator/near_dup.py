"""Near-duplicate detection over user turns: MinHash signatures, LSH candidates, union-find clusters.

Shingles are 5-character substrings of each normalised user message (casefolded, NFKC, spacing
collapsed — `curate.normalize_message`), never spanning two messages. Characters rather than
word 3-grams because:
- Chinese has no spaces, and one rule for every language keeps similarity comparable across them;
- user turns are short: one changed word (a persona's typo, an abbreviation) breaks three of a
  dozen word 3-grams but only about five of sixty character 5-grams, so a typo'd copy of a message
  still reads as the near-duplicate it is.

Traces form clusters: the connected components of "estimated Jaccard similarity ≥ threshold".
Components do not depend on the order traces arrive in, so the runner (completion order, several
rounds, resumes) and the publisher (id order, once) agree on which trace survives — the smallest
id of each cluster — and the runner can insert each round's traces into the same index instead of
rebuilding it. LSH only proposes candidates; every candidate pair is confirmed on the 128 signature
values, so pairs that merely share a band are not merged. The band layout leans towards recall
(`RECALL_WEIGHTS`) because the confirmation step removes the extra candidates cheaply.

Memory: datasketch's LSH keeps a set per band bucket — about 5 KB per indexed trace with 16
bands (plus a 512-byte signature). `close` drops the LSH once no trace will be added any more, so
the split step's looser index (`similar_groups`) never shares the heap with it.
"""

from __future__ import annotations

import zlib
from typing import Hashable, Iterable, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_CHARS = 5
DEFAULT_THRESHOLD = 0.8
LEAK_THRESHOLD = 0.5
RECALL_WEIGHTS = (0.05, 0.95)  # (false positive, false negative) weights: 16 bands of 8, recall 95 % at J = 0.8


def shingles(messages: Iterable[str]) -> set[bytes]:
    """Character 5-grams of every message; a message shorter than that is one shingle."""
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


class Signer:
    """Makes MinHash signatures that share one set of permutations (creating them is the slow
    part of `MinHash()`; copying a blank one is cheap)."""

    def __init__(self, num_perm: int = NUM_PERM) -> None:
        # crc32: a fast, stable 32-bit hash (datasketch's affine32 scheme premixes it, so its weak
        # avalanche does not matter); `hash()` would change with PYTHONHASHSEED between runs.
        self._blank = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)

    def minhash(self, messages: Iterable[str]) -> MinHash | None:
        """The signature of a trace's user turns, or None when they have no text."""
        grams = shingles(messages)
        if not grams:
            return None
        m = self._blank.copy()
        m.update_batch(grams)
        return m

    def wrap(self, hashvalues: np.ndarray) -> MinHash:
        """A (frozen, cheap) MinHash around stored signature values, to insert into another index."""
        return LeanMinHash(seed=self._blank.seed, hashvalues=hashvalues, scheme=self._blank.scheme)


class NearDupIndex:
    """An incremental near-duplicate clustering of keyed texts.

    `add` inserts one trace (its key and normalised user messages); `is_representative(key)` is
    True for the smallest key of each cluster — the one curation keeps. Keys must be comparable
    (trace ids are strings) and are added at most once.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, *, signer: Signer | None = None,
                 weights: tuple[float, float] = RECALL_WEIGHTS, bands: tuple[int, int] | None = None) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.signer = signer or Signer()
        self._lsh: MinHashLSH | None = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=weights,
                                                  params=bands)
        self._min_equal = threshold * NUM_PERM  # signature positions that must agree
        self._position: dict[Hashable, int] = {}
        self._keys: list[Hashable] = []
        self._parent: list[int] = []
        self._smallest: list[Hashable] = []  # per root: the smallest key of its cluster
        self._signatures: list[np.ndarray | None] = []
        self.links = 0  # confirmed candidate pairs that joined two clusters

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._position

    def add(self, key: Hashable, messages: Sequence[str], signature: np.ndarray | None = None) -> None:
        """Index one trace and join it to every earlier cluster it is a near-duplicate of.
        `signature` reuses values another index already computed."""
        if key in self._position:
            return
        if self._lsh is None:
            raise RuntimeError("this near-duplicate index is closed; nothing can be added")
        i = len(self._keys)
        self._position[key] = i
        self._keys.append(key)
        self._parent.append(i)
        self._smallest.append(key)
        m = self.signer.wrap(signature) if signature is not None else self.signer.minhash(messages)
        self._signatures.append(signature if signature is not None else None if m is None else m.hashvalues)
        if m is None:
            return  # no text: a cluster of its own
        values = m.hashvalues
        for j in self._lsh.query(m):
            other = self._signatures[j]
            if np.count_nonzero(values == other) >= self._min_equal:
                self._union(i, j)
        self._lsh.insert(i, m, check_duplication=False)

    def close(self) -> None:
        """Free the LSH (most of the memory); clusters and signatures stay readable."""
        self._lsh = None

    def signature(self, key: Hashable) -> np.ndarray | None:
        return self._signatures[self._position[key]]

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
        self._smallest[root] = min(self._smallest[root], self._smallest[child])
        self.links += 1

    def is_representative(self, key: Hashable) -> bool:
        """Whether `key` is the smallest key of its cluster (unknown keys count as their own)."""
        i = self._position.get(key)
        return i is None or self._smallest[self._find(i)] == key

    def cluster(self, key: Hashable) -> Hashable:
        """The representative (smallest key) of `key`'s cluster."""
        return self._smallest[self._find(self._position[key])]

    def clusters(self) -> list[list[Hashable]]:
        """Every cluster with more than one member, members in insertion order."""
        groups: dict[int, list[Hashable]] = {}
        for i, key in enumerate(self._keys):
            groups.setdefault(self._find(i), []).append(key)
        return [g for g in groups.values() if len(g) > 1]


def candidate_probability(similarity: float, bands: tuple[int, int]) -> float:
    """The chance that LSH with (bands, rows) proposes a pair of this Jaccard similarity."""
    b, r = bands
    return 1.0 - (1.0 - similarity ** r) ** b


def leak_bands(threshold: float, must_catch: float = DEFAULT_THRESHOLD) -> tuple[int, int] | None:
    """The fewest LSH bands (memory: one bucket per band per trace) whose candidates include
    pairs at `must_catch` similarity with probability ≥ 99.5 % and pairs at `threshold` at least
    half the time, while pairs half as similar as `threshold` are proposed at most 10 % of the
    time (each candidate costs a comparison). For 0.5 / 0.8 that is 11 bands of 4 rows — less than
    half the 25 × 5 datasketch's optimiser picks for 0.5, with the same recall at 0.5 and 0.8.
    None when no layout fits (datasketch's optimiser decides then)."""
    for b in range(1, NUM_PERM + 1):
        for r in range(NUM_PERM // b, 0, -1):
            layout = (b, r)
            if candidate_probability(threshold / 2, layout) > 0.1:
                break  # fewer rows only propose more unrelated pairs
            if candidate_probability(must_catch, layout) >= 0.995 and candidate_probability(threshold, layout) >= 0.5:
                return layout
    return None


def similar_groups(
    items: Iterable[tuple[Hashable, Sequence[str]]],
    threshold: float = LEAK_THRESHOLD,
    *,
    source: NearDupIndex | None = None,
) -> list[list[Hashable]]:
    """Clusters of items whose user turns are at least `threshold` similar (for keeping similar
    examples inside one split), with near-certain recall at the near-duplicate threshold (0.8, or
    `source`'s). Signatures already in `source` are reused, not recomputed."""
    must_catch = max(source.threshold if source else DEFAULT_THRESHOLD, threshold)
    index = NearDupIndex(threshold, signer=source.signer if source else None, weights=(0.5, 0.5),
                         bands=leak_bands(threshold, must_catch))
    for key, messages in items:
        signature = source.signature(key) if source is not None and key in source else None
        index.add(key, messages, signature)
    return index.clusters()
