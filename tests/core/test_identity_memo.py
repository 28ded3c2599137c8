"""`by_identity`: one answer per object (not per equal value), kept while the object is, the memo
emptied when full."""

from __future__ import annotations

from simulator.core.identity_memo import by_identity


def test_one_answer_per_object_and_other_arguments():
    calls = []

    @by_identity(8)
    def size(schema: dict, language: str) -> int:
        calls.append((id(schema), language))
        return len(schema)

    a, b = {"type": "string"}, {"type": "string"}  # equal, but two objects
    assert size(a, "en") == size(a, "en") == size(b, "en") == 1
    assert size(a, "zh") == 1
    assert calls == [(id(a), "en"), (id(b), "en"), (id(a), "zh")]


def test_a_full_memo_is_emptied_and_answers_again():
    calls = []

    @by_identity(2)
    def same(obj: list) -> int:
        calls.append(1)
        return len(obj)

    kept = [[i] for i in range(3)]
    for obj in kept:
        same(obj)
    assert len(calls) == 3
    same(kept[2])  # the third went in after the memo was emptied: still known
    assert len(calls) == 3
    same(kept[0])  # emptied with the first two
    assert len(calls) == 4


def test_an_entry_never_answers_for_another_object_with_a_reused_id():
    @by_identity(8)
    def first(obj: list) -> object:
        return obj[0]

    assert first([1]) == 1
    assert first([2]) == 2  # the first list may be gone and its id reused: the entry kept it alive
