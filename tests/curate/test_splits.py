"""Splits: stratified by tool and category, deterministic, and leak-free — no user message and
no near-duplicate pair in two splits."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.curate.curator import Curator
from simulator.curate.minhash import jaccard, shingles
from simulator.curate.splits import split
from simulator.curate.summaries import Summaries
from simulator.plan.targets import Targets

RATIOS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def summary(i: int, tool: str | None = "refund", category: str = "positive", users=None, into=None):
    users = list(users) if users is not None else [f"message {i}"]
    store = into if into is not None else Summaries()
    return store[store.add(f"t{i:05d}", tool=tool, category=category, persona="p", language="en", users=users)]


def _splits_of_messages(summaries, assignment):
    where: dict[int, set[str]] = {}  # message hash -> splits
    for s in summaries:
        for m in s.user_key:
            where.setdefault(m, set()).add(assignment[s.id])
    return where


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=120),
    vocabulary=st.integers(min_value=1, max_value=200),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_no_user_message_is_in_two_splits(n, vocabulary, seed):
    rng = random.Random(seed)
    summaries = [
        summary(i, tool=rng.choice(["a", "b", None]), category=rng.choice(["positive", "hard"]),
                users=[f"m{rng.randrange(vocabulary)}" for _ in range(rng.randint(1, 3))])
        for i in range(n)
    ]
    assignment = split(summaries, RATIOS, seed)
    assert set(assignment) == {s.id for s in summaries}
    assert set(assignment.values()) <= set(RATIOS)
    assert all(len(splits) == 1 for splits in _splits_of_messages(summaries, assignment).values())


def test_split_ratios_hold_per_stratum_and_are_deterministic():
    summaries = [summary(i, tool=t, category=c) for i, (t, c) in
                 enumerate([(t, c) for t in ("a", "b") for c in ("positive", "hard") for _ in range(250)])]
    assignment = split(summaries, RATIOS, seed=7)
    assert assignment == split(list(reversed(summaries)), RATIOS, seed=7)  # order-independent too
    overall = Counter(assignment.values())
    assert overall == {"train": 800, "validation": 100, "test": 100}
    per_stratum = Counter((s.tool, s.category, assignment[s.id]) for s in summaries)
    assert all(per_stratum[(t, c, "test")] == 25 for t in ("a", "b") for c in ("positive", "hard"))
    assert split(summaries, RATIOS, seed=8) != assignment  # the seed matters


def test_many_small_strata_still_add_up_to_the_ratios():
    summaries = [summary(i, tool=f"tool{i % 100}", category="positive") for i in range(500)]  # 100 strata of 5
    overall = Counter(split(summaries, RATIOS, seed=1).values())
    assert abs(overall["train"] - 400) <= 10
    assert abs(overall["validation"] - 50) <= 10 and abs(overall["test"] - 50) <= 10


def test_groups_move_whole_and_largest_go_first():
    shared = [summary(i, users=["same opening", f"reply {i}"]) for i in range(30)]
    singles = [summary(100 + i) for i in range(70)]
    assignment = split(shared + singles, RATIOS, seed=3)
    assert len({assignment[s.id] for s in shared}) == 1
    assert assignment[shared[0].id] == "train"  # the big group goes where the most room is
    assert Counter(assignment.values())["test"] >= 5


def test_zero_ratio_splits_stay_empty():
    summaries = [summary(i) for i in range(50)]
    assignment = split(summaries, {"train": 0.9, "validation": 0.1, "test": 0.0}, seed=0)
    assert "test" not in assignment.values()
    assert Counter(assignment.values()) == {"train": 45, "validation": 5}


def test_link_groups_stay_in_one_split():
    summaries = [summary(i) for i in range(100)]
    links = [[f"t{i:05d}" for i in range(0, 40, 4)], ["t00001", "t00099", "not-a-chosen-id"]]
    assignment = split(summaries, RATIOS, seed=5, links=links)
    assert len({assignment[k] for k in links[0]}) == 1
    assert assignment["t00001"] == assignment["t00099"]


WORDS = ("order refund parcel address broken late email receipt kettle blender lid cracked monday "
         "tracking courier invoice street city postal please thanks help again still waiting where when").split()


def _message(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(14)) + f" ord-{rng.randrange(10000, 99999)}"


def _variant(rng: random.Random, text: str) -> str:
    """A typo (a near-duplicate) or a few words changed (similar, not a near-duplicate)."""
    if rng.random() < 0.5:
        j = rng.randrange(len(text) - 1)
        return text[:j] + text[j + 1] + text[j] + text[j + 2:]
    words = text.split()
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def test_no_near_duplicate_pair_crosses_splits():
    rng = random.Random(11)
    texts = [_message(rng) for _ in range(240)]
    texts += [_variant(rng, rng.choice(texts)) for _ in range(160)]
    summaries = Summaries()
    for i, text in enumerate(texts):
        summary(i, tool=rng.choice(["a", "b"]), category=rng.choice(["positive", "hard"]), users=[text], into=summaries)
    targets = Targets(cells={"a": 400, "b": 400}, min_multi_turn=0)
    curator = Curator(targets, near_threshold=0.8, leak_threshold=0.5)
    chosen = curator.curate(summaries).chosen
    assignment = curator.split(chosen, RATIOS, seed=3)
    grams = {s.id: shingles([texts[s.row]]) for s in chosen}
    pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]
             if jaccard(grams[a.id], grams[b.id]) >= 0.8]
    assert len(chosen) < len(summaries)  # near-duplicates were removed ...
    crossing = [(a.id, b.id) for a, b in pairs if assignment[a.id] != assignment[b.id]]
    assert crossing == []  # ... and whatever similar pairs remain share a split
    similar = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]
               if 0.5 <= jaccard(grams[a.id], grams[b.id]) < 0.8]
    assert similar and sum(assignment[a.id] != assignment[b.id] for a, b in similar) <= len(similar) // 20
    share = Counter(assignment.values())
    assert abs(share["train"] / len(chosen) - 0.8) < 0.05


def _held(n: int, hold_out_key: str, seed: int):
    """`n` summaries over few templates and personas, each with a message of its own."""
    rng = random.Random(seed)
    store = Summaries()
    for i in range(n):
        store.add(f"t{i:05d}", tool=rng.choice(["a", "b"]), category=rng.choice(["positive", "hard"]),
                  persona=f"p{rng.randrange(9)}", language="en", users=[f"own message {i}"],
                  template=f"s{rng.randrange(5)}#en.{rng.randrange(4)}")
    return list(store)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=200), seed=st.integers(min_value=0, max_value=10_000),
       hold_out=st.sampled_from(["template", "persona"]))
def test_held_out_templates_and_personas_never_cross_splits(n, seed, hold_out):
    summaries = _held(n, hold_out, seed)
    assignment = split(summaries, RATIOS, seed, hold_out=hold_out)
    where: dict[str, set[str]] = {}
    for s in summaries:
        where.setdefault(s.template if hold_out == "template" else s.persona, set()).add(assignment[s.id])
    assert all(len(splits) == 1 for splits in where.values())


def test_template_hold_out_still_fills_every_split():
    summaries = _held(600, "template", seed=3)
    counts = Counter(split(summaries, RATIOS, seed=3, hold_out="template").values())
    assert set(counts) == set(RATIOS) and counts["train"] > counts["validation"] > 0 and counts["test"] > 0
    # without holding templates out, one template's records land in several splits
    loose = split(summaries, RATIOS, seed=3, hold_out="none")
    spread = {s.template for s in summaries if loose[s.id] != "train"} & {s.template for s in summaries if loose[s.id] == "train"}
    assert spread


def test_an_unknown_hold_out_is_refused():
    import pytest

    with pytest.raises(ValueError, match="hold_out"):
        split(_held(3, "template", 0), RATIOS, 0, hold_out="scenario")
