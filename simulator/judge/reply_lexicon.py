"""What the reply checks know about a pack's words, computed once and kept: the enum values its
results take and how each is written (`Lexicon`, per pack), and the names its states hold.

Judging must cost microseconds per trace (the offline benchmark runs a thousand episodes a
second, judge included), so nothing here is rebuilt per trace: the tables are cached by the
object they are read from, which the cache keeps alive so its id cannot be reused.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from simulator.judge.reply_words import reply_words
from simulator.judge.result_fields import enum_fields, is_name, keyed_names
from simulator.spec.pack import Domain
from simulator.words.value_words import ValueWords, humanised

WORD = r"[a-z][a-z0-9]*"  # how the reply checks cut English text into words
_WORD = re.compile(WORD)
# a word a name may start with: "O'Brien", "St.", "Müller" (not glued Chinese: 包含Desk Lamp)
NAME_WORD = r"[A-Za-z](?:[^\W\u3000-\u9fff\uff00-\uffef]|['’.-])*"
_NAME_WORD = re.compile(NAME_WORD)
_NAME_CHAR = re.compile(r"[^\W\u3000-\u9fff\uff00-\uffef]|['’.-]")  # what NAME_WORD runs on with
MAX_FAMILY = 12  # an enum of more values that are names (cities, currencies): the names check reads it
_CACHE_LIMIT = 128

Names = dict[str, list[tuple[str, frozenset[str]]]]  # as written -> [(the name, fields it is a value of)]


@dataclass(frozen=True)
class Form:
    """One way an enum value of a result field is written in a reply."""

    text: str  # lower case
    meant: frozenset[str]  # the values it may stand for (处理中: processing or pending)
    anchor: str  # the field's name (its last word): an everyday word counts only next to it
    everyday: bool  # "high", "on": a value only next to its anchor


@dataclass(frozen=True)
class Lexicon:
    words: ValueWords
    enums: dict[tuple[str, str], frozenset[str]]  # (tool, field) -> values, small enums only
    forms: dict[str, Form]  # by its text
    words_forms: dict[str, Form]  # the forms that are one ASCII word ("shipped"), found by a word scan
    other_forms: tuple[Form, ...]  # the rest (in air, 已发货), longest first, found by substring
    ascii_forms: tuple[Form, ...]  # those of `other_forms` an English reply can hold
    enum_values: frozenset[str]  # every value of `enums`
    names: Names  # names the sims' states and the enums hold (a product, a city), as written in any language
    by_word: dict[str, tuple[str, ...]]  # an ASCII name's first word -> those names (a reply is scanned by word)
    unspaced: tuple[str, ...]  # the names that are not ASCII words (巴黎, 《天龙八部》): looked for one by one
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)  # tables derived from these, per pack


def _forms(words: ValueWords, enums: dict[tuple[str, str], frozenset[str]]) -> dict[str, Form]:
    common = reply_words().common
    out: dict[str, Form] = {}
    for values, name in {v: n for (_, n), v in enums.items()}.items():
        written: dict[str, set[str]] = {}
        for value in values:
            for form in words.forms(value):
                written.setdefault(form.lower(), set()).add(value)
        for form, meant in written.items():
            known = out.get(form)
            out[form] = Form(
                text=form,
                meant=frozenset(meant | words.meanings(form) | (known.meant if known else frozenset())),
                anchor=humanised(name).split()[-1].lower() if name else "",
                # a value only where it stands as one: PM2.5 and 4K label other things too, and
                # 高, 雪, 延误 are short words others are made of
                everyday=(form.isascii() and (len(form) < 3 or form in common)) or any(c.isdigit() for c in form)
                or (not form.isascii() and len(form) < 3),
            )
    return out


def _index(names: dict[str, set[str]], words: ValueWords) -> Names:
    found: Names = {}
    for name, keys in names.items():
        for form in words.forms(name):
            if is_name(form) or form == name:
                found.setdefault(form, []).append((name, frozenset(keys)))
    return found


_LEXICONS: dict[int, tuple[Domain, Lexicon]] = {}


def lexicon(domain: Domain) -> Lexicon:
    hit = _LEXICONS.get(id(domain))
    if hit is not None and hit[0] is domain:
        return hit[1]
    words = ValueWords(domain.config.value_labels)
    every = enum_fields(domain.tools)
    # A long enum of names (cities, currencies) is read by the names check; a long one of words
    # (units, conditions) here.
    enums = {k: v for k, v in every.items() if len(v) <= MAX_FAMILY or not any(is_name(x) for x in v)}
    named: dict[str, set[str]] = {}
    for (_, key), values in every.items():
        for value in values:
            if is_name(value):
                named.setdefault(value, set()).add(key)
    names = _sampled_names(domain, words)
    for form, meanings in _index(named, words).items():
        names.setdefault(form, []).extend(meanings)
    forms = _forms(words, enums)
    one_word = {t: f for t, f in forms.items() if _WORD.fullmatch(t)}
    others = tuple(sorted((f for t, f in forms.items() if t not in one_word), key=lambda f: -len(f.text)))
    by_word: dict[str, list[str]] = {}
    for form in names:
        first = _NAME_WORD.match(form)
        if form.isascii() and first:
            by_word.setdefault(first.group(), []).append(form)
    unspaced = tuple(f for f in names if not (f.isascii() and _NAME_WORD.match(f)))
    found = Lexicon(words, enums, forms, one_word, others, tuple(f for f in others if f.text.isascii()),
                    frozenset(v for vs in enums.values() for v in vs), names,
                    {w: tuple(fs) for w, fs in by_word.items()}, unspaced)
    if len(_LEXICONS) >= _CACHE_LIMIT:
        _LEXICONS.clear()
    _LEXICONS[id(domain)] = (domain, found)
    return found


_SAMPLE_SEEDS = (0, 1, 2)
_SAMPLE_DAY = date(2025, 1, 15)


def _sampled_names(domain: Domain, words: ValueWords) -> Names:
    """The names the pack's sims put in a state (products, people, hotels, cities), read from
    the states of a few seeds once per pack: a state is seeded from the same catalogues every
    episode, and walking each episode's own state would cost more than judging the rest."""
    if domain.sims is None:
        return {}
    names: dict[str, set[str]] = {}
    for seed in _SAMPLE_SEEDS:
        state = domain.sims.seed_state(random.Random(seed), _SAMPLE_DAY)
        keyed_names(state, names, reply_words().not_names)
    return _index(names, words)


