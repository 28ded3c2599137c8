"""Reading a reply against this turn's results: the enum values it states (`status: shipped`
read through the pack's labels, 已发货 is `shipped`), the names it uses (a product, a city) and
the clauses that tie a value to one record (its id) — each a contradiction when a result shows
otherwise. Used by `simulator.judge.reply_grounding`, which reads the identifiers, numbers,
dates and times.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from typing import Any, Callable, Sequence

from simulator.core.messages import ToolCall
from simulator.judge.reply_evidence import Evidence, Finding
from simulator.judge.reply_lexicon import (UNITS, WORD, Lexicon, Names, field_labels, name_words_in, names_of,
                                           word_scan, words_in)
from simulator.judge.reply_words import hedged, lowered, reply_words, standalone
from simulator.judge.result_fields import Record
from simulator.words.calendar_dates import date_time_in_words
from simulator.words.value_words import ValueWords, humanised

_WORDS = re.compile(WORD)
# "Fatima White", "Desk Lamp" (also glued to Chinese: 包含Desk Lamp，where \b sees no edge)
_CAPITALISED = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[a-zà-öø-ÿ]+(?: [A-Z][a-zà-öø-ÿ]+)+(?![A-Za-z0-9])")  # "Chloe Müller"
# In Chinese text a capitalised English word is a name even alone ("改为Austin 7928 Main Place")
_CAPITALISED_WORD = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[a-zà-öø-ÿ]{2,}(?![A-Za-z0-9])")  # the look-behind: no letter
# or digit before the capital (checked after it, so `re` skips to capitals in C)
_ARTICLE_FIRST = re.compile(r"^(?:The|A|An|This|That|Your|Our|My) (?=\S+ )")
_MID_SENTENCE_WORD = re.compile(r"[A-Z](?<=[a-z,;] [A-Z])[a-zà-öø-ÿ]{2,}(?![A-Za-z0-9'’-])")  # look-behind after the capital, too
_QUOTED = re.compile(r"[“\"「《]([^“”\"「」《》\n]{3,60})[”\"」》]")  # a title as a reply quotes it
_QUOTES = ("“", '"', "「", "《")  # the openings _QUOTED starts with
CLAUSE = re.compile(r"[.;!?。；！？\n]+(?:\s|$)|[;；。！？\n]")
Mention = tuple[str, frozenset[str], int]  # as written, the values it may mean, where


class Contradictions:
    """The turn-level readings of one trace's replies (tables kept per pack in `lexicon`)."""

    def __init__(self, lexicon: Lexicon, state: Callable[[], Any]) -> None:
        self.lexicon = lexicon
        self.state = state  # the episode's seeded state, when a name is not the pack's
        self._state_names: Names | None = None
        self._indexes: dict[int, dict[Any, list[tuple[Record, str]]]] = {}

    def mentions(self, low: str) -> list[Mention]:
        """Every enum value of a result field the reply states, where it stands, unhedged; an
        everyday word ("high") only next to its field's name ("high priority"); a label inside
        a longer one (经济舱 in 高级经济舱) is that longer one."""
        lexicon = self.lexicon
        forms, scan = lexicon.words_forms, word_scan(lexicon)
        # Only a word of these is a hit: found by one scan for them (most replies hold none), not
        # by cutting the reply into words (the same hits, in the same order)
        hits = [(at, end, forms[low[at:end]]) for at, end in words_in(low, scan)] if scan is not None else \
            [(m.start(), m.end(), form) for m in _WORDS.finditer(low) if (form := forms.get(m.group())) is not None]
        covered: list[tuple[int, int]] = []
        for form in lexicon.ascii_forms if low.isascii() else lexicon.other_forms:  # longest first
            if form.text in low:
                for at in _all(low, form.text):
                    end = at + len(form.text)
                    if not any(s <= at < e for s, e in covered) and (not form.text.isascii() or _whole(low, form.text, at)):
                        covered.append((at, end))
                        hits.append((at, end, form))
        found: list[Mention] = []
        for at, end, form in hits:
            if any(s <= at and end <= e and end - at < e - s for s, e in covered):
                continue  # "economy" of "premium economy"
            glued = (low[end:end + 1] in ("-", "_") and low[end + 1:end + 2].isalnum()) or \
                    (at > 1 and low[at - 1] in "-_" and low[at - 2].isalnum())
            if form.text.isascii() and glued:
                continue  # "doc" of DOC-6674
            if form.everyday and not _whole(low[max(0, at - 25):end + 25], form.anchor) \
                    and not _AFTER_NUMBER.search(low, max(0, at - 12), at) and not standalone(low, at, end):
                continue  # an everyday word is a value next to its field's name, as a number's unit ("5 cm") or alone in its slot
            if not hedged(low, at):
                found.append((form.text, form.meant, at))
        return found

    def enum_values(self, index: int, low: str, turn: list[Record], calls: list[ToolCall],
                    mentions: list[Mention]) -> list[Finding]:
        """A stated enum value that none of this turn's results shows for a field it belongs to
        (nor this turn's `calls` name: "the thermostat" of `set_thermostat`)."""
        findings = []
        asked, seen = "", set()
        for written, meant, at in mentions:
            if written in seen:
                continue
            seen.add(written)
            asked = asked or lowered(" ".join(f"{humanised(c.name)} {c.arguments}" for c in calls))
            if _word_positions(asked, written):
                continue
            families = [key for key, values in self.lexicon.enums.items() if values & meant]
            shown = [(r, n) for r in turn for tool, n in families if r.tool == tool and n in r.fields]
            if not shown or any(v in r.fields[n] for r, n in shown for v in meant):
                continue
            names = {n for _, n in families}
            if any(v in r.fields.get(n, ()) for r in turn for n in names for v in meant):
                continue  # another tool's field of that name holds it (a refund's status: 处理中 is its pending)
            if any(isinstance(v, str) and _word_positions(v.lower(), written) for r in turn for v in r.values()):
                continue  # part of another value this turn showed ("garage" of "garage door")
            after = low[at + len(written):at + len(written) + 48]
            if any(_whole(humanised(k).lower(), written) and any(s in after for v in r.fields[k] if v for s in _said(v))
                   for r in turn for k in r.fields):
                continue  # a field's name used as its label: "scheduled 2026-06-17T18:13" (scheduled_departure)
            latest, name = shown[-1]
            actual = ", ".join(map(str, latest.fields[name]))
            findings.append(Finding(index, written, (
                f"message {index} says {written!r}, but {latest.tool} returned {name} {actual!r}"
                + (f" for {latest.identity}" if latest.identity else ""))))
        return findings

    def labelled(self, index: int, low: str, turn: list[Record], records: list[Record]) -> list[Finding]:
        """A field's name followed by a value other than the one this turn's results give it:
        "battery 15%" for a battery_percent of 17, "home city San Francisco" for Shenzhen."""
        findings = []
        labels = [pair for pair in field_labels(tuple({f for r in turn for f in r.fields})) if pair[0] in low]
        covered: list[tuple[int, int]] = []  # "current temperature" is not "temperature"
        for label, field in labels:
            values = [v for r in turn for v in r.fields.get(field, ()) if v is not None and not isinstance(v, bool)]
            for at in _word_positions(low, label):
                if any(s <= at < e for s, e in covered):
                    continue
                covered.append((at, at + len(label)))
                # "4 servings", "8 open items" (not "9 minutes": a unit many fields share; not "2
                # solutions" of a list of them)
                before = None if label in UNITS else _NUMBER_BEFORE.search(low, max(0, at - 12), at)
                if before and len(values) == 1 and all(isinstance(v, (int, float)) for v in values) and \
                        not any(_starts_with_value(before.group(1), v, self.lexicon.words) for v in values):
                    findings.append(Finding(index, before.group(1), (
                        f"message {index} gives {before.group(1)} {label}, but the result has {field} {values[0]!r}")))
                    continue
                said = _after_label(low, at + len(label))
                if not said or not values or any(_starts_with_value(said, v, self.lexicon.words) for v in values):
                    continue
                wrong = self._other_value_of(field, said, values, records)
                if wrong is not None:
                    findings.append(Finding(index, wrong, (
                        f"message {index} gives {label} {wrong!r}, but the result has {field} {values[0]!r}")))
        return findings

    def _other_value_of(self, field: str, said: str, values: list[Any], records: list[Record]) -> str | None:
        """The value of the same kind the reply gives instead (None: what follows is no value)."""
        if all(isinstance(v, (int, float)) for v in values):
            number = _LEADING_NUMBER.match(said)
            after = said[number.end():number.end() + 1] if number else ""
            if after.isalpha() or after in ("(", "*", "/", "^"):
                return None  # "solutions of 2x + 3 = 11", "of 3(x - 4) = 21": an expression, not a value
            return number.group() if number else None
        known = {str(v).lower() for r in records for v in r.fields.get(field, ()) if isinstance(v, str)}
        known |= self._pack_values(field)
        return next((k for k in sorted(known, key=len, reverse=True) if said.startswith(k)
                     and (len(said) == len(k) or not said[len(k)].isalnum())), None)

    def _pack_values(self, field: str) -> frozenset[str]:
        """The values the pack knows `field` takes (its enum's, the names it holds), lower case;
        kept per pack: walking every name of the pack per label cost more than the rest of it."""
        memo = self.lexicon.memo
        found = memo.get(("values", field))
        if found is None:
            lexicon = self.lexicon
            found = frozenset({v.lower() for (_, f), vs in lexicon.enums.items() if f == field for v in vs}
                              | {form.lower() for form, meanings in lexicon.names.items()
                                 if any(field in k for _, k in meanings)})
            memo[("values", field)] = found
        return found

    def _first_words(self) -> re.Pattern[str]:
        """Any first word of the pack's names, anywhere (kept per pack): a reply holding none
        names none of them, and most replies are told so by one scan instead of by cutting
        them into words."""
        memo = self.lexicon.memo
        found = memo.get("first_words")
        if found is None:
            words = sorted(self.lexicon.by_word, key=len, reverse=True)
            found = memo["first_words"] = re.compile("|".join(map(re.escape, words)) if words else "(?!)")
        return found

    def names(self, index: int, text: str, evidence: Evidence, turn: list[Record]) -> list[Finding]:
        """A name this turn's result shows another value of, in its place, never shown itself.

        Names are known from the pack (`Lexicon.names`); a phrase of capitalised words the
        evidence does not hold ("Fatima White") is also looked up in this episode's own state,
        whose people and titles a sample of states need not share."""
        lexicon = self.lexicon
        names = lexicon.names
        hits = [form for word in name_words_in(text, self._first_words()) for form in lexicon.by_word[word]
                if form in text and _whole(text, form)]
        hits += [form for form in lexicon.unspaced if form in text and _whole(text, form)]
        # `evidence.shows` is `in evidence.raw` and `has` `in evidence.text` (normalised: "The" of
        # "The Hiring Plan" is a word the conversation had), without joining the prompt to them
        shows, has = evidence.shows, evidence.has
        phrases = [_ARTICLE_FIRST.sub("", p) for p in _CAPITALISED.findall(text)]  # "The Chloe Müller (DOC-1)"
        unknown = [p for p in phrases  # with a word the conversation never had
                   if " " in p and p not in names and not shows(p) and any(not has(w.lower()) for w in p.split())]
        if any(q in text for q in _QUOTES):  # most replies quote nothing: skip the scan
            unknown += [p for p in _QUOTED.findall(text) if p not in names and not shows(p)]  # “Interview debrief”
        # a capitalised word alone: in Chinese text anywhere, in English mid-sentence ("ship to
        # 5 Main Place, Boston 60891"; a sentence's first word is capitalised anyway)
        alone = _CAPITALISED_WORD if not text.isascii() else _MID_SENTENCE_WORD
        unknown += [w for w in alone.findall(text) if w not in names and not shows(w)]
        episode = self._episode_names() if unknown else {}
        hits += [p for p in unknown if p in episode]
        findings = []
        said = evidence.conversation if hits else ""
        for form in dict.fromkeys(hits):
            if form in said:
                continue
            meanings = names.get(form) or episode.get(form, [])
            problem = next((p for name, keys in meanings if (p := _other_value(form, name, keys, turn, index))), None)
            if problem:
                findings.append(Finding(index, form, problem))
        return findings

    def _episode_names(self) -> Names:
        if self._state_names is None:
            self._state_names = names_of(self.state(), self.lexicon.words)
        return self._state_names

    def clauses(self, index: int, low: str, items: list[tuple[Any, ...]], records: list[Record],
                every: Sequence[Record] = ()) -> list[Finding]:
        """A clause that names one record (its id) and states another record's value of a field
        both have: "ORD-1 came to 29.99" when 29.99 is ORD-2's total in the same list."""
        ids = {i: r for r in records if r.identity and (i := r.identity.lower()) in low}
        if not ids:
            return []
        with_identity: dict[int, int] = {}  # group -> its records that have an identity
        for other in records:
            if other.identity:
                with_identity[other.group] = with_identity.get(other.group, 0) + 1
        crowded = {r.group for r in ids.values() if with_identity[r.group] > 1}
        if not crowded:
            return []
        bounds = [m.end() for m in CLAUSE.finditer(low)]
        named: dict[int, set[int]] = {}  # clause -> the records (by position in `records`) it names
        where = {id(r): n for n, r in enumerate(records)}
        for token, record in ids.items():
            for at in _word_positions(low, token):
                named.setdefault(bisect_right(bounds, at), set()).add(where[id(record)])
        findings = []
        enums = self.lexicon.enum_values
        for at, value, *alternatives in items:
            key = _key(value)
            clause = named.get(bisect_right(bounds, at))
            if not clause or isinstance(value, str) and not _distinctive(value) and value not in enums:
                continue
            record = _the_one([records[n] for n in clause])
            if record is None or record.group not in crowded or key in _keys(record):
                continue
            if alternatives and any(_key(v) in _keys(record) for v in alternatives[0]):
                continue  # 处理中 is processing or pending: the record holds one of them
            if any(key in _keys(r) for r in every if r.identity == record.identity):
                continue  # another result about the same record shows it (check_status's estimated delivery)
            for other, name in self._index(records, record.group).get(key, ()):
                if other is not record and name in record.fields:
                    findings.append(Finding(index, str(value), (
                        f"message {index} says {value!r} about {record.identity}, but {record.tool} "
                        f"returned {name} {record.fields[name][0]!r} for it ({value!r} is {other.identity}'s)")))
                    break
        return findings

    def _index(self, records: list[Record], group: int) -> dict[Any, list[tuple[Record, str]]]:
        """value -> (record, field) over the records of one result with an identity (kept)."""
        found = self._indexes.get(group)
        if found is None:
            found = self._indexes[group] = {}
            for record in records:
                if record.group == group and record.identity:
                    for name, values in record.fields.items():
                        for value in values:
                            if _distinctive(value) or value in self.lexicon.enum_values:
                                found.setdefault(_key(value), []).append((record, name))
        return found


