"""What a reply may state: the evidence before it (system prompt, user messages, tool
results), kept incrementally as `simulator.judge.reply_grounding` walks a trace once.

Reading is lazy where it can be: a result's numbers, the lengths of its lists and the dates and
times written anywhere are read on the first reply that states a number, a date or a time, so
the many replies that state none cost nothing for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from simulator.core.messages import ToolCall
from simulator.judge.conversation import TextNumbers, normalize, numbers_in
from simulator.judge.grounding import token_in
from simulator.judge.reply_values import CLOCK_IN_TEXT, ISO_DAY_IN_TEXT
from simulator.judge.result_fields import Record, list_lengths
from simulator.words.relative_dates import WEEKDAYS, fill_today

@dataclass
class Finding:
    """What is wrong with one value a reply stated."""

    message: int
    value: str
    problem: str | None = None


@dataclass
class Evidence:
    """The evidence before a reply, and this turn's records (see the module's docstring)."""

    parts: list[str] = field(default_factory=list)
    raw_parts: list[str] = field(default_factory=list)  # as written (names keep their case)
    said: list[str] = field(default_factory=list)  # the user's messages, as written
    numbers: set[float] = field(default_factory=set)  # with the lengths of results' lists ("3 orders")
    unread_texts: list[TextNumbers] = field(default_factory=list)  # messages whose numbers are not in `numbers` yet
    unread: list[Record] = field(default_factory=list)  # records whose numbers are not in `numbers` yet
    unread_payloads: list[Any] = field(default_factory=list)  # results whose list lengths are not read yet
    moments: tuple[set[str], set[str]] = field(default_factory=lambda: (set(), set()))  # ISO days, HH:MM
    scanned: int = 0  # parts whose days and times are in `moments`
    records: list[Record] = field(default_factory=list)
    turn: list[Record] = field(default_factory=list)  # records of the results since the user last spoke
    asked: list[ToolCall] = field(default_factory=list)  # this turn's calls
    turn_payloads: list[Any] = field(default_factory=list)  # this turn's results, as parsed
    called: list[str] = field(default_factory=list)  # every call's arguments so far, as JSON
    prompt: int = 0  # the parts that are the system prompt (the first)
    _text: str | None = None
    _raw: str | None = None
    _head: str | None = None  # the prompt's parts, joined
    _tail: str | None = None  # the parts after them, joined
    _raw_head: str | None = None  # the same of `raw_parts`
    _raw_tail: str | None = None  # `conversation`

    def add(self, raw: str, norm: str, numbers: frozenset[float] | TextNumbers = frozenset(), said: bool = False) -> None:
        self.parts.append(norm)
        self.raw_parts.append(raw)
        if isinstance(numbers, TextNumbers):
            self.unread_texts.append(numbers)  # read on the first reply that states a number
        else:
            self.numbers.update(numbers)
        if said:
            self.said.append(raw)
        self._text = self._raw = self._head = self._tail = self._raw_head = self._raw_tail = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self.parts)
        return self._text

    def holds(self, token: str) -> bool:
        """`token_in(token, self.text)`, looked for in the conversation before the system prompt
        and without joining the long prompt to it for every reply. The same answer: the text is
        the two joined by a newline, which a token without one cannot span, and a newline
        beside a match is no word character, as the text's either end is none."""
        if "\n" in token:
            return token_in(token, self.text)
        if self._tail is None:
            self._head = "\n".join(self.parts[:self.prompt])  # one part: the prompt itself, not copied
            self._tail = "\n".join(self.parts[self.prompt:])
        return token_in(token, self._tail) or token_in(token, self._head)  # type: ignore[arg-type]

    def has(self, part: str) -> bool:
        """`part in self.text`, without joining the long prompt to the conversation for every
        reply (the same answer for a part without a newline, as for `holds`)."""
        if "\n" in part:
            return part in self.text
        if self._tail is None:
            self._head = "\n".join(self.parts[:self.prompt])
            self._tail = "\n".join(self.parts[self.prompt:])
        return part in self._tail or part in self._head  # type: ignore[operator]

    def shows(self, part: str) -> bool:
        """`part in self.raw`, the same way."""
        if "\n" in part:
            return part in self.raw
        tail = self.conversation
        return part in tail or part in self._raw_head  # type: ignore[operator]

    @property
    def raw(self) -> str:
        if self._raw is None:
            self._raw = "\n".join(self.raw_parts)
        return self._raw

    @property
    def conversation(self) -> str:
        """What the user said and the results showed, as written (no system prompt: a city
        its policy lists is no city this conversation named)."""
        if self._raw_tail is None:
            self._raw_head = "\n".join(self.raw_parts[:self.prompt])  # one part: the prompt itself, not copied
            self._raw_tail = "\n".join(self.raw_parts[self.prompt:])
        return self._raw_tail

    def numbers_known(self) -> set[float]:
        """Every number shown so far (results' numbers are read on the first reply that needs them)."""
        if self.unread or self.unread_payloads or self.unread_texts:
            for text in self.unread_texts:
                self.numbers.update(text.get())
            self.unread_texts.clear()
            for record in self.unread:
                self.numbers.update(_numbers_of(record))
            for payload in self.unread_payloads:
                self.numbers.update(map(float, list_lengths(payload)))
            self.unread.clear()
            self.unread_payloads.clear()
        return self.numbers

    def days_and_clocks(self) -> tuple[set[str], set[str]]:
        """ISO days and HH:MM times written anywhere in the evidence (scanned once per part)."""
        days, clocks = self.moments
        for part in self.parts[self.scanned:]:
            if "-" in part:  # a day is written with dashes, a time with a colon: most messages have neither
                _found(_DAY_AT_DASH, part, 4, days)
            if ":" in part:
                _found(_CLOCK_AT_COLON, part, 2, clocks)
        self.scanned = len(self.parts)
        return days, clocks


