"""Numbers in words, both ways."""

import pytest

from simulator.words.number_words import (
    en_words,
    numbers_in_words,
    parse_en,
    parse_zh,
    zh_words,
)


@pytest.mark.parametrize("n", range(100))
def test_words_round_trip(n):
    assert parse_en(en_words(n)) == n
    assert parse_zh(zh_words(n)) == n


@pytest.mark.parametrize("text, value", [("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("九十九", 99)])
def test_parse_zh(text, value):
    assert parse_zh(text) == value


@pytest.mark.parametrize("text", ["十十", "一二", "百", "abc", ""])
def test_parse_zh_refuses_what_it_cannot_read(text):
    assert parse_zh(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [("a couple of nights", {2}), ("住三晚", {3}), ("half an hour", {30, 60}), ("twenty-five guests", {25}),
     ("for a dozen people", {12}), ("nothing", set()), ("a couple of hours", {2, 120}), ("2 hours", {120}),
     ("an hour and a half", {90}), ("1.5 hours", {90}), ("两个小时", {2, 120}), ("一个半小时", {90}),
     ("三小时", {180})],
)
def test_numbers_in_words(text, expected):
    assert expected <= numbers_in_words(text)
    if not expected:
        assert numbers_in_words(text) == set()
