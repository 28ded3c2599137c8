"""Near-duplicate clustering: shingles, MinHash LSH candidates confirmed on signatures, and
clusters that do not depend on insertion order."""

from __future__ import annotations

import random

from simulator.near_dup import NearDupIndex, candidate_probability, jaccard, leak_bands, shingles, similar_groups

BASE = "i need a refund for ord-48291, the blender arrived broken and the lid is cracked"


def test_shingles_are_character_five_grams_within_each_message():
    assert shingles(["abcdef"]) == {b"abcde", b"bcdef"}
    assert shingles(["hi", ""]) == {b"hi"}  # short messages are one shingle, empty ones none
    assert b"efxyz" not in shingles(["abcdef", "xyzuvw"])  # never across two messages
    zh = shingles(["我想退货，订单号是ORD-12345"])
    assert "我想退货，".encode() in zh  # Chinese needs no spaces


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
    index.add("a", [half])
    index.add("b", [half + " and then it runs far away into the dark forest beyond the hills"])
    assert jaccard(shingles([half]), shingles([half + " and then it runs far away into the dark forest beyond the hills"])) < 0.9
    assert index.is_representative("a") and index.is_representative("b")


def test_incremental_adds_equal_one_batch():
    texts = [f"{BASE} variant {i % 4}" for i in range(20)] + [f"hello number {i} " * 3 for i in range(20)]
    one = NearDupIndex(0.8)
    for i, text in enumerate(texts):
        one.add(i, [text])
    two = NearDupIndex(0.8)
    for i, text in enumerate(texts[:15]):
        two.add(i, [text])
    for i, text in enumerate(texts[15:], start=15):
        two.add(i, [text])
        two.add(i, [text])  # adding a key twice is a no-op
    assert len(two) == len(texts)
    assert [one.is_representative(i) for i in range(len(texts))] == [two.is_representative(i) for i in range(len(texts))]


def test_empty_user_turns_are_their_own_cluster():
    index = NearDupIndex()
    index.add("a", [])
    index.add("b", [])
    assert index.is_representative("a") and index.is_representative("b")
    assert index.signature("a") is None


def test_leak_groups_catch_looser_similarity_and_reuse_signatures():
    a = "please change the delivery address of my order ord-11111 to 12 oak street, springfield 40001, thanks a lot"
    b = "please change the delivery address of my order ord-22222 to 12 oak street, shelbyville 40001, thanks a lot"
    c = "what time do you open on sundays?"
    assert 0.5 <= jaccard(shingles([a]), shingles([b])) < 0.8
    strict = NearDupIndex(0.8)
    for key, text in (("a", a), ("b", b), ("c", c)):
        strict.add(key, [text])
    assert strict.clusters() == []  # not near-duplicates ...
    groups = similar_groups([("a", [a]), ("b", [b]), ("c", [c])], 0.5, source=strict)
    assert groups == [["a", "b"]]  # ... but similar enough to share a split
    assert similar_groups([("a", [a]), ("b", [b]), ("c", [c])], 0.5) == groups  # same without reuse


def test_leak_bands_catch_near_duplicates_with_fewer_buckets_than_the_default():
    bands = leak_bands(0.5, 0.8)
    assert bands is not None and bands[0] * bands[1] <= 128
    assert candidate_probability(0.8, bands) >= 0.995 and candidate_probability(0.5, bands) >= 0.5
    assert candidate_probability(0.25, bands) <= 0.1  # unrelated pairs are rarely compared
    assert bands[0] < 25  # datasketch's own optimum for 0.5 is 25 bands of 5
