"""MinHash over user turns: character shingles, numpy signatures, and the column that stores them.

Shingles are 5-character substrings of each normalised user message (casefolded, NFKC, spacing
collapsed — `summaries.normalize_message`), never spanning two messages. Characters rather than
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
J + (1 − J)/256 and the confirmation threshold is raised by that much (`min_equal`); measured
against exact Jaccard, the error is the same as with whole values. 128 bytes a trace, the same on
every machine and run: every constant comes from blake2b, nothing from `hash()` or a random
generator.

Signing is batched: a `Signatures` column queues message lists and signs 128 at a time (or when a
row is read). The arithmetic is the same, ~25 µs a trace, but signed one at a time between
episodes it ran at half that speed (caches cold from the simulation). The column keeps 128 bytes
a row in fixed-size numpy chunks; the curation store owns the runner's, and the near-duplicate
index (`near_dup.py`) reads it in place, so nothing is copied.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

import numpy as np

NUM_PERM = 128
SHINGLE_CHARS = 5
VALUE_BITS = 8  # bits kept of each minimum

_VALUE = np.uint8
_CHUNK = 4096  # signature rows per storage chunk (512 KiB; pages are touched only when written)
_KEY_BLOCK = 1024  # rows folded into keys at once
_SHINGLE_BLOCK = 512  # shingles put through the 128 permutations at once (256 KiB)
_SIGN_BATCH = 128  # message lists a `Signatures` column queues before signing them together
_PAD = 0x110000  # above every code point: pads a message shorter than a shingle


def _constants(tag: str, n: int) -> np.ndarray:
    """`n` 64-bit constants from blake2b. The "toolsim.near_dup" prefix predates this module and
    stays: it is hashed into every signature, so renaming it would change every run's dataset."""
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


def _fmix(x: np.ndarray, out: np.ndarray | None = None, spare: np.ndarray | None = None) -> np.ndarray:
    """The 128 permutations of each 32-bit shingle hash: murmur3's fmix32 of (hash XOR seed), as
    a (len(x), NUM_PERM) array. It is worked out permutation by permutation, in (NUM_PERM, n)
    buffers whose transpose is returned, so that a minimum over shingles runs along contiguous
    memory (~4x faster than across rows). Written into `out`, with `spare` for the shifted
    copies, when given (each (NUM_PERM, at least len(x))): a block is 256 KiB, and a fresh array
    for it and for each of its three shifts (what `v ^= v >> 16` allocates) made signing ~4x
    slower than the arithmetic, in page faults."""
    n = len(x)
    v = np.empty((NUM_PERM, n), dtype=np.uint32) if out is None else out[:, :n]
    t = np.empty((NUM_PERM, n), dtype=np.uint32) if spare is None else spare[:, :n]
    np.bitwise_xor(_SEEDS[:, None], x[None, :], out=v)
    np.right_shift(v, np.uint32(16), out=t)
    v ^= t
    v *= np.uint32(0x85EBCA6B)
    np.right_shift(v, np.uint32(13), out=t)
    v ^= t
    v *= np.uint32(0xC2B2AE35)
    np.right_shift(v, np.uint32(16), out=t)
    v ^= t
    return v.T


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
    width = min(len(x), _SHINGLE_BLOCK)  # one pair of block buffers for the whole batch
    out, spare = np.empty((NUM_PERM, width), dtype=np.uint32), np.empty((NUM_PERM, width), dtype=np.uint32)
    for at in range(0, len(x), _SHINGLE_BLOCK):
        block = _fmix(x[at:at + _SHINGLE_BLOCK], out, spare)
        lo = int(np.searchsorted(starts, at, side="right")) - 1  # the lists this block covers
        hi = int(np.searchsorted(starts, at + len(block), side="left"))
        part = np.minimum.reduceat(block.T, np.maximum(starts[lo:hi] - at, 0), axis=1)  # along each permutation
        np.minimum(mins[lo:hi], part.T, out=mins[lo:hi])
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
        self._pending: list[list[str] | bytes] = []  # messages to sign, or a row signed elsewhere

    def __len__(self) -> int:
        return len(self._empty) + len(self._pending)

    def add(self, messages: Iterable[str]) -> int:
        """Queue messages to sign; return their row."""
        row = len(self)
        self._pending.append(list(messages))
        if len(self._pending) >= _SIGN_BATCH:
            self._sign()
        return row

    def add_signed(self, values: bytes) -> int:
        """Queue a row signed elsewhere (`NUM_PERM` bytes; b"" for no text); return its row."""
        row = len(self)
        self._pending.append(values)
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
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        texts = [i for i, p in enumerate(pending) if not isinstance(p, bytes)]
        if len(texts) == len(pending):
            return self._store(*signatures_of(pending))  # type: ignore[arg-type]
        values = np.zeros((len(pending), NUM_PERM), dtype=_VALUE)
        has_text = np.zeros(len(pending), dtype=bool)
        if texts:
            values[texts], has_text[texts] = signatures_of([pending[i] for i in texts])  # type: ignore[misc]
        signed = [i for i, p in enumerate(pending) if isinstance(p, bytes) and p]
        if signed:
            values[signed] = np.frombuffer(b"".join(pending[i] for i in signed), dtype=_VALUE).reshape(-1, NUM_PERM)  # type: ignore[misc]
            has_text[signed] = True
        self._store(values, has_text)

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
