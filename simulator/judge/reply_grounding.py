"""`reply_grounded`: every value an assistant reply states comes from what it was shown.

A reply that says the parcel "has shipped" while the status is `processing`, quotes a refund of
45.00 for one of 49.99, or a tracking number nobody returned, teaches a model to make things up in
the one place a user reads. Each reply is read against what came before it — the system prompt,
the user's messages and the tool results — for:

- identifiers, numbers, dates and times (`simulator.judge.reply_values`), written in digits or in
  words ("March 14", "3 pm", "3月14日"), which must appear in that evidence (a user's "the day
  after tomorrow" and "下午三点" count as the dates and times they mean; the lengths of result
  lists count, for "I found 3 orders");
- enum values a result field takes (`status: shipped`), read through the pack's `value_labels` in
  both languages (已发货 is `shipped`): one that is not the latest value of that field for any
  record is a contradiction (a negated or future mention, "hasn't shipped yet", is none);
- names (capitalised or CJK strings of the seeded state and the results: a product, a hotel, a
  person), which must have been shown before the reply names them;
- a clause about one record (it names one id) that states another record's value of a field the
  first has too ("ORD-1 came to 29.99" when 29.99 is ORD-2's total).

Each problem names the value and the result it contradicts. Known limits: values the model
derives (a sum, a date computed from a duration) and numbers in words are not checked.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from simulator.core.messages import STOP_TOKEN, AssistantMessage, SystemMessage, ToolMessage, UserMessage
from simulator.judge.checks import JudgeContext, check
from simulator.judge.conversation import normalize, numbers_in
from simulator.judge.grounding import token_in
from simulator.judge.reply_values import CLOCK_IN_TEXT, ISO_DAY_IN_TEXT, Stated, stated_values
from simulator.judge.reply_words import hedged, lowered, reply_words
from simulator.judge.result_fields import Record, enum_fields, is_name, keyed_names, list_lengths, records_of
from simulator.words.number_words import numbers_in_words
from simulator.words.relative_dates import dates_mentioned, times_mentioned
from simulator.words.value_words import ValueWords, humanised

MAX_FAMILY = 12  # an enum of more values (cities, currencies) names things: the names check reads it
_CLAUSE = re.compile(r"[.;!?。；！？\n]+(?:\s|$)|[;；。！？\n]")


@dataclass
class Finding:
    """One value a reply stated: where it came from, or what is wrong with it."""

    message: int
    value: str
    problem: str | None = None


@dataclass
class _Evidence:
    parts: list[str] = field(default_factory=list)
    raw_parts: list[str] = field(default_factory=list)  # as written (names keep their case)
    said: list[str] = field(default_factory=list)  # the user's messages, as written
    numbers: set[float] = field(default_factory=set)
    lengths: set[float] = field(default_factory=set)  # of the results' lists ("I found 3 orders")
    records: list[Record] = field(default_factory=list)
    turn: list[Record] = field(default_factory=list)  # records of the results since the user last spoke
    asked: list[str] = field(default_factory=list)  # this turn: the user's words, the calls' names and arguments
    _text: str | None = None

    def add(self, text: str, said: bool = False, numbers: bool = True) -> None:
        norm = normalize(text)
        self.parts.append(norm)
        self.raw_parts.append(unicodedata.normalize("NFKC", text))
        if numbers:
            self.numbers.update(numbers_in(norm))
        if said:
            self.said.append(text)
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self.parts)
        return self._text

    @property
    def raw(self) -> str:
        return "\n".join(self.raw_parts)


_ID_OR_MOMENT = re.compile(r"^(?:\d{4}-\d{2}-\d{2}\S*|\d{1,2}:\d{2}(?::\d{2})?|\S*[a-z]\S*\d\S*|\S*\d\S*[a-z]\S*)$", re.I)


def _numbers_of(record: Record) -> set[float]:
    """A record's numbers: its JSON numbers, and those written in its text ("21 Main Street",
    "960–1127"), but not the parts of a date, a time or an id (the 03 of 2026-03-14)."""
    found: set[float] = set()
    for value in record.values():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.add(abs(float(value)))  # a reply's "-2" reads as 2, like every number it states
        elif isinstance(value, str) and any(c.isdigit() for c in value) and not _ID_OR_MOMENT.match(value):
            found.update(numbers_in(normalize(value)))
    return found


def _latest(records: list[Record]) -> list[Record]:
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


class _Reader:
    """Reads one trace's replies; built once per trace."""

    def __init__(self, ctx: JudgeContext) -> None:
        self.ctx = ctx
        self.words = ValueWords(ctx.pack.domain.config.value_labels)
        self.enums = {k: v for k, v in enum_fields(ctx.tools).items() if len(v) <= MAX_FAMILY}
        self.common = reply_words().common
        prose = reply_words().not_names
        names = keyed_names(ctx.seeded_state(), {}, prose)
        for message in ctx.trace.messages:
            if isinstance(message, ToolMessage) and not message.is_error:
                try:
                    keyed_names(json.loads(message.content), names, prose)
                except ValueError:
                    continue
        for (_, key), values in enum_fields(ctx.tools).items():  # a city or currency a result may take
            for value in values:
                if is_name(value):
                    names.setdefault(value, set()).add(key)
        # Each name as every language writes it (伦敦 is London): form -> [(name, its fields)].
        self.names: dict[str, list[tuple[str, set[str]]]] = {}
        for name, keys in names.items():
            for form in self.words.forms(name):
                if is_name(form) or form == name:
                    self.names.setdefault(form, []).append((name, keys))

    # ------------------------------------------------------------ one reply

    def read(self, index: int, text: str, evidence: _Evidence) -> list[Finding]:
        text = unicodedata.normalize("NFKC", text.replace(STOP_TOKEN, ""))
        records = _latest(evidence.records)
        stated = stated_values(text, self.ctx.today)
        if not evidence.records:  # nothing looked up yet: numbers and dates are the assistant's own knowledge
            stated = [s for s in stated if s.kind == "id"]
        findings = [self._value(index, s, evidence, records) for s in stated]
        findings += self._enum_mentions(index, text, _latest(evidence.turn), " ".join(evidence.asked))
        findings += self._names(index, text, evidence, _latest(evidence.turn))
        findings += self._clauses(index, text, records)
        return findings

    def _value(self, index: int, stated: Stated, evidence: _Evidence, records: list[Record]) -> Finding:
        if self._grounded(stated, evidence, words=False) or self._grounded(stated, evidence, words=True):
            return Finding(index, stated.written)
        return Finding(index, stated.written, f"message {index} says {stated.written!r}, "
                                              f"{_contradicted(stated, records)}")

    def _grounded(self, stated: Stated, evidence: _Evidence, words: bool) -> bool:
        text = evidence.text
        if stated.kind == "id":
            token = str(stated.value)
            if len(token) <= 5 and not any(c in token for c in "-@_"):
                return True  # m3, co2, pm10, 4k: units and labels, not identifiers
            return token_in(token, text)
        if stated.kind == "number":
            if token_in(stated.written.lower(), text):
                return True  # written as a result writes it ("3D", "10-minute")
            value = float(stated.value)  # type: ignore[arg-type]
            if value in (0.0, 1.0):
                return True  # "1 USD =", "1 passenger": too common to tell a value from a word
            known = evidence.numbers | evidence.lengths
            if words:
                known = known | set(numbers_in_words("\n".join(evidence.said)))
            return any(_rounds_to(n, value, stated.written) for n in known)
        if stated.kind == "date":
            if stated.value in ISO_DAY_IN_TEXT.findall(text) or stated.value == self.ctx.today.isoformat():
                return True
            return words and stated.value in dates_mentioned("\n".join(evidence.said), self.ctx.today)
        clocks = {f"{h}:{m}" for h, m in CLOCK_IN_TEXT.findall(text)}
        if token_in(stated.written.lower(), text):
            return True  # written as the evidence writes it ("1:1" in a meeting's title)
        return stated.value in clocks or (words and stated.value in times_mentioned("\n".join(evidence.said)))

    def _mentions(self, text: str) -> list[tuple[str, frozenset[str]]]:
        """(as written, the values it may mean) of every enum value of a result field the reply
        states, unhedged; an everyday word ("high") only next to its field's name ("high
        priority"); a label inside a longer one (经济舱 in 高级经济舱) is that longer one."""
        low = lowered(text)
        found: dict[str, set[str]] = {}
        for values, name in {v: n for (_, n), v in self.enums.items()}.items():
            anchor = humanised(name).split()[-1] if name else ""
            forms: dict[str, set[str]] = {}
            for value in values:
                if any(c.isdigit() for c in value):
                    continue  # PM2.5, 4K: labels a reply uses for other things too
                for form in self.words.forms(value):
                    forms.setdefault(form.lower(), set()).add(value)
            for form, meant in forms.items():
                everyday = form.isascii() and (len(form) < 3 or form in self.common)
                if everyday and not _whole(low, anchor) or not form.isascii() and len(form) < 3:
                    continue
                longer = [f for f in forms if f != form and form in f]
                for at in _word_positions(low, form):
                    inside = any(low.find(f, max(0, at - len(f)), at + len(f)) != -1 for f in longer)
                    near = not everyday or _whole(low[max(0, at - 25):at + len(form) + 25], anchor)
                    if near and not inside and not hedged(low, at):
                        found.setdefault(form, set()).update(meant | self.words.meanings(form))
                        break
        return [(form, frozenset(meant)) for form, meant in found.items()]

    def _enum_mentions(self, index: int, text: str, turn: list[Record], asked: str) -> list[Finding]:
        """A stated enum value that none of this turn's results shows for a field it belongs to
        (nor the user's request or the calls name: "the thermostat" of `set_thermostat`)."""
        findings = []
        for written, meant in self._mentions(text):
            if _word_positions(asked, written):
                continue
            families = [key for key, values in self.enums.items() if values & meant]
            shown = [(r, n) for r in turn for tool, n in families if r.tool == tool and n in r.fields]
            if not shown or any(v in r.fields[n] for r, n in shown for v in meant):
                continue
            if any(isinstance(v, str) and _whole(v.lower(), written) for r in turn for v in r.values()):
                continue  # part of another value this turn showed ("garage" of "garage door")
            if any(_whole(humanised(k).lower(), written) for r in turn for k in r.fields):
                continue  # a field's name ("scheduled" of scheduled_departure), used as a label
            latest, name = shown[-1]
            actual = ", ".join(map(str, latest.fields[name]))
            findings.append(Finding(index, written, (
                f"message {index} says {written!r}, but {latest.tool} returned {name} {actual!r}"
                + (f" for {latest.identity}" if latest.identity else ""))))
        return findings

    def _names(self, index: int, text: str, evidence: _Evidence, turn: list[Record]) -> list[Finding]:
        """A name this turn's result shows another value of, in its place, never shown itself."""
        findings = []
        for form, meanings in self.names.items():
            if form not in text or form in evidence.raw or not _whole(text, form):
                continue
            problem = next((p for name, keys in meanings if (p := _other_value(form, name, keys, turn, index))), None)
            if problem:
                findings.append(Finding(index, form, problem))
        return findings

    def _clauses(self, index: int, text: str, records: list[Record]) -> list[Finding]:
        """A clause that names one record and states another record's value of a shared field."""
        ids = {r.identity.lower(): r for r in records if r.identity}
        findings = []
        for clause in _CLAUSE.split(text.lower()):
            named = [r for i, r in ids.items() if token_in(i, clause)]
            if len(named) > 1:  # a booking names its flight too: the record holding all named ids
                wanted = {r.identity for r in named}
                named = [r for r in named if wanted <= {v for v in r.values() if isinstance(v, str)}]
            if len(named) != 1:
                continue
            record = named[0]
            own = {_key(v) for v in record.values()}
            for other in records:
                if other is record or other.identity is None:
                    continue
                for name, values in other.fields.items():
                    mine = record.fields.get(name)
                    if not mine:
                        continue
                    for value in values:
                        if _distinctive(value) and _key(value) not in own and _said_in(clause, value, self.words):
                            findings.append(Finding(index, str(value), (
                                f"message {index} says {value!r} about {record.identity}, but {record.tool} "
                                f"returned {name} {mine[0]!r} for it ({value!r} is {other.identity}'s)")))
        return findings


