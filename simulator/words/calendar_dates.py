"""Calendar dates written out, read back as ISO dates: "March 14", "14 March 2026", "Mar 14, 2026",
"3月14日", "2026年3月14日"; and an ISO date-time written out the way a reply says it to a person
(`date_time_in_words`), in words this module reads back.

A reply that says "your parcel arrives on March 14" states a date as surely as one that writes
2026-03-14; the judge checks both against the results. A date without a year is read in the
year that puts it nearest to the episode's today (a reply in late December saying "January 3"
means the coming one).
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH = "|".join(f"{m[:3]}(?:{m[3:]})?\\.?" if len(m) > 3 else m for m in MONTHS)
_EN_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.IGNORECASE)
_EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})(?:,?\s+(\d{{4}}))?\b", re.IGNORECASE)
_ZH_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")


def _month(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(key))


def _resolve(year: str | None, month: int, day: int, today: date) -> str | None:
    try:
        if year:
            return date(int(year), month, day).isoformat()
        options = [date(today.year + d, month, day) for d in (-1, 0, 1)]
    except ValueError:
        return None
    return min(options, key=lambda d: abs((d - today).days)).isoformat()


def calendar_dates(text: str, today: date) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every calendar date written out in `text`."""
    found: list[tuple[int, int, str]] = []
    for match in _EN_MONTH_DAY.finditer(text):
        iso = _resolve(match.group(3), _month(match.group(1)), int(match.group(2)), today)
        if iso:
            found.append((match.start(), match.end(), iso))
    for match in _EN_DAY_MONTH.finditer(text):
        if any(s <= match.start() < e for s, e, _ in found):
            continue
        iso = _resolve(match.group(3), _month(match.group(2)), int(match.group(1)), today)
        if iso:
            found.append((match.start(), match.end(), iso))
    for match in _ZH_DATE.finditer(text):
        iso = _resolve(match.group(1), int(match.group(2)), int(match.group(3)), today)
        if iso:
            found.append((match.start(), match.end(), iso))
    return sorted(found)


_ISO_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def date_time_in_words(value: str, language: str) -> str | None:
    """An ISO date-time as an assistant tells it: "19:00 on November 19, 2026" ("20:40 UTC on ..."
    for a time stamp in UTC), "2026年11月19日 19:00"; None if `value` is not one.

    Why: a reply that reads out `2026-11-19T19:00:00+01:00` teaches a model to answer people in
    machine time stamps. The words keep everything the judge checks — the day (read back by
    `calendar_dates`, year included), the clock time as HH:MM, which the stamp holds — and a
    UTC stamp says so, since its clock time is not the user's; another offset is the time where
    the thing happens (an event's own zone) and is said as it is."""
    found = _ISO_DATE_TIME.fullmatch(value)
    if found is None:
        return None
    year, month, day, hour, minute, zone = found.groups()
    if not 1 <= int(month) <= 12 or not 1 <= int(day) <= 31:
        return None
    utc = " UTC" if zone in ("Z", "+00:00") else ""
    if language == "zh":
        return f"{year}年{int(month)}月{int(day)}日 {hour}:{minute}{utc}"
    return f"{hour}:{minute}{utc} on {MONTHS[int(month) - 1].capitalize()} {int(day)}, {year}"
