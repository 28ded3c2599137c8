"""Near-duplicate clustering: banded candidates confirmed on signatures, clusters that do not
depend on insertion order or on how adds are batched, and the looser leak groups. (Shingles and
signatures: tests/test_minhash.py; band layouts: tests/test_band_layout.py.)"""

from __future__ import annotations

import random

import numpy as np
import pytest

from simulator.curate.minhash import Signatures, jaccard, min_equal, shingles, signature
from simulator.curate.near_dup import NearDupIndex, similar_groups
from tests.similar_texts import BASE, edit_words, request_text


def test_the_default_index_leans_towards_recall():
    assert NearDupIndex(0.8).bands == (16, 8)  # RECALL_WEIGHTS' layout (tests/test_band_layout.py)


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
        a = request_text(rng, 20)
        b = edit_words(rng, a, rng.randint(0, 8))
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
        bases = [request_text(rng, 12) for _ in range(20)]
        texts = {}
        for i in range(300):
            base, r = rng.choice(bases), rng.random()
            texts[f"k{rng.randrange(10**6):06d}-{i}"] = (
                [base] if r < 0.3 else [edit_words(rng, base, rng.randint(0, 3))] if r < 0.8 else [request_text(rng, 12)])
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
    base = request_text(rng, 24)
    texts = [edit_words(rng, base, rng.randint(0, 2)) for _ in range(700)]  # ~245,000 candidate pairs
    texts += [request_text(rng, 24) for _ in range(100)]
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
