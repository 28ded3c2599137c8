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
  first has too ("ORD-1 came to 29.99" when 29.99 is ORD-2's total);
- a value beside the words the pack's reply templates write next to a result field ("座位靠窗"
  for `seat: aisle`, "1 fixes" for `issues_found: 0`; `simulator.judge.reply_labels`).

Each problem names the value and the result it contradicts. Known limits: values the model
derives (a sum, a date computed from a duration) and numbers in words are not checked.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from simulator.core.messages import STOP_TOKEN, AssistantMessage, SystemMessage, ToolMessage, UserMessage
from simulator.judge.checks import JudgeContext, check
from simulator.judge.reply_contradictions import Contradictions, Mention
from simulator.judge.reply_evidence import Evidence, Finding, latest, read_prompt
from simulator.judge.reply_labels import labelled_by_prose, prose_labels
from simulator.judge.reply_lexicon import lexicon
from simulator.judge.reply_quantities import count_words, list_counts, unit_numbers
from simulator.judge.reply_values import CLOCK_IN_TEXT, ISO_DAY_IN_TEXT, Stated, stated_values
from simulator.judge.reply_words import lowered, reply_words
from simulator.judge.result_fields import Record, records_of
from simulator.words.chinese_script import to_simplified
from simulator.words.number_words import numbers_in_words
from simulator.words.relative_dates import dates_mentioned, times_mentioned

__all__ = ["Finding", "reply_findings", "reply_grounded"]


class _Reader:
    """Reads one trace's replies; built once per trace, from tables kept per pack and state."""

    def __init__(self, ctx: JudgeContext) -> None:
        self.ctx = ctx
        self.contradictions = Contradictions(lexicon(ctx.pack.domain), ctx.seeded_state)
        self.prose = prose_labels(ctx.pack)
        persona = ctx.pack.personas.get(ctx.trace.episode.persona_id)
        self.traditional = persona is not None and persona.script == "traditional"
        self.checked = 0  # identifiers, numbers, dates and times read

    # ------------------------------------------------------------ one reply

    def read(self, index: int, text: str, evidence: Evidence) -> list[Finding]:
        """Everything one reply states, checked. What a reply of a turn without results states
        cannot contradict one, so the enum, name and clause readings wait for results."""
        text = text.replace(STOP_TOKEN, "")
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        stated = stated_values(text, self.ctx.today)
        if not evidence.records:  # nothing looked up yet: numbers and dates are the assistant's own knowledge
            stated = [s for s in stated if s.kind == "id"]
        records = latest(evidence.records) if evidence.records else []
        self.checked += len(stated)
        findings = [f for s in stated if not _unit_of_rate(text, s)
                    and (f := self._value(index, s, evidence, records)) is not None]
        mentions: list[Mention] = []
        read = self.contradictions
        if evidence.turn:
            low, turn = lowered(text), latest(evidence.turn)
            mentions = read.mentions(low)
            findings += read.enum_values(index, low, turn, evidence.asked, mentions)
            findings += read.names(index, text, evidence, evidence.turn)  # every result of the turn: two tools may report one order
            findings += read.labelled(index, low, turn, records)
            if self.prose:
                prose = to_simplified(low) if self.traditional else low  # the labels are Simplified
                findings += labelled_by_prose(index, prose, evidence.turn, evidence.records, read.lexicon, self.prose)
            findings += unit_numbers(index, low, turn, records, lambda: self._said_numbers(evidence))
            findings += list_counts(index, low, evidence.turn_payloads, count_words(self.ctx.pack.domain))
            flagged = {f.value for f in findings}
            findings += self._calendar_days(index, [s for s in stated if s.written not in flagged], evidence, turn)
        if records:
            items = [(s.start, s.value) for s in stated] + [(at, v, meant) for _, meant, at in mentions for v in meant]
            findings += read.clauses(index, text.lower(), items, records, evidence.records)
        return findings

    def _said_numbers(self, evidence: Evidence) -> set[float]:
        text = "\n".join(evidence.said)
        # numbers of their own: not the 09 of 2026-09-01 nor the 4 of ORD-4
        return {float(n) for n in re.findall(r"(?<![\d.\w-])\d+(?:\.\d+)?(?![\d-])", text)} | numbers_in_words(text)

    def _calendar_days(self, index: int, stated: list[Stated], evidence: Evidence, turn: list[Record]) -> list[Finding]:
        """A date only the prompt's calendar gives (no result, call or user message has it), in
        a reply about results that hold dates: "flights on 2026-03-16" when the search was for
        the 17th. Today is always allowed."""
        today = self.ctx.today.isoformat()  # today, as a day; not a result's time stamp written with it
        days = [s for s in stated if s.kind == "date" and (s.value != today or "T" in s.written or ":" in s.written)]
        if not days:
            return []
        shown: tuple[Record, str, str] | None | bool = False  # looked for at the first date no evidence gives
        known = {v[:10] for r in evidence.records for v in r.values() if isinstance(v, str) and len(v) >= 10}
        calls = "\n".join(evidence.called)
        said = None
        findings = []
        for s in days:
            if s.value in known or str(s.value) in calls:
                continue
            if not _YEAR.search(s.written) and any(k.endswith(s.value[4:]) for k in known):
                continue
            if said is None:
                said = dates_mentioned("\n".join(evidence.said), self.ctx.today)
            if s.value in said or str(s.value) in "\n".join(evidence.said):
                continue
            if shown is False:
                shown = _last_day(turn)
            if shown is None:
                return []  # no result of this turn holds a date to be mistaken for
            record, name, value = shown  # type: ignore[misc]
            findings.append(Finding(index, s.written, (
                f"message {index} says {s.written!r}, a date no result, call or message gave, "
                f"but {record.tool} returned {name} {value!r}")))
        return findings

    def _value(self, index: int, stated: Stated, evidence: Evidence, records: list[Record]) -> Finding | None:
        if self._grounded(stated, evidence, words=False) or self._grounded(stated, evidence, words=True):
            return None
        return Finding(index, stated.written, f"message {index} says {stated.written!r}, "
                                              f"{_contradicted(stated, records)}")

    def _grounded(self, stated: Stated, evidence: Evidence, words: bool) -> bool:
        if stated.kind == "id":
            token = str(stated.value)
            return token in reply_words().not_ids or evidence.holds(token)  # m3, pm2.5: units, labels
        if stated.kind == "number":
            if evidence.holds(stated.written.lower()):
                return True  # written as a result writes it ("3D", "10-minute")
            value = float(stated.value)  # type: ignore[arg-type]
            if value == 0.0:
                return True  # "no fixes", "0 results": too common to tell a value from a word
            known = evidence.numbers_known()
            if words:
                known = known | set(numbers_in_words("\n".join(evidence.said)))
            return value in known or any(_rounds_to(n, value, stated.written) for n in known)
        days, clocks = evidence.days_and_clocks()
        if stated.kind == "date":
            if stated.value in days or stated.value == self.ctx.today.isoformat():
                return True
            if not _YEAR.search(stated.written) and any(d.endswith(stated.value[4:]) for d in days):
                return True  # "11月16日" of 2026-11-16 read in another year than the result's
            return words and stated.value in dates_mentioned("\n".join(evidence.said), self.ctx.today)
        if evidence.holds(stated.written.lower()):
            return True  # written as the evidence writes it ("1:1" in a meeting's title)
        return stated.value in clocks or (words and stated.value in times_mentioned("\n".join(evidence.said)))


