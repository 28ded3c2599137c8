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
    claims: tuple[re.Pattern[str], ...]
    en_hedges: frozenset[str]
    zh_hedges: tuple[str, ...]
    common: frozenset[str]
    not_names: frozenset[str]


@lru_cache(maxsize=1)
def reply_words() -> ReplyWords:
    book = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    en, zh = book["en"], book["zh"]
    patterns = [re.compile(rf"(?<![a-z]){p.replace('{verbs}', en['verbs'])}(?![a-z])") for p in en["claims"]]
    patterns += [re.compile(p) for p in zh["claims"]]
    return ReplyWords(
        claims=tuple(patterns),
        en_hedges=frozenset(en["hedges"]),
        zh_hedges=tuple(zh["hedges"]),
        common=frozenset(en["common"]),
        not_names=frozenset(en["not_names"]),
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
    tokens = _EN_WORD.findall(before)[-3:]
    if any(t in words.en_hedges or t.endswith("n't") for t in tokens):
        return True
    window = " " + " ".join(tokens)
    if any(" " in h and window.endswith(" " + h) for h in words.en_hedges):
        return True
    if " yet" in text[start:start + 40].split(".")[0]:
        return True
    window = text[max(0, start - 4):start]
    return any(h in window for h in words.zh_hedges)


def claims(text: str) -> list[Claim]:
    """The unhedged spans of `text` that say a change was made ("has been updated", "已更新")."""
    low = lowered(text)
    found: list[Claim] = []
    for pattern in reply_words().claims:
        for match in pattern.finditer(low):
            if not hedged(low, match.start()) and not any(c.start <= match.start() < c.end for c in found):
                found.append(Claim(match.start(), match.end(), text[match.start():match.end()]))
    return sorted(found, key=lambda c: c.start)
