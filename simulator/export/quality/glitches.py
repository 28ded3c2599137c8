"""A checker for template glitches: what a reader spots at once and a model would learn anyway.

Offline records are filled templates; a template that does not fit its values leaves marks that
are easy to find with patterns: "1 order(s)", "There are 1 events", "a aisle", "Member member",
a raw enum value (`general_practice`), an unfilled `{placeholder}` or a `None`, a sentence that
starts in lower case, and — in Chinese replies — English words that came from an enum, an error
message or a nested value instead of the reply's language ("偏好aisle座位", "当前状态为delivered").

`glitches(text, language, ...)` returns the names of the glitches found in one message; the
quality report counts records with any. The patterns are deliberately narrow (a false alarm
would hide real ones) and every one is tested on a glitch and on a correct sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PLURAL_PLACEHOLDER = re.compile(r"\w\(s\)|\w\(es\)")
# "1 rooms", "there are 1 events": the number one with a plural noun (not "1.5 hours", not ids).
_ONE_PLURAL = re.compile(r"(?<![\w.,/:-])1 ([a-z]+[^s\W]s)\b")
_ARE_ONE = re.compile(r"\b(?:are|were|these|those) 1\b", re.I)
# "a aisle", "an booking" (leaving out the words whose sound the spelling hides)
_A_VOWEL = re.compile(r"(?<![\w'-])a ([aeiou][a-z]*)", re.I)
_AN_CONSONANT = re.compile(r"(?<![\w'-])an ([b-df-hj-np-tv-z][a-z]*)", re.I)
_VOWEL_SOUNDING_H = ("hour", "honest", "honour", "honor", "heir")
_CONSONANT_SOUNDING_VOWEL = ("uni", "use", "usu", "user", "uti", "ure", "euro", "one", "once", "eu", "ufo", "uk", "us")
_DOUBLED = re.compile(r"\b([A-Za-z]{3,})[ ,]+\1\b", re.I)
_SNAKE_CASE = re.compile(r"(?<![\w@./:-])[a-z]+(?:_[a-z]+)+(?![\w@/-])(?!\.\w)")
_PLACEHOLDER = re.compile(r"\{[@\w.]+\}")
_NONE_WORD = re.compile(r"(?<![\w-])(?:None|null|nan|NaN|undefined)(?![\w-])")
_LOWER_SENTENCE = re.compile(r"(?:^|(?<=[.!?] ))(?<!e\.g\. )(?<!i\.e\. )(?<!vs\. )([a-z][a-z]+)\b(?![-\d@.])")
_QUESTION_WORD_LABEL = re.compile(r"\b(?:my|your) (?:when|what|where|who|which|how)\b", re.I)
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z ']*[A-Za-z]|[A-Za-z]")
_LOWER_OK = ("iphone", "ipad", "ebay", "e-mail")
_URL_OR_EMAIL = re.compile(r"https?://[^\s\u3000-\u303f\uff08-\uff1f（）]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                           r"|(?<![\w.-])(?:[A-Za-z0-9-]+\.)+[a-z]{2,}(?![\w-])")  # and a bare domain: medium.com


def _article_glitches(text: str) -> bool:
    for match in _A_VOWEL.finditer(text):
        word = match.group(1).lower()
        if not word.startswith(_CONSONANT_SOUNDING_VOWEL):
            return True
    for match in _AN_CONSONANT.finditer(text):
        word = match.group(1).lower()
        if not word.startswith(_VOWEL_SOUNDING_H) and not (len(word) <= 3 and word.isupper()):
            return True
    return False


def english_glitches(text: str, *, assistant: bool) -> list[str]:
    """Glitches of an English message (the assistant's replies are also checked for casing)."""
    found = []  # each pattern runs only when the text has the character it needs (this runs per message)
    if "(" in text and _PLURAL_PLACEHOLDER.search(text):
        found.append("plural placeholder")
    if "1" in text and (_ONE_PLURAL.search(text) or _ARE_ONE.search(text)):
        found.append("plural after one")
    if _article_glitches(text):
        found.append("article")
    if _DOUBLED.search(text):
        found.append("doubled word")
    if "_" in text and _SNAKE_CASE.search(text):
        found.append("raw enum value")
    if "{" in text and _PLACEHOLDER.search(text):
        found.append("unfilled placeholder")
    if _NONE_WORD.search(text):
        found.append("null value")
    if _QUESTION_WORD_LABEL.search(text):
        found.append("slot name as a word")
    if assistant:
        for match in _LOWER_SENTENCE.finditer(text):
            if match.group(1) not in _LOWER_OK:
                found.append("sentence in lower case")
                break
    return found


def foreign_tokens(text: str, forbidden: Iterable[str]) -> list[str]:
    """English tokens of `forbidden` (enum values, error words) standing as words in `text`
    (not inside a URL, a domain or an e-mail address, which are values, not prose: "medium.com",
    ".../delivery/7225")."""
    if "." in text or "@" in text:
        text = _URL_OR_EMAIL.sub(" ", text)
    runs = {run.strip().lower() for run in _LATIN_RUN.findall(text)}
    words = {w for run in runs for w in run.split()}
    return sorted(t for t in forbidden if t in runs or t in words)


def chinese_glitches(text: str, forbidden: Iterable[str]) -> list[str]:
    """Glitches of a Chinese message: unfilled placeholders, nulls, raw enums, and English tokens
    that came from enums or error messages."""
    found = []
    if _PLACEHOLDER.search(text):
        found.append("unfilled placeholder")
    if _NONE_WORD.search(text):
        found.append("null value")
    if _SNAKE_CASE.search(text):
        found.append("raw enum value")
    if foreign_tokens(text, forbidden):
        found.append("English enum/error token")
    return found
