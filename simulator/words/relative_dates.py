"""Relative days ("tomorrow", "this Saturday", "下周一") against an episode's simulated today.

A model that books "tomorrow" must turn it into an ISO date, and learns that only from data whose
dates are right. Three parts of toolsim must agree on what a phrase means, so they share this
module: a scenario's `date:` slot (what the user says and what the call must carry), the system
prompt's `{today}` (what the assistant knows), and the rule judge's grounding check (which accepts
a date in a call only when a phrase the user wrote resolves to it).

Meanings (ISO weeks run Monday to Sunday):
- `today`, `tomorrow`, `day_after_tomorrow`, `in_<n>_days` (2 <= n <= 14): today plus 0, 1, 2, n;
- `this_<weekday>`: that day of the current week when it is still ahead, else the same weekday of
  next week, said as `next_<weekday>` (a user never says "this Monday" on a Thursday);
- `next_<weekday>`: that day of next week ("next Monday" = "Monday next week" = 下周一);
- `any`: one of the above, drawn from the episode's rng.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.core.data_files import read_data_yaml
from simulator.words.number_words import en_words, parse_en, parse_zh, zh_words

PHRASES_FILE = Path(__file__).with_name("relative_dates.yaml")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ZH_WEEKDAY_DIGITS = "一二三四五六日"
MAX_DAYS = 14
_EXPRESSION = re.compile(
    r"^(?:any|today|tomorrow|day_after_tomorrow|in_(\d+)_days|(this|next)_(" + "|".join(WEEKDAYS) + r"))$"
)


def check_expression(expression: str) -> None:
    """Raise `ValueError` (a readable one: it becomes a `file:line` problem) for an unknown day."""
    match = _EXPRESSION.match(expression)
    if match is None:
        raise ValueError(
            f"unknown relative day {expression!r}: use today, tomorrow, day_after_tomorrow, in_<n>_days, "
            "this_<weekday>, next_<weekday> or any"
        )
    if match.group(1) is not None and not 2 <= int(match.group(1)) <= MAX_DAYS:
        raise ValueError(f"{expression!r}: in_<n>_days takes 2 <= n <= {MAX_DAYS}")


@lru_cache(maxsize=1)
def _phrases() -> dict[str, dict[str, list[str]]]:
    return read_data_yaml(PHRASES_FILE)


def day_of(expression: str, today: date) -> tuple[str, date]:
    """The canonical expression actually meant and its date (`this_monday` on a Friday becomes
    `next_monday`)."""
    check_expression(expression)
    if expression == "today":
        return expression, today
    if expression == "tomorrow":
        return expression, today + timedelta(days=1)
    if expression == "day_after_tomorrow":
        return expression, today + timedelta(days=2)
    if expression.startswith("in_"):
        return expression, today + timedelta(days=int(expression.split("_")[1]))
    kind, _, weekday = expression.partition("_")
    target = WEEKDAYS.index(weekday)
    if kind == "this" and target > today.weekday():
        return expression, today + timedelta(days=target - today.weekday())
    return f"next_{weekday}", today + timedelta(days=7 - today.weekday() + target)


def _any_expression(today: date, rng: random.Random) -> str:
    ahead = [f"this_{WEEKDAYS[d]}" for d in range(today.weekday() + 1, 7)]
    options = ["tomorrow", "day_after_tomorrow", f"in_{rng.randint(3, 6)}_days", f"next_{rng.choice(WEEKDAYS)}"]
    return rng.choice(options + ahead[:2])


def say(expression: str, language: str, rng: random.Random) -> str:
    """One way a user says a (canonical, resolved) expression in a language."""
    table = _phrases()[language]
    if expression.startswith("in_"):
        n = int(expression.split("_")[1])
        return rng.choice(table["in_days"]).format(n=en_words(n) if language == "en" else zh_words(n))
    if expression.startswith(("this_", "next_")):
        kind, _, weekday = expression.partition("_")
        index = WEEKDAYS.index(weekday)
        return rng.choice(table[f"{kind}_weekday"]).format(Weekday=weekday.capitalize(), d=ZH_WEEKDAY_DIGITS[index])
    return rng.choice(table[expression])


def resolve(spec: str | list[str], today: date, rng: random.Random) -> dict[str, Any]:
    """A `date:` slot's value: what the user says per language (`en`, `zh`), the ISO date the
    call carries (`code`), and the weekday, e.g. for `this_saturday` on Wed 2026-03-11:
    `{code: 2026-03-14, en: "this Saturday", zh: "这周六", weekday: Saturday, expression: this_saturday}`."""
    expression = rng.choice(spec) if isinstance(spec, list) else spec
    if expression == "any":
        expression = _any_expression(today, rng)
    meant, day = day_of(expression, today)
    return {
        "code": day.isoformat(),
        "en": say(meant, "en", rng),
        "zh": say(meant, "zh", rng),
        "weekday": WEEKDAYS[day.weekday()].capitalize(),
        "expression": meant,
    }


# ---------------------------------------------------------------- reading phrases back

_WEEKDAY_EN = "|".join(WEEKDAYS)
_ZH_DAY = "[一二三四五六日天]"
_COUNT_EN = r"(\d+|[a-z]+(?:-[a-z]+)?)"
_COUNT_ZH = r"(\d+|[一二两三四五六七八九十]+)"
_READERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\btoday\b|今天"), "today"),
    (re.compile(r"\btomorrow\b|明天"), "tomorrow"),
    (re.compile(r"\bday after tomorrow\b|(?<!大)后天"), "day_after_tomorrow"),
    (re.compile(r"大后天"), "in_3_days"),
    (re.compile(rf"\bin {_COUNT_EN} days\b|\b{_COUNT_EN} days from now\b"), "in_days"),
    (re.compile(rf"{_COUNT_ZH}天(?:后|以后|之后)"), "in_days"),
    (re.compile(rf"\bthis (?:coming )?({_WEEKDAY_EN})\b"), "this"),
    (re.compile(rf"\bnext ({_WEEKDAY_EN})\b|\b({_WEEKDAY_EN}) next week\b"), "next"),
    (re.compile(rf"(?:这|本)(?:周|星期|个星期)({_ZH_DAY})"), "this"),
    (re.compile(rf"下(?:周|星期|个星期)({_ZH_DAY})"), "next"),
]


def _count(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return parse_en(text) if text.isascii() else parse_zh(text)


def _weekday(text: str) -> str:
    if text in WEEKDAYS:
        return text
    return WEEKDAYS[6 if text in "日天" else ZH_WEEKDAY_DIGITS.index(text)]


def dates_mentioned(text: str, today: date) -> set[str]:
    """ISO dates that relative-day phrases in `text` resolve to against `today` (lower-cased
    English and Chinese, the spellings of `relative_dates.yaml` and a few more)."""
    lowered = text.lower()
    found: set[str] = set()
    matches = [(match, kind) for pattern, kind in _READERS for match in pattern.finditer(lowered)]
    taken: list[tuple[int, int]] = []  # "tomorrow" of "the day after tomorrow" is no date of its own
    for match, kind in sorted(matches, key=lambda mk: mk[0].start() - mk[0].end()):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        taken.append(match.span())
        groups = [g for g in match.groups() if g]
        if kind in ("today", "tomorrow", "day_after_tomorrow", "in_3_days"):
            expression = kind
        elif kind == "in_days":
            n = _count(groups[0]) if groups else None
            if n is None or not 0 <= n <= 366:
                continue
            found.add((today + timedelta(days=n)).isoformat())
            continue
        else:
            expression = f"{kind}_{_weekday(groups[0])}"
        found.add(day_of(expression, today)[1].isoformat())
    return found


def fill_today(prompt: str, today: date) -> str:
    """A system prompt with `{today}` (ISO date) and `{weekday}` filled in; other braces stay."""
    if "{" not in prompt:
        return prompt
    return prompt.replace("{today}", today.isoformat()).replace("{weekday}", WEEKDAYS[today.weekday()].capitalize())


# ---------------------------------------------------------------- clock times

_EN_CLOCK = re.compile(r"\b(\d{1,2}|[a-z]+)(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])")
_ZH_CLOCK = re.compile(r"(上午|早上|早晨|中午|下午|傍晚|晚上)?(\d{1,2}|[一二两三四五六七八九十]+)点(半|(\d{1,2}|[一二三四五六七八九十]+)分)?")
_ZH_AFTERNOON = ("下午", "傍晚", "晚上")


def times_mentioned(text: str) -> set[str]:
    """Clock times said in words, as `HH:MM`: "3 pm" / "three p.m." / "下午三点半" -> 15:00 / 15:30;
    "noon" -> 12:00. (Written `15:00` needs no reading: it is evidence as it stands.)"""
    lowered = text.lower()
    found: set[str] = set()
    if "noon" in lowered or "中午十二点" in text:
        found.add("12:00")
    if "midnight" in lowered or "午夜" in text:
        found.add("00:00")
    for match in _EN_CLOCK.finditer(lowered):
        hour = _count(match.group(1))
        if hour is None or not 1 <= hour <= 12:
            continue
        minute = int(match.group(2) or 0)
        hour = hour % 12 + (12 if match.group(3).startswith("p") else 0)
        found.add(f"{hour:02d}:{minute:02d}")
    for match in _ZH_CLOCK.finditer(text):
        hour = _count(match.group(2))
        if hour is None or not 0 <= hour <= 24:
            continue
        minute = 30 if match.group(3) == "半" else (_count(match.group(4)) if match.group(4) else 0)
        if minute is None or minute >= 60:
            continue
        if match.group(1) in _ZH_AFTERNOON and hour < 12:
            hour += 12
        found.add(f"{hour % 24:02d}:{minute:02d}")
    return found
