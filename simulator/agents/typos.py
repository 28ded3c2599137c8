"""Typos and abbreviations for the offline user, applied around the facts, never inside them.

A message whose order id, e-mail or amount got a swapped letter would be ungroundable: the
assistant could not find the value in the conversation and the judge would reject the call. So
the text is split into protected spans (every fact value, plus any token with a digit or an `@`)
and free text, and only free text is touched.
"""

from __future__ import annotations

import random
import re
from typing import Callable, Iterable, Mapping

# A token containing a digit or '@' (ids, e-mails, amounts, postal codes) is always protected.
_ID_LIKE = r"[^\s，。！？、]*[\d@][^\s，。！？、]*"
_ID_LIKE_RE = re.compile(_ID_LIKE)
_LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
_ZH_PUNCTUATION = re.compile(r"[。！]$|，")

Segments = list[list]  # [[protected: bool, text: str], ...]
Op = Callable[[Segments, random.Random], bool]


def _compile_abbreviations(mapping: Mapping[str, str], language: str) -> re.Pattern[str] | None:
    if not mapping:
        return None
    words = sorted(mapping, key=len, reverse=True)  # "thank you" before "you"
    alternation = "|".join(re.escape(w) for w in words)
    pattern = alternation if language == "zh" else rf"\b(?:{alternation})\b"
    return re.compile(pattern, re.IGNORECASE)


class TypoMaker:
    """Makes one message sloppy: 1–2 of abbreviations, swapped or dropped letters, lowercase."""

    def __init__(self, language: str, abbreviations: Mapping[str, str], protected: Iterable[str]) -> None:
        self.language = language
        self._abbreviations = {k.lower(): v for k, v in abbreviations.items()}
        self._abbreviation_re = _compile_abbreviations(abbreviations, language)
        # Found with str.find, not compiled into a regex: the facts differ in every episode and
        # compiling a fresh alternation each time would cost more than the whole conversation.
        self._literals = tuple(sorted({s.lower() for s in protected if s and s.strip()}, key=len, reverse=True))
        ops: list[Op] = [self._abbreviate]
        ops += [_drop_punctuation] if language == "zh" else [_swap_letters, _drop_letter, _lowercase]
        self._ops = ops

    def apply(self, text: str, rng: random.Random) -> str:
        """`text` with 1–2 sloppy edits outside protected spans (unchanged only if nothing is free)."""
        segments = self._split(text)
        wanted = rng.choice((1, 2))
        applied = 0
        for op in rng.sample(self._ops, len(self._ops)):
            if op(segments, rng):
                applied += 1
                if applied >= wanted:
                    break
        return "".join(seg[1] for seg in segments)

    def _protected_spans(self, text: str) -> list[tuple[int, int]]:
        """Merged (start, end) spans of every fact occurrence and id-like token."""
        spans = [m.span() for m in _ID_LIKE_RE.finditer(text) if m.end() > m.start()]
        lowered = text.lower()
        if len(lowered) == len(text):  # lower() kept the offsets (it does except for rare letters)
            for literal in self._literals:
                start = lowered.find(literal)
                while start != -1:
                    spans.append((start, start + len(literal)))
                    start = lowered.find(literal, start + len(literal))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def _split(self, text: str) -> Segments:
        segments: Segments = []
        position = 0
        for start, end in self._protected_spans(text):
            if start > position:
                segments.append([False, text[position:start]])
            segments.append([True, text[start:end]])
            position = end
        if position < len(text):
            segments.append([False, text[position:]])
        return segments

    def _abbreviate(self, segments: Segments, rng: random.Random) -> bool:
        if self._abbreviation_re is None:
            return False
        changed = False
        for seg in segments:
            if not seg[0]:
                new = self._abbreviation_re.sub(lambda m: self._abbreviations[m.group(0).lower()], seg[1])
                changed |= new != seg[1]
                seg[1] = new
        return changed


def _pick_word(segments: Segments, rng: random.Random) -> tuple[list, re.Match[str]] | None:
    candidates = [(seg, m) for seg in segments if not seg[0] for m in _LATIN_WORD.finditer(seg[1])]
    return rng.choice(candidates) if candidates else None


def _replace_word(seg: list, match: re.Match[str], word: str) -> None:
    seg[1] = seg[1][: match.start()] + word + seg[1][match.end():]


def _swap_letters(segments: Segments, rng: random.Random) -> bool:
    picked = _pick_word(segments, rng)
    if picked is None:
        return False
    seg, match = picked
    word = match.group(0)
    i = rng.randrange(1, len(word) - 1)
    if word[i] == word[i + 1]:
        return False
    _replace_word(seg, match, word[:i] + word[i + 1] + word[i] + word[i + 2:])
    return True


def _drop_letter(segments: Segments, rng: random.Random) -> bool:
    picked = _pick_word(segments, rng)
    if picked is None:
        return False
    seg, match = picked
    word = match.group(0)
    i = rng.randrange(1, len(word))
    _replace_word(seg, match, word[:i] + word[i + 1:])
    return True


def _lowercase(segments: Segments, rng: random.Random) -> bool:
    changed = False
    for seg in segments:
        if not seg[0]:
            new = seg[1].lower()
            changed |= new != seg[1]
            seg[1] = new
    if segments and not segments[-1][0] and segments[-1][1].endswith("."):
        segments[-1][1] = segments[-1][1][:-1]
        changed = True
    return changed


def _drop_punctuation(segments: Segments, rng: random.Random) -> bool:
    changed = False
    for seg in segments:
        if not seg[0]:
            new = _ZH_PUNCTUATION.sub(lambda m: "" if m.group(0) != "，" else " ", seg[1])
            changed |= new != seg[1]
            seg[1] = new
    return changed
