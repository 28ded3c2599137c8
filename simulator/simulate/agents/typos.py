"""Typos, shorthand and other word-level edits for the offline user, applied around the facts,
never inside them.

A message whose order id, e-mail or amount got a swapped letter would be ungroundable: the
assistant could not find the value in the conversation and the judge would reject the call. So
the text is split into protected spans (every fact value, plus any token with a digit or an `@`)
and free text, and only free text is touched. The same split serves every persona trait that
rewrites words: chat shorthand, second-language phrasing, code-switching, no punctuation.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from typing import Callable, Iterable, Mapping

from simulator.core.identity_memo import by_identity

# A token containing a digit or '@' (ids, e-mails, amounts, postal codes) is always protected.
# Chinese characters end the token: in "订单ORD-48291里" only the id is protected.
_NOT_IN_TOKEN = "\\s，。！？、：；\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_ID_LIKE = rf"[^{_NOT_IN_TOKEN}]*[\d@][^{_NOT_IN_TOKEN}]*"
_ID_LIKE_RE = re.compile(_ID_LIKE)
_LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
_ZH_PUNCTUATION = re.compile(r"[。！]$|，")
# Sentence punctuation a no-punctuation typist leaves out: Latin marks before a space or the end
# (the dot inside 27.50 or jane.doe@x.com stays), Chinese marks anywhere, straight quotes.
_ANY_PUNCTUATION = re.compile(r"[.!?;:,]+(?=\s|$)|[。！？；：，、]+|\.{2,}|[\"“”]")
_SPACE_RUNS = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_MARK = re.compile(r" +(?=[，。！？、：；,.!?])")
_SPACE_AFTER_ZH_MARK = re.compile(r"(?<=[，。！？、：；])\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_START = re.compile(r"(^\s*|[.!?]\s+)([a-z])")
_NEXT_SENTENCE = re.compile(r"([.!?]\s+)([a-z])")

Segments = list[list]  # [[protected: bool, text: str], ...]
Op = Callable[[Segments, random.Random], bool]


@by_identity(64)
def _compile_abbreviations(mapping: Mapping[str, str], language: str) -> re.Pattern[str] | None:
    """The phrase book's abbreviations as one pattern, compiled once per book (every conversation
    of a persona that makes typos builds a `TypoMaker`)."""
    return _abbreviation_pattern(mapping, language)


def _abbreviation_pattern(mapping: Mapping[str, str], language: str) -> re.Pattern[str] | None:
    if not mapping:
        return None
    words = sorted(mapping, key=len, reverse=True)  # "thank you" before "you"
    alternation = "|".join(re.escape(w) for w in words)
    pattern = alternation if language == "zh" else rf"\b(?:{alternation})\b"
    return re.compile(pattern, re.IGNORECASE)


@by_identity(64)
def _lowered(abbreviations: Mapping[str, str]) -> dict[str, str]:
    """The phrase book's abbreviations keyed in lower case, made once per book rather than by
    every `TypoMaker` (one per conversation of a persona that makes typos); only read."""
    return {k.lower(): v for k, v in abbreviations.items()}


@by_identity(64)
def _slip_table(slips: Mapping[str, str]) -> tuple[dict[str, str], re.Pattern[str] | None]:
    """The phrase book's slips as a dict and their pattern, once per book (only read)."""
    table = dict(slips)
    return table, _slip_pattern(tuple(table)) if table else None


@lru_cache(maxsize=16)
def _slip_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """The phrase book's slips as one alternation (built once, not per conversation)."""
    return re.compile("|".join(re.escape(k) for k in sorted(words, key=len, reverse=True)))


