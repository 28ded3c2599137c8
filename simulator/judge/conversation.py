"""One pass over a trace that gives every rule what it needs about each tool call.

The rules ask questions that depend on *where* a call sits in the conversation: which user
messages and tool results came before it (grounding), which results a blueprint template could
read at that point (`{@tool.path}`), and what the call's own result was. Walking the messages once
and snapshotting that context at each assistant turn keeps judging linear in the trace length.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from simulator.core.messages import (
    AssistantMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
    strip_stop_token,
)
from simulator.core.records import Trace
from simulator.spec.validation import parse_arguments
from simulator.words.number_words import numbers_in_words
from simulator.words.chinese_script import to_simplified
from simulator.words.relative_dates import dates_mentioned, times_mentioned

# Numbers as people and JSON write them: 3, 49.99, 1,299.00 (the sign is ignored on purpose:
# "ORD-48291" must not turn into -48291).
_NUMBER = re.compile(r"\d\d*(?:,\d{3})*(?:\.\d+)?")  # \d+...: a leading \d lets `re` skip to digits in C


def normalize(text: str) -> str:
    """Case- and width-insensitive form used for grounding: full-width digits and letters (common in
    Chinese text) become ASCII, case is folded, runs of whitespace collapse to one space."""
    folded = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()  # NFKC changes
    # no ASCII text, and casefold is lower for it. A printable text has no whitespace but " "
    # (every other is a control or separator character): without a double or an outer space it
    # is its own collapse, and splitting a result's JSON into words to join them again cost more
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded
    return " ".join(folded.split())


def numbers_in(text: str) -> set[float]:
    # findall hands back the strings without a Match object each; most numbers carry no comma to
    # drop, even in a JSON result full of commas (one test of them all, not one per number)
    found = _NUMBER.findall(text)
    if "," in text and "," in "".join(found):
        return {float(n.replace(",", "")) for n in found}
    return set(map(float, found))


class TextNumbers:
    """The numbers written in one message's normalised text, read on first use: most calls
    never ask for a number (their arguments are ids found as text) and most replies state none,
    and reading a result's numbers cost more than the rest of walking it. Read at most once,
    whichever call or reply asks first (a user's sentence: once per process, with its text)."""

    __slots__ = ("norm", "_found")

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self._found: frozenset[float] | None = None

    def get(self) -> frozenset[float]:
        if self._found is None:
            self._found = frozenset(numbers_in(self.norm))
        return self._found


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the assistant could legitimately know before a turn: the normalised text of earlier
    user messages and tool results, and every number written in them (`numbers`, read on first
    use). `said` (the user's part) and `today` let
    `with_words` read values said in words back."""

    text: str
    read: frozenset[float]  # the numbers read already
    said: str = ""
    today: date | None = None
    unread: tuple[TextNumbers, ...] = ()  # the messages whose numbers `numbers` adds
    _numbers: frozenset[float] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def numbers(self) -> frozenset[float]:
        found = self._numbers
        if found is None:
            found = self.read.union(*(r.get() for r in self.unread)) if self.unread else self.read
            object.__setattr__(self, "_numbers", found)
        return found

    def with_words(self) -> "Evidence":
        """This evidence plus what the user said in words, read back against the simulated
        today: the ISO date of "next Monday", 15:00 for "下午三点", 120 for "a couple of hours".
        Read only when plain evidence falls short (most calls never need it)."""
        if self.today is None or not self.said:
            return self
        extra, numbers = _read_words(self.said, self.today)
        return Evidence(self.text + "\n" + extra, self.numbers | numbers)


@lru_cache(maxsize=256)
def _read_words(said: str, today: date) -> tuple[str, frozenset[float]]:
    said = to_simplified(said)  # 下週一, 兩晚: Traditional characters read like Simplified ones
    found = sorted(dates_mentioned(said, today) | times_mentioned(said))
    return "\n".join(found), frozenset(numbers_in_words(said))


@lru_cache(maxsize=4096)
def _read_said(text: str) -> tuple[str, TextNumbers]:
    """A user's message, read (without its stop token) once per process: a simulated user says
    the same sentence in many episodes. A tool result, unique to its episode, is read each time
    instead of crowding these out."""
    norm = normalize(strip_stop_token(text))
    return norm, TextNumbers(norm)


@dataclass(slots=True)
class CallSite:
    """One tool call in context."""

    call: ToolCall
    args: dict[str, Any] | None  # None when the arguments are not a JSON object
    args_problem: str | None  # why `args` is None
    turn_index: int  # index of the assistant message in trace.messages
    results: dict[str, Any]  # latest successful parsed result per tool before this turn
    evidence: Evidence
    result: ToolMessage | None = None  # the tool message answering this call, if any


@dataclass(slots=True)
class ConversationView:
    calls: list[CallSite] = field(default_factory=list)
    orphan_results: list[ToolMessage] = field(default_factory=list)  # results answering no call
    multi_call_turns: int = 0
    # Per message index, for the checks that read replies: the normalised text and the numbers
    # of each user message and tool result, and the parsed payload of each successful result.
    texts: dict[int, tuple[str, TextNumbers]] = field(default_factory=dict)
    payloads: dict[int, Any] = field(default_factory=dict)


def walk(trace: Trace, today: date | None = None) -> ConversationView:
    """Build the per-call context in one pass over `trace.messages`.

    With the episode's simulated `today`, what a user says in words counts as evidence of the
    value it means: "the day after tomorrow" of the ISO date, "三晚" of 3 — derived values a
    call may carry, and only the right ones."""
    view = ConversationView()
    by_id: dict[str, CallSite] = {}
    parts: list[str] = []
    said_parts: list[str] = []
    unread: list[TextNumbers] = []  # the numbers of the user messages and results so far
    results: dict[str, Any] = {}
    snapshot: Evidence | None = None
    texts = view.texts

    for index, message in enumerate(trace.messages):
        # type() is, not isinstance: pydantic's metaclass makes isinstance a Python-level call (~70 ns
        # each, many per message); messages are never subclassed
        if type(message) is UserMessage:
            norm, found = texts[index] = _read_said(message.content)
            parts.append(norm)
            said_parts.append(norm)
            unread.append(found)
            snapshot = None
        elif type(message) is ToolMessage:
            norm = normalize(message.content)
            found = TextNumbers(norm)
            texts[index] = (norm, found)
            parts.append(norm)
            unread.append(found)
            snapshot = None
            site = by_id.get(message.tool_call_id)
            if site is not None and site.result is None:
                site.result = message
            else:
                view.orphan_results.append(message)
            if not message.is_error:
                try:
                    results[message.name] = view.payloads[index] = json.loads(message.content)
                except ValueError:
                    pass
        elif type(message) is AssistantMessage and message.tool_calls:
            if snapshot is None:
                snapshot = Evidence("\n".join(parts), frozenset(), "\n".join(said_parts), today, tuple(unread))
            if len(message.tool_calls) > 1:
                view.multi_call_turns += 1
            results_before = dict(results)
            for call in message.tool_calls:
                args, problem = parse_arguments(call)
                site = CallSite(call, args, problem, index, results_before, snapshot)
                view.calls.append(site)
                by_id.setdefault(call.id, site)
    return view