def names_of(tree: Any, words: ValueWords) -> Names:
    """The names a state or a result holds, as written in any language."""
    return _index(keyed_names(tree, {}, reply_words().not_names), words)


# a field name's last word that is its unit: `battery_percent` is also "battery" (and a number
# before "minutes" may be any field's: several fields share that unit)
UNITS = ("percent", "pct", "c", "f", "kph", "kmh", "km", "kg", "kwh", "minutes", "min", "hours", "days", "usd")


@lru_cache(maxsize=4096)
def field_labels(fields: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(label, field) for each of a turn's `fields` (in the order its set of them iterates),
    longest label first: sorted once per set of fields, not per reply. A reply keeps those it
    holds, in this order: the order sorting just those would give (the sort is stable)."""
    return tuple(sorted(((label, name) for name in fields for label in _labels(name)), key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=4096)
def _labels(field: str) -> tuple[str, ...]:
    """How a reply names a field: `battery_percent` as "battery percent" or "battery"."""
    words = humanised(field).lower().split()
    found = [" ".join(words)] if len(" ".join(words)) >= 4 else []
    if len(words) > 1 and words[-1] in UNITS and len(" ".join(words[:-1])) >= 4:
        found.append(" ".join(words[:-1]))
    return tuple(found)


def name_words_in(text: str, first_words: re.Pattern[str]) -> list[str]:
    """The words `re.findall(NAME_WORD, text)` gives that `first_words` (an alternation of such
    words, longest first) matches, once each, in order; without cutting the whole text into
    words. findall's word is a run of `_NAME_CHAR`s from its first ASCII letter to its end:
    a match is one when the run ends with it and holds no ASCII letter before it (and no word
    starts inside a match that is none: its characters are the run's, after a letter)."""
    found: dict[str, None] = {}
    for match in first_words.finditer(text):
        start, end = match.span()
        if end < len(text) and _NAME_CHAR.match(text, end):
            continue  # the run goes on: "Davidson"
        at = start - 1
        while at >= 0 and _NAME_CHAR.match(text, at) and not (text[at].isascii() and text[at].isalpha()):
            at -= 1
        if at >= 0 and _NAME_CHAR.match(text, at):
            continue  # an ASCII letter earlier in the run: the word starts there ("McDavid", "x9David")
        found[match.group()] = None
    return list(found)


def word_scan(lexicon: Lexicon) -> re.Pattern[str] | None:
    """`lexicon.words_forms` as one alternation, longest first (kept per pack); None when one of
    them is no WORD (then `words_in` could not tell findall's words from its matches)."""
    memo = lexicon.memo
    if "word_scan" not in memo:
        words = sorted(lexicon.words_forms, key=len, reverse=True)
        memo["word_scan"] = None if not all(_WHOLE_WORD.fullmatch(w) for w in words) else \
            re.compile("|".join(map(re.escape, words)) if words else "(?!)")
    return memo["word_scan"]


def words_in(low: str, scan: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where `re.finditer(WORD, low)` finds a word `scan` matches, in order: a match is such a
    word when its run of [a-z0-9] ends with it and holds no letter before it (as `name_words_in`)."""
    found = []
    for match in scan.finditer(low):
        start, end = match.span()
        if end < len(low) and low[end] in _WORD_CHARS:
            continue  # "shipped2"
        at = start - 1
        while at >= 0 and low[at] in _DIGITS:
            at -= 1
        if at >= 0 and low[at] in _WORD_CHARS:
            continue  # "unshipped", "a1shipped"
        found.append((start, end))
    return found


_WHOLE_WORD = re.compile(WORD)
_DIGITS = frozenset("0123456789")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
