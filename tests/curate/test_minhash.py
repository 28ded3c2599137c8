"""MinHash: character shingles, signatures that hash exactly those shingles (batched or not), the
same on every machine, estimating Jaccard similarity without bias, stored compactly in a column."""

from __future__ import annotations

import hashlib
import random

import numpy as np

from simulator.curate import minhash
from simulator.curate.minhash import (
    NUM_PERM,
    Signatures,
    jaccard,
    shingles,
    signature,
    signatures_of,
)
from tests.similar_texts import BASE, edit_words, request_text


def test_shingles_are_character_five_grams_within_each_message():
    assert shingles(["abcdef"]) == {b"abcde", b"bcdef"}
    assert shingles(["hi", ""]) == {b"hi"}  # short messages are one shingle, empty ones none
    assert b"efxyz" not in shingles(["abcdef", "xyzuvw"])  # never across two messages
    zh = shingles(["我想退货，订单号是ORD-12345"])
    assert "我想退货，".encode() in zh  # Chinese needs no spaces


def test_signatures_hash_the_same_shingles():
    # Equal shingle sets, equal signatures: repeats, message order and splits that create no
    # new 5-gram do not matter; a gram across two messages would.
    assert np.array_equal(signature(["abcdefabcdef"]), signature(["abcdefabcdef", "abcdef"]))
    assert np.array_equal(signature(["hello there", "hi"]), signature(["hi", "hello there"]))
    assert not np.array_equal(signature(["abcdef", "xyzuvw"]), signature(["abcdefxyzuvw"]))
    assert signature([]) is None and signature(["", ""]) is None
    short = signature(["hi"])
    assert short is not None and not np.array_equal(short, signature(["hi!"]))
    assert signature([BASE]).dtype == np.uint8 and signature([BASE]).shape == (NUM_PERM,)


def _reference(messages) -> np.ndarray | None:
    """The signature computed shingle by shingle from `shingles` (slow, independent of the batching)."""
    grams = shingles(messages)
    if not grams:
        return None
    mask = (1 << 64) - 1
    xs = []
    for gram in grams:
        points = [ord(c) for c in gram.decode()]
        points += [minhash._PAD] * (minhash.SHINGLE_CHARS - len(points))
        h = sum(p * int(g) for p, g in zip(points, minhash._GRAM)) & mask
        h ^= h >> 30
        h = (h * 0xBF58476D1CE4E5B9) & mask
        h ^= h >> 27
        h = (h * 0x94D049BB133111EB) & mask
        h ^= h >> 31
        xs.append(h >> 32)
    mins = minhash._fmix(np.array(xs, dtype=np.uint32)).min(axis=0)
    return (mins & 0xFF).astype(np.uint8)


def test_batched_signing_hashes_exactly_the_shingles_of_each_list():
    rng = random.Random(2)
    lists = [[], ["hi"], ["", "abcd", "abcde"], [request_text(rng, 200)], ["我想退货", "订单号是ORD-12345"], [BASE, "ok"],
             ["x" * 3000 + "y"], ["", ""], ["abcdef", "xyzuvw"]]
    lists += [[request_text(rng, rng.randint(1, 30)) for _ in range(rng.randint(0, 3))] for _ in range(60)]
    values, has_text = signatures_of(lists)
    for i, messages in enumerate(lists):
        expected = _reference(messages)
        assert has_text[i] == (expected is not None), messages
        if expected is not None:
            assert np.array_equal(values[i], expected), messages
            assert np.array_equal(signature(messages), expected)


def test_a_column_signs_queued_messages_in_batches_and_on_reads():
    column = Signatures()
    texts = [[f"{BASE} {i}"] for i in range(1300)]
    rows = [column.add(t) for t in texts[:1200]]
    assert rows == list(range(1200)) and len(column) == 1200  # rows are known before signing
    assert len(column._pending) < 512  # full batches were signed on the way
    column.append(signature(["stored directly"]))  # keeps row order: the queue goes first
    rows += [column.add(t) for t in texts[1200:]]
    assert column.get(1200) is not None and np.array_equal(column.get(1200), signature(["stored directly"]))
    assert np.array_equal(column.get(1300), signature(texts[1299])) and len(column) == 1301
    assert np.array_equal(column.take(np.array([5, 0])), np.stack([signature(texts[5]), signature(texts[0])]))


def test_signatures_are_the_same_on_every_machine_and_run():
    # Constants come from blake2b, not from hash() or a random generator: a change here changes
    # which traces are near-duplicates, so every run's dataset. Update only on purpose.
    values = signature([BASE, "我想退货，订单号是ORD-12345"])
    assert hashlib.blake2b(values.tobytes(), digest_size=8).hexdigest() == "18286a45a5dfa6a5"


def test_signatures_estimate_jaccard_similarity_without_bias():
    rng = random.Random(5)
    errors = []
    for _ in range(400):
        a = request_text(rng)
        b = edit_words(rng, a, rng.randint(0, 6))
        exact = jaccard(shingles([a]), shingles([b]))
        estimate = np.count_nonzero(signature([a]) == signature([b])) / NUM_PERM
        errors.append(estimate - exact)
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.005  # unbiased (standard error 0.002) ...
    assert errors.std() < 0.045  # ... and as tight as 128 permutations allow (≤ 0.044)


def test_signature_storage_is_compact():
    column = Signatures()
    sig = signature([BASE])
    for _ in range(3 * 4096):
        column.append(sig)
    stored = sum(chunk.nbytes for chunk in column._chunks)
    assert stored == 3 * 4096 * NUM_PERM  # 128 bytes a row, no per-row objects
    assert np.array_equal(column.take(np.array([0, 4096, 12287])), np.stack([sig] * 3))


def test_fmix_into_reused_buffers_is_murmurs_finaliser():
    """`_fmix` written into the batch's reused block buffers (longer than the block, holding the
    last block's values) gives murmur3's fmix32 of (hash XOR seed), as a fresh array does."""

    def fmix32(v: int) -> int:
        v ^= v >> 16
        v = (v * 0x85EBCA6B) & 0xFFFFFFFF
        v ^= v >> 13
        v = (v * 0xC2B2AE35) & 0xFFFFFFFF
        return v ^ (v >> 16)

    rng = random.Random(5)
    out, spare = np.empty((NUM_PERM, 40), dtype=np.uint32), np.empty((NUM_PERM, 40), dtype=np.uint32)
    for n in (40, 7, 1):
        x = np.array([rng.getrandbits(32) for _ in range(n)], dtype=np.uint32)
        expected = np.array([[fmix32(int(h) ^ int(s)) for s in minhash._SEEDS] for h in x], dtype=np.uint32)
        assert np.array_equal(minhash._fmix(x, out, spare), expected)
        assert np.array_equal(minhash._fmix(x), expected)
