"""Reading an assistant's reply: which spans claim that a change was made, and which words are
hedged (negated, future, conditional) so they state nothing.

The phrase tables are data (`reply_phrases.yaml`, per language); this module only compiles and
applies them. Both reply checks use it: `outcomes` for claims, `reply_grounding` for hedges
around stated values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PHRASES_FILE = Path(__file__).with_name("reply_phrases.yaml")
_EN_WORD = re.compile(r"[a-z0-9']+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


@dataclass(frozen=True)
class Claim:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ReplyWords:
    claims: re.Pattern[str]  # every claim phrase of every language, one pattern
    en_hedges: frozenset[str]
    en_phrases: tuple[str, ...]  # hedges of several words, with a leading space: " to be"
    zh_hedges: re.Pattern[str]
    common: frozenset[str]
    not_names: frozenset[str]
    not_ids: frozenset[str]


@lru_cache(maxsize=1)
def reply_words() -> ReplyWords:
    book = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    en, zh = book["en"], book["zh"]
    english = "|".join(f"(?:{p.replace('{verbs}', en['verbs'])})" for p in en["claims"])
    chinese = "|".join(f"(?:{p})" for p in zh["claims"])
    return ReplyWords(
        claims=re.compile(rf"\b(?:{english})(?![a-z])|{chinese}"),
        en_hedges=frozenset(en["hedges"]),
        en_phrases=tuple(" " + h for h in en["hedges"] if " " in h),
        zh_hedges=re.compile("|".join(map(re.escape, zh["hedges"]))),
        common=frozenset(en["common"]),
        not_names=frozenset(en["not_names"]),
        not_ids=frozenset(en["not_ids"]),
    )


def lowered(text: str) -> str:
    """The form the phrase tables match: lower case, straight apostrophes."""
    return text.translate(_QUOTES).lower()


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
    if any(window.endswith(phrase) for phrase in words.en_phrases):
        return True
    if " yet" in text[start:start + 40].split(".", 1)[0]:
        return True
    window = text[max(0, start - 4):start]
    return not window.isascii() and words.zh_hedges.search(window) is not None


def claims(text: str) -> list[Claim]:
    """The unhedged spans of `text` that say a change was made ("has been updated", "已更新")."""
    low = lowered(text)
    return [Claim(m.start(), m.end(), text[m.start():m.end()])
            for m in reply_words().claims.finditer(low) if not hedged(low, m.start())]
