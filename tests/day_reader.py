"""The tests' own reading of a relative-day phrase ("tomorrow", "this Saturday", "下周一") against
an episode's simulated today.

Deliberately written apart from `simulator/relative_dates.py`, the module under test: a CLI test
checks that a call carries the day the user *meant*, so it must not ask the code that produced the
day. It reads every phrase `simulator/relative_dates.yaml` can produce, in English and Chinese:
today, tomorrow, the day after tomorrow, in N days / N days from now / N天后 / N天以后 (N from two
to fourteen, in words), this (coming) X / 这周X / 本周X / 这个星期X, and next X / X next week /
下周X / 下星期X / 下个星期X. Weeks run Monday to Sunday; "this X" is only ever said while X is still
ahead, and "next X" is X of the following week."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ZH_WEEKDAYS = "一二三四五六日"
EN_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
             "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14}
ZH_COUNTS = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12, "十三": 13, "十四": 14}

_IN_DAYS = re.compile(r"in (\w+) days|(\w+) days from now|([一二两三四五六七八九十]+)天(?:以)?后")
_THIS = re.compile(r"this (?:coming )?(\w+)|(?:这周|本周|这个星期)(.)")
_NEXT = re.compile(r"next (\w+)|(\w+) next week|(?:下周|下星期|下个星期)(.)")


def _weekday(english: str | None, chinese: str | None) -> int:
    return WEEKDAYS.index(english.lower()) if english else ZH_WEEKDAYS.index(chinese)


def day_meant(phrase: str, today: date) -> date:
    """The day `phrase` (the whole phrase, nothing around it) means when said on `today`."""
    if phrase in ("today", "今天"):
        return today
    if phrase in ("tomorrow", "明天"):
        return today + timedelta(days=1)
    if phrase in ("the day after tomorrow", "后天"):
        return today + timedelta(days=2)
    if m := _IN_DAYS.fullmatch(phrase):
        en, zh = m.group(1) or m.group(2), m.group(3)
        return today + timedelta(days=EN_COUNTS[en] if en else ZH_COUNTS[zh])
    if m := _THIS.fullmatch(phrase):
        target = _weekday(m.group(1), m.group(2))
        assert target > today.weekday(), f"{phrase!r} said on a {WEEKDAYS[today.weekday()]}"
        return today + timedelta(days=target - today.weekday())
    m = _NEXT.fullmatch(phrase)
    assert m, f"not a relative day: {phrase!r}"
    target = _weekday(m.group(1) or m.group(2), m.group(3))
    return today - timedelta(days=today.weekday()) + timedelta(days=7 + target)