# ISO_DAY_IN_TEXT and CLOCK_IN_TEXT found from their dash and colon: a JSON result is mostly
# digits, each of which the patterns led by a digit try as a start; a pattern led by a literal
# skips to its few dashes and colons in C (~0.5 against ~4.5 us a trace). `_found` gives back
# what findall of the originals finds (random strings compared in the tests).
_DAY_AT_DASH = re.compile(r"-(?<=\d{4}-)\d\d-\d\d")  # the first dash of \d{4}-\d{2}-\d{2}
_CLOCK_AT_COLON = re.compile(r":(?<=(?<!\d)\d\d:)\d\d(?!\d)")  # the colon of (?<!\d)\d\d:\d\d(?!\d)


def _found(pattern: re.Pattern[str], text: str, lead: int, into: set[str]) -> None:
    """Adds to `into` the matches a pattern `lead` characters longer at the front (the
    original's) finds, each from where the previous one ended: findall does not look for a
    match inside one it found ("12:34:56" holds 12:34, not also 34:56)."""
    end = 0
    for match in pattern.finditer(text):
        start = match.start() - lead
        if start >= end:
            end = match.end()
            into.add(text[start:end])


_DIGIT = re.compile(r"\d")
_ID_OR_MOMENT = re.compile(r"^(?:\d{4}-\d{2}-\d{2}\S*|\d{1,2}:\d{2}(?::\d{2})?|\S*[a-z]\S*\d\S*|\S*\d\S*[a-z]\S*)$", re.I)


def _numbers_of(record: Record) -> set[float]:
    """A record's numbers: its JSON numbers, and those written in its text ("21 Main Street",
    "960–1127"), but not the parts of a date, a time or an id (the 03 of 2026-03-14)."""
    found: set[float] = set()
    for value in record.values():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.add(abs(float(value)))  # a reply's "-2" reads as 2, like every number it states
        elif isinstance(value, str) and _DIGIT.search(value) and not _ID_OR_MOMENT.match(value):
            found.update(numbers_in(normalize(value)))
    return found


Prompt = tuple[str, frozenset[float], frozenset[str], frozenset[str]]


@lru_cache(maxsize=64)
def _read_text(text: str) -> Prompt:
    norm = normalize(text)
    return (norm, frozenset(numbers_in(norm)), frozenset(ISO_DAY_IN_TEXT.findall(norm)),
            frozenset(f"{h}:{m}" for h, m in CLOCK_IN_TEXT.findall(norm)))


@lru_cache(maxsize=64)
def _lower(norm: str) -> str:
    return norm.lower()  # a prompt with Chinese in it: lower() costs more than the rest of reading it


def read_prompt(text: str, template: str, today: date) -> Prompt:
    """(normalised, numbers, ISO days, HH:MM times) of a system prompt. A pack's prompt differs
    from episode to episode only by its `{today}` and `{weekday}`: the template is read once,
    and the day's own values added (reading a long prompt for every trace cost more than
    judging the rest of it). Episodes of one day share the whole answer, kept by template and
    day: the prompt is compared with it, not hashed as a cache key (each trace's prompt is a
    string of its own, whose hash is computed anew)."""
    filled, answer = _filled_prompt(template, today)
    return answer if text == filled else _read_other(text)


_read_other = lru_cache(maxsize=1024)(_read_text.__wrapped__)  # a prompt not of the template, by its text


@lru_cache(maxsize=1024)  # a run's episodes span a year of days or so
def _filled_prompt(template: str, today: date) -> tuple[str, Prompt]:
    """The template filled for `today`, and `read_prompt`'s answer for that prompt."""
    norm, numbers, days, clocks = _read_text(template)
    day = today.isoformat()
    if norm.isascii():  # already lower case: fill in the lower-case weekday, not lower() the whole prompt
        filled = norm.replace("{today}", day).replace("{weekday}", WEEKDAYS[today.weekday()]) if "{" in norm else norm
    else:
        filled = fill_today(norm, today).lower() if "{" in norm else _lower(norm)
    return fill_today(template, today), (filled, numbers | frozenset(numbers_in(day)), days | {day}, clocks)


def latest(records: list[Record]) -> list[Record]:
    """One record per identity (the newest); records without one all count."""
    seen: dict[str, Record] = {}
    rest: list[Record] = []
    for record in records:
        if record.identity is None:
            rest.append(record)
        else:
            seen.pop(record.identity, None)
            seen[record.identity] = record
    return rest + list(seen.values())
