"""Numbers written as words, both ways: "three" / "三" to 3, and 3 to "three" / "三".

Users say "a couple of nights", "三天后", "half an hour"; the call carries 2, 3, 30. Two places
need the mapping and must agree: the relative-date phrases (`simulator.words.relative_dates` writes
"in three days" / "三天后") and the rule judge's grounding check, which accepts a number in a call
when the user wrote it in words. Deliberately small: the counts people say in requests (0–99 and
a few idioms), not a general numeral parser.
"""

from __future__ import annotations

import re

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
EN_IDIOMS: dict[str, float] = {
    "a couple of": 2, "a couple": 2, "a pair of": 2, "a dozen": 12, "half a dozen": 6, "a single": 1,
    "half an hour": 30, "an hour and a half": 90, "a quarter of an hour": 15, "a fortnight": 14,
    "a week": 7, "a hundred": 100, "an hour": 60,
}
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_IDIOMS: dict[str, float] = {"半小时": 30, "半个小时": 30, "一个半小时": 90, "一刻钟": 15, "半天": 0.5, "一周": 7, "一个星期": 7}

_EN_WORD = re.compile(
    r"\b(?:(" + "|".join(_EN_TENS) + r")(?:[- ](one|two|three|four|five|six|seven|eight|nine))?|("
    + "|".join(_EN_UNITS) + r"))\b",
    re.IGNORECASE,
)
_ZH_NUMBER = re.compile(r"[零一二两俩三仨四五六七八九十]+")


def en_words(n: int) -> str:
    """0 <= n < 100 in English words: 3 -> "three", 42 -> "forty-two"."""
    if not 0 <= n < 100:
        raise ValueError(f"{n} is outside 0..99")
    if n < 20:
        return _EN_UNITS[n]
    tens = next(word for word, value in _EN_TENS.items() if value == n - n % 10)
    return tens if n % 10 == 0 else f"{tens}-{_EN_UNITS[n % 10]}"


def zh_words(n: int) -> str:
    """0 <= n < 100 in Chinese numerals: 3 -> "三", 12 -> "十二", 20 -> "二十"."""
    digits = "零一二三四五六七八九"
    if not 0 <= n < 100:
        raise ValueError(f"{n} is outside 0..99")
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def parse_zh(text: str) -> int | None:
    """"三" -> 3, "十二" -> 12, "二十五" -> 25, "两" -> 2; None for anything else."""
    if not text or not _ZH_NUMBER.fullmatch(text):
        return None
    if "十" not in text:
        return _ZH_DIGITS[text] if len(text) == 1 else None
    tens_part, _, units_part = text.partition("十")
    if "十" in units_part or len(tens_part) > 1 or len(units_part) > 1:
        return None
    tens = _ZH_DIGITS.get(tens_part, -1) if tens_part else 1
    units = _ZH_DIGITS.get(units_part, -1) if units_part else 0
    return None if tens < 1 or units < 0 else tens * 10 + units


def parse_en(word: str) -> int | None:
    """"three" -> 3, "forty-two" / "forty two" -> 42; None for anything else."""
    match = _EN_WORD.fullmatch(word.strip().lower())
    if not match:
        return None
    if match.group(3):
        return _EN_UNITS.index(match.group(3).lower())
    return _EN_TENS[match.group(1).lower()] + (_EN_UNITS.index(match.group(2).lower()) if match.group(2) else 0)


_EN_HOURS = re.compile(r"\b(\d+(?:\.\d+)?|a couple of|a few|an|a|[a-z]+(?:-[a-z]+)?)( and a half)? hours?\b")
_ZH_HOURS = re.compile(r"(\d+(?:\.\d+)?|[零一二两俩三仨四五六七八九十]+)个?(半)?(?:小时|钟头)")


def _hours_as_minutes(text: str) -> set[float]:
    """"two hours" / "a couple of hours" / "1.5 hours" / "两个半小时" as minutes (120, 120, 90, 150):
    durations are said in hours and called in minutes."""
    found: set[float] = set()
    for pattern, count_group, half_group in ((_EN_HOURS, 1, 2), (_ZH_HOURS, 1, 2)):
        for match in pattern.finditer(text):
            word = match.group(count_group)
            if word in ("an", "a"):
                hours: float | None = 1
            elif word == "a couple of":
                hours = 2
            elif word == "a few":
                continue
            elif word[0].isdigit():
                hours = float(word)
            else:
                hours = parse_en(word) if word.isascii() else parse_zh(word)
            if hours is not None:
                found.add((hours + (0.5 if match.group(half_group) else 0)) * 60)
    return found


def numbers_in_words(text: str) -> set[float]:
    """Every number written in words in a text ("a couple of nights" -> {2}, "三晚" -> {3}), and
    hours said as hours also as minutes ("two hours" -> {2, 120})."""
    lowered = text.lower()
    found: set[float] = {value for idiom, value in EN_IDIOMS.items() if idiom in lowered}
    found.update(value for idiom, value in ZH_IDIOMS.items() if idiom in text)
    for match in _EN_WORD.finditer(lowered):
        value = parse_en(match.group(0))
        if value is not None:
            found.add(value)
    for match in _ZH_NUMBER.finditer(text):
        value = parse_zh(match.group(0))
        if value is not None:
            found.add(value)
    return found | _hours_as_minutes(lowered)