def _the_one(named: list[Record]) -> Record | None:
    """The record a clause is about: the one it names, or of several (a booking names its
    flight too) the one holding all of their ids."""
    if len(named) > 1:
        wanted = {r.identity for r in named}
        named = [r for r in named if wanted <= {v for v in r.values() if isinstance(v, str)}]
    return named[0] if len(named) == 1 else None


def _other_value(form: str, name: str, keys: frozenset[str], turn: list[Record], index: int) -> str | None:
    """Why naming `name` (as `form`) contradicts this turn's results: they hold fields it can be
    a value of (a city: origin, destination), and none of them holds it."""
    holding = [(r, key) for key in sorted(keys) for r in turn if key in r.fields]
    if not holding or any(name in r.fields[key] for r, key in holding):
        return None
    record, key = holding[-1]
    return f"message {index} names {form!r}, but {record.tool} returned {key} {record.fields[key][0]!r}"


def _key(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return str(value).casefold()


def _distinctive(value: Any) -> bool:
    """A value worth tying to one record: not a small count (an integer below 100; a JSON float
    is an amount), not a common word."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, float):
        return True
    if isinstance(value, int):
        return abs(value) >= 100
    return isinstance(value, str) and len(value) >= 4 and value.casefold() not in reply_words().common


def _keys(record: Record) -> set[Any]:
    found = record.__dict__.get("_keys")
    if found is None:
        found = record.__dict__["_keys"] = {  # `_key` of each value, inlined: a call per value cost more than the rest
            round(float(v), 6) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v).casefold()
            for v in record.values()}
    return found


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


_AFTER_NUMBER = re.compile(r"\d\s?$")
_NUMBER_BEFORE = re.compile(r"(?<![\d.,:/-])(\d+(?:\.\d+)?)\s*$")
_LEADING_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LINK = re.compile(r"^[\s:：=]*(?:(?:is|was|are|of|at|now|currently)\s+)*")


def _after_label(low: str, end: int) -> str:
    """The text a label introduces: "battery: 15%" -> "15%", "home city is Shenzhen" -> "shenzhen"."""
    rest = low[end:end + 60]
    return rest[_LINK.match(rest).end():]  # type: ignore[union-attr]


def _starts_with_value(said: str, value: Any, words: ValueWords) -> bool:
    if isinstance(value, (int, float)):
        number = _LEADING_NUMBER.match(said)
        if number is None:
            return True  # the label is followed by words, not a number: nothing to compare
        try:
            stated = float(number.group().replace(",", ""))
        except ValueError:
            return True
        decimals = len(number.group().split(".")[1]) if "." in number.group() else 0
        return math.isclose(stated, abs(value), abs_tol=1e-9) or round(abs(value), decimals) == stated
    return any(said.startswith(form.lower()) for form in words.forms(str(value)))  # 杭州 for Hangzhou


def _said(value: Any) -> list[str]:
    """A result's value as a reply may write it, lower-cased: as it is, a date-time also in words."""
    forms = [str(value).lower()]
    if isinstance(value, str) and value[10:11] == "T":
        forms += [w.lower() for language in ("en", "zh") if (w := date_time_in_words(value, language))]
    return forms
