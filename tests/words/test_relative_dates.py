"""Relative days: what a `date:` slot says and means, and reading phrases back for the judge."""

import random
from datetime import date

import pytest

from simulator.words.relative_dates import (
    check_expression,
    dates_mentioned,
    day_of,
    fill_today,
    resolve,
    times_mentioned,
)

WED = date(2026, 3, 11)  # a Wednesday
SUN = date(2026, 3, 15)


@pytest.mark.parametrize(
    "expression, today, meant, day",
    [
        ("today", WED, "today", "2026-03-11"),
        ("tomorrow", WED, "tomorrow", "2026-03-12"),
        ("day_after_tomorrow", WED, "day_after_tomorrow", "2026-03-13"),
        ("in_3_days", WED, "in_3_days", "2026-03-14"),
        ("this_saturday", WED, "this_saturday", "2026-03-14"),
        ("this_monday", WED, "next_monday", "2026-03-16"),  # Monday has passed: said as next Monday
        ("this_wednesday", WED, "next_wednesday", "2026-03-18"),  # never "this Wednesday" on a Wednesday
        ("next_monday", WED, "next_monday", "2026-03-16"),
        ("next_friday", WED, "next_friday", "2026-03-20"),  # next week's Friday, not the day after tomorrow
        ("next_monday", SUN, "next_monday", "2026-03-16"),
        ("this_sunday", date(2026, 12, 30), "this_sunday", "2027-01-03"),  # across the year end
    ],
)
def test_day_of(expression, today, meant, day):
    assert day_of(expression, today) == (meant, date.fromisoformat(day))


@pytest.mark.parametrize("bad", ["yesterday", "in_1_days", "in_15_days", "this_funday", "next week"])
def test_unknown_expressions_are_refused(bad):
    with pytest.raises(ValueError, match="relative day|in_<n>_days"):
        check_expression(bad)


def test_resolved_slot_says_what_it_means_in_both_languages():
    value = resolve("this_saturday", WED, random.Random(1))
    assert value["code"] == "2026-03-14" and value["weekday"] == "Saturday"
    assert value["en"] in ("this Saturday", "this coming Saturday")
    assert value["zh"] in ("这周六", "本周六", "这个星期六")
    assert resolve("in_3_days", WED, random.Random(2))["zh"] in ("三天后", "三天以后")


def test_any_is_deterministic_and_always_reads_back_to_its_code():
    for seed in range(200):
        today = date(2026, 1, 1).fromordinal(date(2026, 1, 1).toordinal() + seed)
        a, b = resolve("any", today, random.Random(seed)), resolve("any", today, random.Random(seed))
        assert a == b
        assert a["code"] > today.isoformat()
        # what the user says must mean the date the call carries, in either language
        assert a["code"] in dates_mentioned(a["en"], today), a
        assert a["code"] in dates_mentioned(a["zh"], today), a


@pytest.mark.parametrize(
    "text, days",
    [
        ("Book it for tomorrow please", ["2026-03-12"]),
        ("我想订后天的", ["2026-03-13"]),
        ("大后天出发", ["2026-03-14"]),
        ("in two days", ["2026-03-13"]),
        ("三天后", ["2026-03-14"]),
        ("Saturday next week", ["2026-03-21"]),
        ("下星期一", ["2026-03-16"]),
        ("这周日", ["2026-03-15"]),
        ("no date here", []),
        ("the day after tomorrow", ["2026-03-13"]),  # its "tomorrow" is no date of its own
        ("tomorrow or the day after tomorrow", ["2026-03-12", "2026-03-13"]),
    ],
)
def test_dates_mentioned(text, days):
    assert sorted(dates_mentioned(text, WED)) == days


@pytest.mark.parametrize(
    "text, times",
    [("at 3 pm", {"15:00"}), ("three p.m.", {"15:00"}), ("9:30am", {"09:30"}), ("下午三点半", {"15:30"}),
     ("上午10点", {"10:00"}), ("at noon", {"12:00"}), ("room 3", set())],
)
def test_times_mentioned(text, times):
    assert times_mentioned(text) == times


def test_fill_today_leaves_other_braces_alone():
    assert fill_today("Today is {today} ({weekday}). JSON: {\"a\": 1}", WED) == 'Today is 2026-03-11 (Wednesday). JSON: {"a": 1}'
