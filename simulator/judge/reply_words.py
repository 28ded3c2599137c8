"""Reading an assistant's reply: which spans claim that a change was made, and which words are
hedged (negated, future, conditional) so they state nothing.

The phrase tables are data (`reply_phrases.yaml`, per language); this module only compiles and
applies them. Both reply checks use it: `outcomes` for claims, `reply_grounding` for hedges
around stated values.
"""

from __future__ import annotations

import re
import re._constants as _C  # `re`'s own parser reads a pattern's first characters (`_led`)
import re._parser as _sre
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from simulator.core.data_files import read_data_yaml

PHRASES_FILE = Path(__file__).with_name("reply_phrases.yaml")
_EN_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Claim:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ReplyWords:
    claims: re.Pattern[str]  # every claim phrase of every language, one pattern
    en_claims: re.Pattern[str]  # the English ones alone: an ASCII reply holds no Chinese phrase
    en_hedges: frozenset[str]
    en_phrases: tuple[str, ...]  # hedges of several words, with a leading space: " to be"
    zh_hedges: re.Pattern[str]
    common: frozenset[str]
    not_names: frozenset[str]
    not_ids: frozenset[str]


@lru_cache(maxsize=1)
def reply_words() -> ReplyWords:
    book = read_data_yaml(PHRASES_FILE)
    en, zh = book["en"], book["zh"]
    english = "|".join(f"(?:{p.replace('{verbs}', en['verbs'])})" for p in en["claims"])
    chinese = "|".join(f"(?:{p})" for p in zh["claims"])
    every = _led(rf"\b(?:{english})(?![a-z])|{chinese}")  # led too: a Chinese reply skips to 已, 成...
    return ReplyWords(
        claims=every,
        en_claims=_led(rf"\b(?:{english})(?![a-z])") if all(map(_needs_cjk, zh["claims"])) else every,
        en_hedges=frozenset(en["hedges"]),
        en_phrases=tuple(" " + h for h in en["hedges"] if " " in h),
        zh_hedges=re.compile("|".join(map(re.escape, zh["hedges"]))),
        common=frozenset(en["common"]),
        not_names=frozenset(en["not_names"]),
        not_ids=frozenset(en["not_ids"]),
    )


def _led(pattern: str) -> re.Pattern[str]:
    """`pattern`, led by a look-ahead for the characters a match can start with (when they can
    be told from its syntax tree): `re` then passes every other position at once instead of
    trying each phrase there. The look-ahead admits every start the pattern has, so it finds
    the same matches, about three times faster."""
    try:
        parsed = _sre.parse(pattern)
        starts = None if parsed.state.flags & re.IGNORECASE else _starts(list(parsed))
    except Exception:  # noqa: BLE001 - `re`'s parser is internal: without it, the plain pattern
        starts = None
    if not starts:
        return re.compile(pattern)
    return re.compile("(?=[" + "".join(re.escape(c) for c in sorted(starts)) + "])" + pattern)


def _starts(items: list) -> set[str] | None:
    """The characters a match of the parsed `items` can start with (None: cannot tell)."""
    for op, av in items:
        if op is _C.AT:
            continue  # \b: zero-width
        if op is _C.LITERAL:
            return {chr(av)}
        if op is _C.SUBPATTERN:
            return None if av[1] or av[2] else _starts(list(av[3]))  # inline flags: cannot tell
        if op is _C.BRANCH:
            found: set[str] = set()
            for branch in av[1]:
                starts = _starts(list(branch))
                if starts is None:
                    return None
                found |= starts
            return found
        if op is _C.IN and all(o is _C.LITERAL for o, _ in av):
            return {chr(a) for _, a in av}
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and av[0] >= 1:
            return _starts(list(av[2]))
        return None
    return None


def _needs_cjk(pattern: str) -> bool:
    """Every branch of `pattern` starts with a required non-ASCII character, so it matches no
    ASCII text (checked, not assumed, so the ASCII shortcut of `claims` stays exact)."""
    branches, depth, start = [], 0, 0
    for at, char in enumerate(pattern):
        if pattern[at - 1:at] == "\\":
            continue
        depth += (char in "([") - (char in ")]")
        if char == "|" and depth == 0:
            branches.append(pattern[start:at])
            start = at + 1
    branches.append(pattern[start:])
    return all(b[:1] and not b[0].isascii() and b[1:2] not in ("?", "*", "{") for b in branches)


def lowered(text: str) -> str:
    """The form the phrase tables match: lower case, straight apostrophes."""
    if text.isascii():  # of the table's characters only "`" is ASCII; replace beats translate
        return text.replace("`", "'").lower()
    # Three replaces, not str.translate: translating a non-ASCII text looks every character up
    # in the table (8 us for a 70-character Chinese reply, against 1 us). The same text: each
    # writes a straight apostrophe, which is none of the characters replaced.
    return text.replace("’", "'").replace("‘", "'").replace("`", "'").lower()


def hedged(text: str, start: int) -> bool:
    """Is the word at `start` of (lowered) `text` negated, future or conditional? English: a
    hedge among the three words before it (or "yet" right after); Chinese: a hedge in the four
    characters before it."""
    words = reply_words()
    before = text[max(0, start - 40):start]
    before = before[max(before.rfind("”"), before.rfind("」")) + 1:]  # a quoted title's words ("Podcast to try") hedge nothing
    tokens = _EN_WORD.findall(before)[-3:]
    for token in tokens:
        if token in words.en_hedges or token.endswith("n't"):
            return True
    window = " " + " ".join(tokens)
    if window.endswith(words.en_phrases):  # str.endswith takes the whole tuple at C speed
        return True
    if " yet" in text[start:start + 40].split(".", 1)[0]:
        return True
    window = text[max(0, start - 4):start]
    return not window.isascii() and words.zh_hedges.search(window) is not None


def claims(text: str) -> list[Claim]:
    """The unhedged spans of `text` that say a change was made ("has been updated", "已更新")."""
    return list(_claims(text))


@lru_cache(maxsize=4096)  # a quarter of the replies are sentences other episodes said word for word
def _claims(text: str) -> tuple[Claim, ...]:
    low = lowered(text)
    words = reply_words()
    # Every Chinese phrase holds a Chinese character: an ASCII reply is scanned for the English
    # ones alone, which finds the same spans in half the time.
    pattern = words.en_claims if low.isascii() else words.claims
    return tuple(Claim(m.start(), m.end(), text[m.start():m.end()])
                 for m in pattern.finditer(low) if not hedged(low, m.start()))


_ARTICLE = re.compile(r"(?:^|\s)an?$")
_ID_BEFORE = re.compile(r"[a-z]{1,8}[-_]?\d{2,}[a-z0-9-]*,$")


def standalone(low: str, at: int, end: int) -> bool:
    """Does the word at `at` stand alone in a value's slot: in brackets ("dev-8633 (light)",
    "(延期, 2026-06-23)"), after a colon up to the clause's end ("状态: 延误,"), or as an
    apposition of a record's id ("dev-8922, a light,", "(DOC-9912, doc)")? NFKC has made
    （，： ASCII."""
    before = low[max(0, at - 24):at].rstrip()
    article = _ARTICLE.search(before)
    if article and low[at:end].isascii():
        before = before[:article.start()].rstrip()
    after = low[end:end + 2].lstrip()
    opened, closed = before[-1:], after[:1]
    if opened in ("(", "[") and closed in (")", "]", ",", "、", ";"):
        return True
    if opened == ":" and (closed in (",", ";", ".", "。", ")", "") or closed.isspace()):
        return True
    return opened == "," and closed in (",", ")", ";") and _ID_BEFORE.search(before) is not None