def _last_day(turn: list[Record]) -> tuple[Record, str, str] | None:
    """The last (record, field, value) of this turn's results whose value is a date, looked for
    from the end (a result's dates mostly come last)."""
    for record in reversed(turn):
        for name, values in reversed(record.fields.items()):
            for value in reversed(values):
                if isinstance(value, str) and ISO_DAY_IN_TEXT.fullmatch(value[:10]):
                    return record, name, value
    return None


_YEAR = re.compile(r"\d{4}")
_RATE_AFTER = re.compile(r"\s*[^\W\d]{1,12}\s*(?:=|≈|等于|兑|is worth|buys|gets you)")


def _unit_of_rate(text: str, stated: Stated) -> bool:
    """The 1 of a rate ("1 USD = 0.92 EUR", 1美元兑7.1人民币): a unit, not a value."""
    return stated.kind == "number" and stated.value == 1.0 and _RATE_AFTER.match(text, stated.end) is not None


def _rounds_to(known: float, value: float, written: str) -> bool:
    """`value` is `known`, or `known` rounded to as many decimals as the reply wrote (1.25 for
    a rate of 1.2475; 49.99 is not 50)."""
    if math.isclose(known, value, abs_tol=1e-9):
        return True
    decimals = len(written.split(".")[1]) if "." in written else 0
    return decimals > 0 and math.isclose(round(known, decimals), value, abs_tol=10 ** -(decimals + 3))


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
    """What is wrong with the values the trace's replies state (computed once per trace; the
    count of values read is kept as `ctx.cache["reply_values"]`)."""
    cached = ctx.cache.get("reply_findings")
    if cached is not None:
        return cached
    reader: _Reader | None = None
    evidence = Evidence()
    findings: list[Finding] = []
    texts, payloads = ctx.view.texts, ctx.view.payloads
    for index, message in enumerate(ctx.trace.messages):
        # type() is, not isinstance: pydantic's metaclass makes isinstance a Python-level call (~70 ns
        # each, many per message); messages are never subclassed
        if type(message) is SystemMessage:
            norm, numbers, days, clocks = read_prompt(message.content, ctx.pack.domain.system_prompt, ctx.today)
            evidence.add(message.content, norm, numbers)
            evidence.prompt = len(evidence.raw_parts)
            evidence.moments[0].update(days)
            evidence.moments[1].update(clocks)
            evidence.scanned = len(evidence.parts)
        elif type(message) is UserMessage:
            evidence.add(message.content, *texts[index], said=True)
            evidence.turn, evidence.asked, evidence.turn_payloads = [], [], []
        elif type(message) is ToolMessage:
            found = records_of(message.name, payloads.get(index), index)
            # A result's numbers are its JSON numbers (read when a reply states one): the 03 of
            # a date or the 4 of "dev-4397" is none.
            norm, numbers = texts[index]
            evidence.add(message.content, norm, frozenset() if found else numbers)
            evidence.records.extend(found)
            evidence.turn.extend(found)
            evidence.unread.extend(found)
            if found:
                evidence.unread_payloads.append(payloads[index])
                evidence.turn_payloads.append(payloads[index])
        elif type(message) is AssistantMessage:
            evidence.asked += message.tool_calls  # named in words only when a reply states an enum value
            evidence.called += [str(c.arguments) for c in message.tool_calls]
            if message.content:
                reader = reader or _Reader(ctx)
                findings += reader.read(index, message.content, evidence)
    ctx.cache["reply_findings"] = findings
    ctx.cache["reply_values"] = reader.checked if reader is not None else 0
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
