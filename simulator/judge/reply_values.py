"""The checkable values a reply states, with where they stand: identifiers, numbers, dates and
clock times, written as digits or in words ("March 14", "3 pm", "3月14日", "下午三点").

A value is what a fine-tuned model could get wrong by inventing it: `RF-1009` for `RF-1001`,
45.00 for 49.99, the 17th for the 18th. Words that are values (a status, a name) depend on the
pack and are found by `simulator.judge.reply_grounding`; this module only reads the shapes every
pack shares.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from simulator.words.calendar_dates import calendar_dates

# A link, or a run of these characters with a digit or an @ in it. The run is only tried where
# it starts, and its letters are not given back one by one looking for the digit (that made the
# scan quadratic in a word's length): the same matches as [a-z0-9._@:/+#-]*[0-9@][a-z0-9._@:/+#-]*
_TOKEN = re.compile(r"https?://[^\s)\]>\"']+|(?<![a-z0-9._@:/+#-])[a-z._:/+#-]*+[0-9@][a-z0-9._@:/+#-]*")
_EDGE = "._@:/+#-"
_NUMBER = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?$")
_RANGE = re.compile(r"^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")
_WITH_UNIT = re.compile(r"^(\d+(?:\.\d+)?)(?:st|nd|rd|th|x|[a-z]{1,3}|-[a-z]+)$")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:t(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
_EN_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])")
# (?<![0-9.:])(\d\d?)...: led by the digit, the look-behind checking the character before it
# (the same matches), so `re` skips to digits in C; \d\d? is \d{1,2}, found faster; not "ugm3:17.80"
_ZH_TIME = re.compile(r"(\d(?<![0-9.:]\d)\d?)(?:点(半|(\d\d?)分?)?|[:：](\d{2})(?!\d|\.\d))")
_ZH_PERIOD = re.compile(r"(上午|早上|中午|下午|傍晚|晚上)$")
_EN_TIME_HINT = re.compile(r"\d\s*[ap]\.?m")
_ZH_AFTERNOON = ("下午", "傍晚", "晚上")
# Each pattern below starts with what it must match first (a digit, a capital, a literal), never
# with a look-behind or \b: `re` then skips to candidate positions in C instead of trying every
# position (the look-behind checks the same character, after the first one is matched).
ISO_DAY_IN_TEXT = re.compile(r"\d\d{3}-\d{2}-\d{2}")  # \d{4}-\d{2}-\d{2}
CLOCK_IN_TEXT = re.compile(r"(\d\d)(?<!\d\d\d):(\d{2})(?!\d)")  # (?<!\d)(\d{2}):(\d{2})(?!\d)
_HAS_LETTER = re.compile(r"[a-z@]")
_DIGIT = re.compile(r"\d")
_DIGITS = frozenset("0123456789")
_MONTH_HINT = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?<!\w...)")  # \b before the month
_DECADE = re.compile(r"^(\d{2,4})s$")
_SCALES = ("5", "10", "100")
_ID_DIGITS = 7  # a run of this many digits or more is an identifier (a tracking number), not an amount


class Stated(NamedTuple):
    """One value a reply states: `kind` is id, number, date or time; `value` its normal form
    (the lower-cased token, a float, an ISO date, HH:MM); `written` as the reply has it."""

    kind: str
    value: Any
    written: str
    start: int
    end: int


def _clock(hour: int, minute: int) -> str | None:
    return f"{hour:02d}:{minute:02d}" if 0 <= hour <= 24 and 0 <= minute < 60 else None


def _times(low: str) -> list[Stated]:
    found: list[Stated] = []
    if ("am" in low or "pm" in low or "a.m" in low or "p.m" in low) and _EN_TIME_HINT.search(low):
        # the hint's [ap]\.?m, looked for first as text: a scan led by a digit tries each digit
        for match in _EN_TIME.finditer(low):
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if 1 <= hour <= 12:
                clock = _clock(hour % 12 + (12 if match.group(3).startswith("p") else 0), minute)
                if clock:
                    found.append(Stated("time", clock, match.group(), match.start(), match.end()))
    if "点" not in low and ":" not in low and "：" not in low:
        return found
    for match in _ZH_TIME.finditer(low):
        hour = int(match.group(1))
        minute = 30 if match.group(2) == "半" else int(match.group(3) or match.group(4) or 0)
        period = _ZH_PERIOD.search(low[max(0, match.start() - 2):match.start()])
        if period and period.group(1) in _ZH_AFTERNOON and hour < 12:
            hour += 12
        start = period.start() + max(0, match.start() - 2) if period else match.start()
        clock = _clock(hour % 24, minute)
        if clock and not any(s.start <= start < s.end for s in found):
            found.append(Stated("time", clock, low[start:match.end()], start, match.end()))
    return found


def stated_values(text: str, today: date) -> list[Stated]:
    """Every identifier, number, date and time `text` states, in order."""
    if _DIGIT.search(text) is None and "@" not in text:
        return []  # every value this module reads has a digit (or is an e-mail address)
    low = text.lower()
    if "月" in text or _MONTH_HINT.search(low):
        dates = [Stated("date", iso, text[s:e], s, e) for s, e, iso in calendar_dates(text, today)]
        return _values(text, low, dates)
    return list(_undated(text))


@lru_cache(maxsize=4096)
def _undated(text: str) -> tuple[Stated, ...]:
    """The values of a text that names no month: nothing in it depends on the day it is read
    on, so a sentence other episodes said word for word is read once."""
    return tuple(_values(text, text.lower(), []))


def _values(text: str, low: str, found: list[Stated]) -> list[Stated]:
    """The times, identifiers and numbers of `text` (lower-cased: `low`) beside its dates."""
    found += [t for t in _times(low) if not any(s.start <= t.start < s.end for s in found)]
    taken = [(s.start, s.end) for s in found]
    for start, token in _tokens(low):
        if token[0] in _EDGE or token[-1] in _EDGE:  # "(ORD-48291)." -> ORD-48291
            if not token.startswith("http"):
                stripped = token.lstrip(_EDGE)
                start += len(token) - len(stripped)
                token = stripped.rstrip(_EDGE)
                if not token:
                    continue
        end = start + len(token)
        if taken and any(s <= start < e for s, e in taken):
            continue
        if _NUMBER.match(token) is not None:  # the common case, before the rest
            kind = "id" if len(token) >= _ID_DIGITS and token.isdigit() else "number"  # a tracking number
            found.append(_new(Stated, (kind, token if kind == "id" else float(token.replace(",", "")),
                                       text[start:end], start, end)))  # Stated(...), without its Python __new__
        else:
            parts = _classify(token, text[start:end], start, end)
            if taken:  # "check out:6月5日": the 6 is the date's, not a number of its own
                parts = [p for p in parts if not any(a <= p.start < b for a, b in taken)]
            found.extend(parts)
    return sorted(found, key=lambda s: s.start) if taken else found


_new = tuple.__new__
# _TOKEN without its link branch, led by the character before the token (the look-behind's, a
# space put before the text) so `re` skips a word's letters in C: a token is a whole run of
# these characters with a digit or an @ in it. A text without "http" holds no link.
_TOKEN_AFTER = re.compile(r"[^a-z0-9._@:/+#-]([a-z._:/+#-]*+[0-9@][a-z0-9._@:/+#-]*)")


def _tokens(low: str) -> list[tuple[int, str]]:
    """(start, text) of each match of `_TOKEN` in `low` (the tests compare the two)."""
    if "http" in low:
        return [(m.start(), m.group()) for m in _TOKEN.finditer(low)]
    return [(m.start(1) - 1, m.group(1)) for m in _TOKEN_AFTER.finditer(" " + low)]


def _classify(token: str, written: str, start: int, end: int) -> list[Stated]:
    if token[0] not in _DIGITS and ":" not in token and "/" not in token:
        # ORD-48291, a@b.com: every other shape below starts with a digit (or is a link, with its
        # colon): an identifier, told apart without trying each pattern
        return [_new(Stated, ("id", token, written, start, end))] if _DIGIT.search(token) is not None or "@" in token else []
    if token.startswith(("http://", "https://")):
        return [Stated("id", token.rstrip(".,;:!?"), written, start, end)]
    if (":" in token or "/" in token) and not _ISO.match(token) and not _CLOCK.match(token):
        # "liwan:2026-10-06" is two values a list wrote without a space; in "7.40/10" the 10 is
        # the scale, not a value
        out: list[Stated] = []
        offset = start
        for part in re.split(r"[:/]", token):
            scale = offset > start and token[offset - start - 1] == "/" and part in _SCALES
            bare = part.lstrip(_EDGE)  # "percent:-1.80": the value is 1.80 (a sign reads as none, as elsewhere)
            at = offset + len(part) - len(bare)
            if bare and not scale:
                out += _classify(bare, written[at - start:at - start + len(bare)], at, at + len(bare))
            offset += len(part) + 1
        return out
    if _NUMBER.match(token):
        return [Stated("number", float(token.replace(",", "")), written, start, end)]
    if (iso := _ISO.match(token)) is not None:
        out = [Stated("date", iso.group(1), written, start, end)]
        return out + ([Stated("time", iso.group(2), written, start, end)] if iso.group(2) else [])
    if (clock := _CLOCK.match(token)) is not None:
        value = _clock(int(clock.group(1)), int(clock.group(2)))
        return [Stated("time", value, written, start, end)] if value else []
    if (span := _RANGE.match(token)) is not None:
        return [Stated("number", float(g), written, start, end) for g in span.groups()]
    if (decade := _DECADE.match(token)) is not None:
        return [Stated("number", float(decade.group(1)), written, start, end)]
    if (unit := _WITH_UNIT.match(token)) is not None:
        return [Stated("number", float(unit.group(1)), written, start, end)]
    if _DIGIT.search(token) is not None or "@" in token:  # ORD-48291, a@b.com, 2.1.3, 555-0100
        return [Stated("id", token, written, start, end)]
    return []
