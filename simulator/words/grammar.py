"""English agreement for filled templates: number, articles, casing, raw enum values.

A reply template is written once and filled with values it cannot foresee: "{n} room(s)" with 1,
"a {seat} seat" with "aisle", "{tier} member" with "Member", "in {cabin}" with
`premium_economy`. `agree(text)` settles each of these by the value that was filled in — the
form follows the number, the article follows the next word's sound, a repeated word is said
once, an enum reads as words, a sentence starts with a capital — so every rendered sentence is
grammatical whatever the values. Ids, e-mails and other tokens with digits or symbols are never
touched. The quality report's checker (`simulator.export.quality.glitches`) looks for the same
patterns in the finished records.
"""

from __future__ import annotations

import re

_IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women"}
_COUNTED = re.compile(r"\b(\d+(?:\.\d+)?) ([A-Za-z]+)\((e?s)\)")
_LEFT_PLURAL = re.compile(r"\b([A-Za-z]+)\((e?s)\)")
_ARE_ONE = re.compile(r"\b([Tt]here) are 1 ")
_ONE_PLURAL = re.compile(r"(?<![\w.,/:-])1 ([a-z]+)\b")
_A_AN = re.compile(r"(?<![\w'-])([Aa])(n?) ([A-Za-z][\w-]*)")
_DOUBLED = re.compile(r"\b([A-Za-z]{3,}) (\1)\b", re.I)
_SNAKE = re.compile(r"(?<![\w@./:-])([a-z]+(?:_[a-z]+)+)(?![\w@/-])(?!\.\w)")
_SENTENCE = re.compile(r"(^|[.!?] )([a-z])([a-z]*)(?=[ ,.;:!?]|$)")
_CONSONANT_SOUND = ("uni", "use", "usu", "user", "uti", "ure", "euro", "one", "once", "eu", "ufo")
_VOWEL_SOUND_H = ("hour", "honest", "honour", "honor", "heir")
_VOWEL_LETTERS = "AEFHILMNORSX"  # letters whose name starts with a vowel sound ("an F", "an S")
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "news", "series", "species")


def plural(word: str) -> str:
    lower = word.lower()
    if lower in _IRREGULAR:
        out = _IRREGULAR[lower]
        return out.capitalize() if word[:1].isupper() else out
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if lower.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def singular(word: str) -> str | None:
    """The singular of a regular plural, or None when `word` does not look like one."""
    lower = word.lower()
    reverse = {v: k for k, v in _IRREGULAR.items()}
    if lower in reverse:
        return reverse[lower]
    if not lower.endswith("s") or lower.endswith(_NOT_PLURAL_ENDINGS) or len(lower) < 4:
        return None
    if lower.endswith("ies"):
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def _counted(match: re.Match[str]) -> str:
    number, word, _ = match.groups()
    one = float(number) == 1
    return f"{number} {word if one else plural(word)}"


def _one_plural(match: re.Match[str]) -> str:
    word = match.group(1)
    single = singular(word)
    return f"1 {single}" if single else match.group(0)


def _article(match: re.Match[str]) -> str:
    a, n, word = match.groups()
    lower = word.lower()
    if any(c.isdigit() for c in word):
        return match.group(0)  # "a 4-star hotel": leave numbers alone
    if word.isupper() and len(word) > 1:  # an acronym is read letter by letter: "an ATM", "a UPS parcel"
        return f"{a}{'n' if word[0] in _VOWEL_LETTERS else ''} {word}"
    vowel = lower[0] in "aeiou" and not lower.startswith(_CONSONANT_SOUND)
    vowel = vowel or lower.startswith(_VOWEL_SOUND_H)
    return f"{a}{'n' if vowel else ''} {word}"


def _capital(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper() + match.group(3)


def agree(text: str) -> str:
    """`text` with number, articles, repeated words, enum values and sentence starts settled."""
    if not text:
        return text
    text = _COUNTED.sub(_counted, text)
    text = _LEFT_PLURAL.sub(lambda m: plural(m.group(1)), text)
    text = _ARE_ONE.sub(r"\1 is 1 ", text)
    text = _ONE_PLURAL.sub(_one_plural, text)
    text = _SNAKE.sub(lambda m: m.group(1).replace("_", " "), text)
    text = _DOUBLED.sub(lambda m: m.group(1) if m.group(1)[0].isupper() else m.group(2), text)
    text = _A_AN.sub(_article, text)
    return _SENTENCE.sub(_capital, text)