def _other_value(form: str, name: str, keys: set[str], turn: list[Record], index: int) -> str | None:
    """Why naming `name` (as `form`) contradicts this turn's results: they hold fields it can be
    a value of (a city: origin, destination), and none of them holds it."""
    holding = [(r, key) for key in sorted(keys) for r in turn if key in r.fields]
    if not holding or any(name in r.fields[key] for r, key in holding):
        return None
    record, key = holding[-1]
    return f"message {index} names {form!r}, but {record.tool} returned {key} {record.fields[key][0]!r}"


def _rounds_to(known: float, value: float, written: str) -> bool:
    """`value` is `known`, or `known` rounded to as many decimals as the reply wrote (1.25 for
    a rate of 1.2475; 49.99 is not 50)."""
    if math.isclose(known, value, abs_tol=1e-9):
        return True
    decimals = len(written.split(".")[1]) if "." in written else 0
    return decimals > 0 and math.isclose(round(known, decimals), value, abs_tol=10 ** -(decimals + 3))


def _key(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return str(value).casefold()


def _distinctive(value: Any) -> bool:
    """A value worth tying to one record: not a small count, not a common word."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return not float(value).is_integer() or abs(value) >= 100
    return isinstance(value, str) and len(value) >= 4 and value.casefold() not in reply_words().common


def _said_in(clause: str, value: Any, words: ValueWords) -> bool:
    if isinstance(value, (int, float)):
        return any(math.isclose(float(value), n, abs_tol=1e-9) for n in numbers_in(clause))
    return any(_whole(clause, form.lower()) for form in words.forms(str(value)))


def _word_positions(low: str, form: str) -> list[int]:
    """Where `form` stands as a word of its own: not in "doc-6674" nor "ord_doc"."""
    found, start = [], low.find(form)
    while start != -1:
        end = start + len(form)
        joined = (low[end:end + 1] in "-_" and low[end + 1:end + 2].isalnum()) or \
                 (start > 1 and low[start - 1] in "-_" and low[start - 2].isalnum())
        if _whole(low, form, start) and not (form.isascii() and joined):
            found.append(start)
        start = low.find(form, start + 1)
    return found


def _whole(text: str, part: str, start: int | None = None) -> bool:
    """`part` stands in `text` (at `start`, or anywhere) as a whole word (ASCII edges only)."""
    starts = [start] if start is not None else _all(text, part)
    for at in starts:
        before = text[at - 1] if at > 0 else " "
        after = text[at + len(part)] if at + len(part) < len(text) else " "
        glued = (part[:1].isascii() and part[:1].isalnum() and before.isascii() and before.isalnum()) or \
                (part[-1:].isascii() and part[-1:].isalnum() and after.isascii() and after.isalnum())
        if not glued:
            return True
    return False


def _all(text: str, part: str) -> list[int]:
    found, start = [], text.find(part)
    while start != -1:
        found.append(start)
        start = text.find(part, start + 1)
    return found


def _contradicted(stated: Stated, records: list[Record]) -> str:
    """What the latest result says about the same kind of thing, for the reason."""
    for record in reversed(records):
        for name, values in record.fields.items():
            for value in values:
                if _same_kind(stated, value):
                    return f"but {record.tool} returned {name} {value!r}"
    return "which no tool result or message showed"


def _same_kind(stated: Stated, value: Any) -> bool:
    if stated.kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0 and \
            0.3 < float(stated.value) / float(value) < 3  # type: ignore[arg-type]
    if not isinstance(value, str):
        return False
    if stated.kind == "id":
        prefix = re.match(r"[a-z@._-]*", str(stated.value)).group()  # type: ignore[union-attr]
        return bool(prefix) and value.lower().startswith(prefix) or \
            (not prefix and value[:1].isdigit() and len(value) == len(str(stated.value)))
    if stated.kind == "date":
        return ISO_DAY_IN_TEXT.fullmatch(value[:10]) is not None
    return CLOCK_IN_TEXT.search(value) is not None


def reply_findings(ctx: JudgeContext) -> list[Finding]:
    """Every value every reply of the trace states, checked (computed once per trace)."""
    cached = ctx.cache.get("reply_findings")
    if cached is not None:
        return cached
    reader: _Reader | None = None
    evidence = _Evidence()
    findings: list[Finding] = []
    for index, message in enumerate(ctx.trace.messages):
        if isinstance(message, SystemMessage):
            evidence.add(message.content)
        elif isinstance(message, UserMessage):
            evidence.add(message.content.replace(STOP_TOKEN, ""), said=True)
            evidence.turn, evidence.asked = [], [lowered(message.content)]
        elif isinstance(message, ToolMessage):
            found = records_of(message.name, message.content) if not message.is_error else []
            # A result's numbers are its JSON numbers: the 03 of a date or the 4 of "dev-4397" is none.
            evidence.add(message.content, numbers=not found)
            evidence.records.extend(found)
            evidence.turn.extend(found)
            for record in found:
                evidence.numbers.update(_numbers_of(record))
            if found:
                evidence.lengths.update(map(float, list_lengths(message.content)))
        elif isinstance(message, AssistantMessage):
            evidence.asked += [lowered(f"{humanised(c.name)} {c.arguments}") for c in message.tool_calls]
            if message.content:
                reader = reader or _Reader(ctx)
                findings += reader.read(index, message.content, evidence)
    ctx.cache["reply_findings"] = findings
    return findings


@check("reply_grounded")
def reply_grounded(ctx: JudgeContext) -> list[str]:
    seen: set[str] = set()
    problems = []
    for finding in reply_findings(ctx):
        if finding.problem and finding.problem not in seen:
            seen.add(finding.problem)
            problems.append(finding.problem)
    return problems