class TypoMaker:
    """Makes one message sloppy: 1–2 of abbreviations, swapped or dropped letters, lowercase."""

    def __init__(self, language: str, abbreviations: Mapping[str, str], protected: Iterable[str],
                 slips: Mapping[str, str] | None = None) -> None:
        self.language = language
        # Chinese slips: a homophone typed by the IME (在 -> 再, 的 -> 得) or a word left in pinyin.
        self._slips, self._slip_re = _slip_table(slips) if slips else ({}, None)
        self._abbreviations = _lowered(abbreviations)
        self._abbreviation_re = _compile_abbreviations(abbreviations, language)
        # Found with str.find, not compiled into a regex: the facts differ in every episode and
        # compiling a fresh alternation each time would cost more than the whole conversation.
        self._literals = tuple(sorted({s.lower() for s in protected if s and s.strip()}, key=len, reverse=True))
        ops: list[Op] = [self._abbreviate]
        ops += [_drop_punctuation, self._slip, self._slip] if language.startswith("zh") else [_swap_letters, _drop_letter, _lowercase]
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

    # ------------------------------------------------------------ whole-message edits (traits)

    def shorthand(self, text: str) -> str:
        """Every abbreviation the phrase book knows, applied to the free text (`please` -> `pls`)."""
        segments = self._split(text)
        self._abbreviate(segments, random.Random(0))
        return "".join(seg[1] for seg in segments)

    def substitute(self, text: str, pattern: re.Pattern[str] | None, table: Mapping[str, str]) -> str:
        """Replace `pattern`'s matches in free text by `table[match.lower()]`, keeping a leading
        capital. Latin words put into Chinese text get spaces around them ("帮我 check 一下")."""
        if pattern is None:
            return text
        segments = self._split(text)
        for index, seg in enumerate(segments):
            if not seg[0]:
                seg[1] = pattern.sub(lambda m: _same_case(m, table[m.group(0).lower()]), seg[1])
                if self.language != "zh":  # a dropped "The" leaves the sentence to start in lower case
                    seg[1] = (_SENTENCE_START if index == 0 else _NEXT_SENTENCE).sub(_upper, seg[1])
        return tidy_spaces("".join(seg[1] for seg in segments))

    def without_punctuation(self, text: str) -> str:
        """The message with no sentence punctuation outside the facts (a fact keeps its own)."""
        pieces: list[str] = []
        position = 0
        for start, end in self._literal_spans(text):
            pieces.append(_strip_marks(text[position:start]))
            pieces.append(text[start:end])
            position = end
        pieces.append(_strip_marks(text[position:]))
        return tidy_spaces("".join(pieces))

    # ------------------------------------------------------------ spans

    def _literal_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every fact occurrence, case-insensitive."""
        spans: list[tuple[int, int]] = []
        lowered = text.lower()
        if len(lowered) == len(text):  # lower() kept the offsets (it does except for rare letters)
            for literal in self._literals:
                start = lowered.find(literal)
                while start != -1:
                    spans.append((start, start + len(literal)))
                    start = lowered.find(literal, start + len(literal))
        return _merged(spans)

    def _protected_spans(self, text: str) -> list[tuple[int, int]]:
        """Merged (start, end) spans of every fact occurrence and id-like token."""
        spans = [m.span() for m in _ID_LIKE_RE.finditer(text) if m.end() > m.start()]
        return _merged(spans + self._literal_spans(text))

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

    def _slip(self, segments: Segments, rng: random.Random) -> bool:
        """One homophone or pinyin slip in the free text."""
        if self._slip_re is None:
            return False
        found = [(seg, m) for seg in segments if not seg[0] for m in self._slip_re.finditer(seg[1])]
        if not found:
            return False
        seg, match = rng.choice(found)
        _replace_word(seg, match, self._slips[match.group(0)])
        return True

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


def compile_table(mapping: Mapping[str, str], language: str) -> re.Pattern[str] | None:
    """One pattern over a word table (longest first; whole words in Latin text)."""
    return _compile_abbreviations(mapping, language)


def tidy_spaces(text: str) -> str:
    """No double spaces, no space before a punctuation mark, none at the ends."""
    return _SPACE_AFTER_ZH_MARK.sub("", _SPACE_BEFORE_MARK.sub("", _SPACE_RUNS.sub(" ", text))).strip()


def _upper(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def _same_case(match: re.Match[str], replacement: str) -> str:
    """`replacement` with the capital of the matched text ("The" -> "", "Could" -> "Can");
    Latin words inside Chinese text are set off by spaces."""
    if replacement and match.group(0)[:1].isupper() and replacement[:1].islower():
        replacement = replacement[0].upper() + replacement[1:]
    if replacement[:1].isascii() and replacement[:1].isalpha() and _CJK.search(match.string):
        replacement = f" {replacement} "
    return replacement


def _strip_marks(text: str) -> str:
    """Punctuation out: a mark inside the text becomes a space (so words stay apart), a mark at
    the end disappears."""
    def one(match: re.Match[str]) -> str:
        inside = match.end() < len(text) and not text[match.end()].isspace()
        return " " if inside else ""

    return _ANY_PUNCTUATION.sub(one, text)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


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
