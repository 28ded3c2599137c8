"""Near-duplicate clustering: shingles, MinHash signatures that estimate Jaccard similarity,
banded candidates confirmed on signatures, and clusters that do not depend on insertion order or
on how adds are batched."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from simulator import near_dup
from simulator.near_dup import (
    NUM_PERM,
    NearDupIndex,
    Signatures,
    candidate_probability,
    jaccard,
    leak_bands,
    min_equal,
    optimal_bands,
    shingles,
    signature,
    signatures_of,
    similar_groups,
)

BASE = "i need a refund for ord-48291, the blender arrived broken and the lid is cracked"
WORDS = ("order refund parcel address broken late email receipt kettle blender lid cracked monday "
         "tracking courier invoice street city postal please thanks help again still waiting where when").split()


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
        points += [near_dup._PAD] * (near_dup.SHINGLE_CHARS - len(points))
        h = sum(p * int(g) for p, g in zip(points, near_dup._GRAM)) & mask
        h ^= h >> 30
        h = (h * 0xBF58476D1CE4E5B9) & mask
        h ^= h >> 27
        h = (h * 0x94D049BB133111EB) & mask
        h ^= h >> 31
        xs.append(h >> 32)
    mins = near_dup._fmix(np.array(xs, dtype=np.uint32)).min(axis=0)
    return (mins & 0xFF).astype(np.uint8)


def test_batched_signing_hashes_exactly_the_shingles_of_each_list():
    rng = random.Random(2)
    lists = [[], ["hi"], ["", "abcd", "abcde"], [_text(rng, 200)], ["我想退货", "订单号是ORD-12345"], [BASE, "ok"],
             ["x" * 3000 + "y"], ["", ""], ["abcdef", "xyzuvw"]]
    lists += [[_text(rng, rng.randint(1, 30)) for _ in range(rng.randint(0, 3))] for _ in range(60)]
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


def _text(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" ord-{rng.randrange(10000, 99999)}"


def _edit(rng: random.Random, text: str, edits: int) -> str:
    words = text.split()
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def test_signatures_estimate_jaccard_similarity_without_bias():
    rng = random.Random(5)
    errors = []
    for _ in range(400):
        a = _text(rng)
        b = _edit(rng, a, rng.randint(0, 6))
        exact = jaccard(shingles([a]), shingles([b]))
        estimate = np.count_nonzero(signature([a]) == signature([b])) / NUM_PERM
        errors.append(estimate - exact)
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.005  # unbiased (standard error 0.002) ...
    assert errors.std() < 0.045  # ... and as tight as 128 permutations allow (≤ 0.044)


def test_a_typo_keeps_a_near_duplicate_while_a_different_request_is_not_one():
    typo = BASE.replace("refund", "refnud")
    other = "where is my parcel? it was supposed to arrive on monday and tracking shows nothing"
    assert jaccard(shingles([BASE]), shingles([typo])) >= 0.8
    assert jaccard(shingles([BASE]), shingles([other])) < 0.2
    index = NearDupIndex(0.8)
    for key, text in (("a", BASE), ("b", typo), ("c", other)):
        index.add(key, [text])
    assert index.is_representative("a") and not index.is_representative("b")
    assert index.is_representative("c")
    assert index.clusters() == [["a", "b"]]
    assert index.cluster("b") == "a"


def test_the_threshold_separates_similar_from_dissimilar_pairs():
    rng = random.Random(8)
    checked = {"high": 0, "low": 0}
    for i in range(300):
        a = _text(rng, 20)
        b = _edit(rng, a, rng.randint(0, 8))
        exact = jaccard(shingles([a]), shingles([b]))
        if 0.7 < exact < 0.9:
            continue  # near the threshold either answer is an honest estimate
        index = NearDupIndex(0.8)
        index.add("a", [a])
        index.add("b", [b])
        linked = not index.is_representative("b")
        assert linked == (exact >= 0.9), (exact, a, b)
        checked["high" if exact >= 0.9 else "low"] += 1
    assert checked["high"] > 20 and checked["low"] > 20


def test_the_smallest_key_of_a_cluster_survives_whatever_the_order():
    texts = {f"t{i:03d}": f"{BASE} {'!' * (i % 3)}" for i in range(12)}
    texts |= {f"u{i:03d}": f"completely unrelated message number {i} about the weather in town {i * 7}"
              for i in range(12)}
    keys = sorted(texts)
    reference = None
    for seed in range(4):
        order = keys[:]
        random.Random(seed).shuffle(order)
        index = NearDupIndex(0.8)
        for key in order:
            index.add(key, [texts[key]])
        kept = sorted(k for k in keys if index.is_representative(k))
        assert "t000" in kept and not any(k.startswith("t") and k != "t000" for k in kept)
        reference = reference or kept
        assert kept == reference


def test_candidates_below_the_threshold_are_not_merged():
    index = NearDupIndex(0.9)
    half = "the quick brown fox jumps over the lazy dog near the river bank today"
    longer = half + " and then it runs far away into the dark forest beyond the hills"
    index.add("a", [half])
    index.add("b", [longer])
    assert jaccard(shingles([half]), shingles([longer])) < 0.9
    assert index.is_representative("a") and index.is_representative("b")


def test_incremental_adds_equal_one_batch():
    texts = [f"{BASE} variant {i % 4}" for i in range(20)] + [f"hello number {i} " * 3 for i in range(20)]
    one = NearDupIndex(0.8)
    for i, text in enumerate(texts):
        one.add(i, [text])
    two = NearDupIndex(0.8)
    for i, text in enumerate(texts[:15]):
        two.add(i, [text])
    assert [two.is_representative(i) for i in range(15)]  # a read links the first batch ...
    for i, text in enumerate(texts[15:], start=15):
        two.add(i, [text])
        two.add(i, [text])  # adding a key twice is a no-op
        two.is_representative(i)  # ... and each later read links what came since
    assert len(two) == len(texts)
    assert [one.is_representative(i) for i in range(len(texts))] == [two.is_representative(i) for i in range(len(texts))]
    assert one.clusters() == two.clusters()
    assert one.representatives().tolist() == [one.is_representative(i) for i in range(len(texts))]


def test_clusters_do_not_depend_on_order_or_on_when_reads_link():
    for trial in range(3):
        rng = random.Random(trial)
        bases = [_text(rng, 12) for _ in range(20)]
        texts = {}
        for i in range(300):
            base, r = rng.choice(bases), rng.random()
            texts[f"k{rng.randrange(10**6):06d}-{i}"] = (
                [base] if r < 0.3 else [_edit(rng, base, rng.randint(0, 3))] if r < 0.8 else [_text(rng, 12)])
        reference = NearDupIndex(0.8)
        for key in sorted(texts):
            reference.add(key, texts[key])
        order = list(texts)
        rng.shuffle(order)
        index = NearDupIndex(0.8)
        for key in order:
            index.add(key, texts[key])
            if rng.random() < 0.03:
                index.clusters()  # links what came so far; later adds link against it
        assert {k: index.cluster(k) for k in texts} == {k: reference.cluster(k) for k in texts}
        assert len(reference.clusters()) > 10


def test_empty_user_turns_are_their_own_cluster():
    index = NearDupIndex()
    index.add("a", [])
    index.add("b", [])
    index.add("c", [BASE])
    assert index.is_representative("a") and index.is_representative("b")
    assert index.signature("a") is None and index.signature("c") is not None
    assert index.clusters() == []


def test_repeated_messages_are_joined_without_comparing_every_pair():
    index = NearDupIndex(0.8)
    for i in range(3000):
        index.add(f"k{i:04d}", ["hi there! how are you today?"])
    index.add("other", ["where is my parcel? tracking shows nothing since monday"])
    clusters = index.clusters()
    assert len(clusters) == 1 and len(clusters[0]) == 3000
    assert index.links == 2999  # each copy joined once, straight to the first
    assert index.is_representative("k0000") and index.is_representative("other")
    for i in range(3000, 3010):  # a later round: old copies stay out of the bands
        index.add(f"k{i:04d}", ["hi there! how are you today?"])
    index.add("typo", ["hi there! how are you today?!"])
    assert [len(c) for c in index.clusters()] == [3011]
    assert index.links == 3010 and index.cluster("typo") == "k0000"


def test_large_buckets_are_compared_in_batches_with_the_same_result():
    rng = random.Random(3)
    base = _text(rng, 24)
    texts = [_edit(rng, base, rng.randint(0, 2)) for _ in range(700)]  # ~245,000 candidate pairs
    texts += [_text(rng, 24) for _ in range(100)]
    index = NearDupIndex(0.8)
    for i, text in enumerate(texts):
        index.add(i, [text])
    representatives = index.representatives()
    # every link is a confirmed pair: check the clusters against the signatures directly
    sigs = np.stack([signature([t]) for t in texts])
    for cluster in index.clusters():
        for key in cluster:
            equal = np.count_nonzero(sigs[cluster] == sigs[key], axis=1)
            assert (equal >= min_equal(0.8)).sum() >= 2  # itself and at least one confirmed neighbour
    assert representatives[0] and representatives.sum() < 200


def test_an_index_over_shared_signatures_adds_by_row():
    column = Signatures()
    rows = [column.add([text]) for text in (BASE, BASE.replace("refund", "refnud"), "unrelated words here")]
    index = NearDupIndex(0.8, signatures=column)
    for key, row in zip("abc", rows):
        index.add(key, row=row)
    assert index.clusters() == [["a", "b"]]
    assert np.array_equal(index.signature("a"), signature([BASE]))
    with pytest.raises(ValueError):
        index.add("d", ["messages would append to someone else's column"])
    with pytest.raises(IndexError):
        index.add("e", row=99)
    with pytest.raises(RuntimeError):
        index.attach(Signatures())
    fresh = NearDupIndex(0.8)
    fresh.attach(column)
    fresh.add("a", row=0)
    fresh.add("b", row=1)
    assert fresh.clusters() == [["a", "b"]]


def test_leak_groups_catch_looser_similarity_and_reuse_signatures():
    a = "please change the delivery address of my order ord-11111 to 12 oak street, springfield 40001, thanks a lot"
    b = "please change the delivery address of my order ord-22222 to 12 oak street, shelbyville 40001, thanks a lot"
    c = "what time do you open on sundays?"
    assert 0.5 <= jaccard(shingles([a]), shingles([b])) < 0.8
    column = Signatures()
    strict = NearDupIndex(0.8, signatures=column)
    for key, text in (("a", a), ("b", b), ("c", c)):
        strict.add(key, row=column.add([text]))
    assert strict.clusters() == []  # not near-duplicates ...
    groups = similar_groups([("a", 0), ("b", 1), ("c", 2)], 0.5, signatures=column)
    assert groups == [["a", "b"]]  # ... but similar enough to share a split
    assert similar_groups([("a", [a]), ("b", [b]), ("c", [c])], 0.5) == groups  # the same from texts
    assert len(column) == 3  # nothing signed twice


def test_band_layouts_match_datasketchs_optimiser():
    # The layouts datasketch's MinHashLSH picked (checked against datasketch 1.x/2.x's
    # `_optimal_param`), so dropping it changed no layout.
    assert optimal_bands(0.8, (0.05, 0.95)) == (16, 8)
    assert optimal_bands(0.5) == (25, 5)
    assert optimal_bands(0.7, (0.05, 0.95)) == (21, 6)
    assert optimal_bands(0.9, (0.05, 0.95)) == (9, 14)
    assert NearDupIndex(0.8).bands == (16, 8)


def test_leak_bands_catch_near_duplicates_with_fewer_buckets_than_the_default():
    bands = leak_bands(0.5, 0.8)
    assert bands == (22, 4) and bands[0] * bands[1] <= 128
    assert candidate_probability(0.8, bands) >= 0.995 and candidate_probability(0.5, bands) >= 0.75
    assert candidate_probability(0.25, bands) <= 0.1  # unrelated pairs are rarely compared
    assert bands[0] < optimal_bands(0.5)[0]  # the optimiser's layout for 0.5 is 25 bands of 5


def test_signature_storage_is_compact():
    column = Signatures()
    sig = signature([BASE])
    for _ in range(3 * 4096):
        column.append(sig)
    stored = sum(chunk.nbytes for chunk in column._chunks)
    assert stored == 3 * 4096 * NUM_PERM  # 128 bytes a row, no per-row objects
    assert np.array_equal(column.take(np.array([0, 4096, 12287])), np.stack([sig] * 3))
