"""English agreement by construction: a template's words agree with the values filled into it.

A reply or seed template is written once and filled with values it cannot foresee: "{n} order(s)"
with 1, "a {seat} seat" with "aisle", "{tier} member" with "Gold member", "in {cabin}" with
`premium_economy`, a sentence that opens on a value ("{day} works.") with "this Friday". The
template's author writes the words; `settle(pieces)` joins the template's own text with the
values and decides, at each join and only there, what the value demands:

- the word after a number agrees with it: "1 order(s)" -> "1 order", "3 person(s)" -> "3 people",
  and a plural written after a number is said in the singular of 1 ("{n} minutes" -> "1 minute");
  "are"/"is" before a number too ("There are {n} event(s)" -> "There is 1 event");
- the article before a value follows the value's sound: "a {seat}" -> "an aisle seat";
- a value that opens a sentence starts with a capital when it is a plain word ("This Friday");
- an enum value reads as words (`premium_economy` -> "premium economy");
- a value that ends on the template's next word is not followed by it twice ("Gold member"),
  nor does "the" come twice ("the {team} game" with "the Gunners").

The values themselves are never edited beyond that (an e-mail, an id, a name, a number stays as
it is), and the template's own text is never rewritten: it is grammatical as written. A leftover
"word(s)" that no number decides takes the plural. The quality report's checker
(`simulator.export.quality.glitches`) looks for the same mistakes in the finished records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

_IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women"}
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "news", "series", "species")
_CONSONANT_SOUND = ("uni", "use", "usu", "user", "uti", "ure", "euro", "one", "once", "eu", "ufo")
_VOWEL_SOUND_H = ("hour", "honest", "honour", "honor", "heir")
_VOWEL_LETTERS = "AEFHILMNORSX"  # letters whose name starts with a vowel sound ("an F", "an S")

_COUNTED_NEXT = re.compile(r"^( +)([A-Za-z]+)\((e?s)\)")  # " order(s)" right after a number
_VERB_BEFORE = re.compile(r"\b(are|is|were|was)( +)$", re.I)  # "There are " before a number
_THE_BEFORE = re.compile(r"(?:^|(?<=\s))(the )$", re.I)
_ARTICLE_BEFORE = re.compile(r"(?:^|(?<=[\s(\"“'‘]))([Aa])(n?)( +)$")
_PLAIN_WORD = re.compile(r"^[a-z][a-z'’-]*(?=\s|$|[,;:!?]|\.(?:\s|$))")
_ENUM_VALUE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
_NEXT_WORD = re.compile(r"^( +)([A-Za-z]{3,})\b")
_NEXT_WORD_ANY = re.compile(r"^( +)([a-z]+)\b(?![-'])")
_LEFTOVER_PLURAL = re.compile(r"\b([A-Za-z]+)\((e?s)\)")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_NUMBER_START = frozenset("-0123456789")
_TAIL = 16  # characters before a value that its article, "the" or verb can sit in


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


def article_for(word: str) -> str:
    """"a" or "an" before `word`, by its sound: "an aisle", "a user", "an hour", "an FAQ", "an 8"."""
    if not word:
        return "a"
    if word[0].isdigit():
        digits = re.match(r"\d+", word.replace(",", "")).group(0)  # type: ignore[union-attr]
        spoken_eight = digits.startswith("8")
        spoken_eleven = digits[:2] in ("11", "18") and len(digits) in (2, 5, 6)
        return "an" if spoken_eight or spoken_eleven else "a"
    head = re.match(r"[A-Za-z]+", word)
    if head is None:
        return "a"
    token = head.group(0)
    if token.isupper() and len(token) > 1:  # an acronym is read letter by letter: "an ATM", "a UPS parcel"
        return "an" if token[0] in _VOWEL_LETTERS else "a"
    lower = token.lower()
    vowel = lower[0] in "aeiou" and not lower.startswith(_CONSONANT_SOUND)
    return "an" if vowel or lower.startswith(_VOWEL_SOUND_H) else "a"


def _number(value: Any, text: str) -> float | None:
    if value is True or value is False:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and text[:1] in _NUMBER_START and _NUMBER.match(text):
        return float(text)
    return None


def value_words(text: str) -> str:
    """An enum value as words (`premium_economy` -> "premium economy"); anything else unchanged."""
    return text.replace("_", " ") if _ENUM_VALUE.match(text) else text


def settle(pieces: Sequence[tuple[str, Any | None]], english: bool = True) -> str:
    """Join `(text, value)` pieces: `value` is None for the template's own text, else the value
    whose rendering `text` is. In English, each value's joins are settled (see the module doc).
    Only the last few characters before a value are looked at: this runs for every message."""
    if not english:
        return "".join([text for text, _ in pieces])
    out = ""
    pending_count: float | None = None  # the number just said, for the "word(s)" after it
    verb_at: int | None = None  # where "are"/"is" right before that number starts in `out`
    said: str | None = None  # the value just said: its last word is not repeated by the template
    for text, value in pieces:
        if value is None:  # the template's own words
            if said is not None:
                found = _next_word(text)  # (the value's last word is looked at only then)
                if found is not None and found[1] == _last_word(said):
                    text = text[found[0]:]
                said = None
            if pending_count is not None:
                counted = _COUNTED_NEXT.match(text)
                if counted:
                    space, word, _ = counted.groups()
                    form = word if pending_count == 1 else plural(word)
                    text = f"{space}{form}{text[counted.end():]}"
                    if verb_at is not None:  # "There are {n} event(s)": the verb counts too
                        out = _agree_verb(out, verb_at, pending_count)
                elif pending_count == 1:  # "{n} minutes" written for many, said of one
                    noun = _NEXT_WORD_ANY.match(text)
                    one = singular(noun.group(2)) if noun else None
                    if noun and one:
                        text = f"{noun.group(1)}{one}{text[noun.end():]}"
                        if verb_at is not None:
                            out = _agree_verb(out, verb_at, pending_count)
                pending_count = verb_at = None
            out += _LEFTOVER_PLURAL.sub(_plural_of_match, text) if "(" in text else text
            continue
        number = _number(value, text)
        if number is None and isinstance(value, str) and "_" in text:
            text = value_words(text)
        if out.endswith(" ") and text:
            cut = len(out) - _TAIL
            tail = out[cut:] if cut > 0 else out
            cut = max(cut, 0)
            if text[:4].lower() == "the ":  # "the {team} game" with "the Gunners"
                the = _THE_BEFORE.search(tail)
                if the:
                    out, tail = out[: cut + the.start(1)], tail[: the.start(1)]
            article = _article_before(tail)
            if article is not None:
                at, a, space = article
                chosen = article_for(text)
                chosen = chosen.capitalize() if a.isupper() else chosen
                out = out[: cut + at] + chosen + space
            if number is not None:
                cut = max(len(out) - _TAIL, 0)
                verb = _VERB_BEFORE.search(out[cut:])
                verb_at = cut + verb.start(1) if verb else None
        if number is not None:
            pending_count = number
        if text[:1].islower() and _at_sentence_start(out) and _PLAIN_WORD.match(text):
            text = text[0].upper() + text[1:]
        said = text
        out += text
    return out


# What `_NEXT_WORD` and `_ARTICLE_BEFORE` find in a template's text and in the few characters
# before a value: both are parts of a template far more often than not, so each is matched once
# (a regex search per value of every message was a good share of `settle`). Bounded: emptied when full.
_MEMO_LIMIT = 8192
_NEXT_WORDS: dict[str, tuple[int, str] | None] = {}
_ARTICLES: dict[str, tuple[int, str, str] | None] = {}


def _next_word(text: str) -> tuple[int, str] | None:
    """`_NEXT_WORD.match(text)` as (its end, its word lower-cased), or None."""
    try:
        return _NEXT_WORDS[text]
    except KeyError:
        found = _NEXT_WORD.match(text)
        return _remember(_NEXT_WORDS, text, (found.end(), found.group(2).lower()) if found else None)


def _article_before(tail: str) -> tuple[int, str, str] | None:
    """`_ARTICLE_BEFORE.search(tail)` as (where its article starts, the article's "a"/"A",
    the spaces after it), or None."""
    try:
        return _ARTICLES[tail]
    except KeyError:
        found = _ARTICLE_BEFORE.search(tail)
        return _remember(_ARTICLES, tail, (found.start(1), found.group(1), found.group(3)) if found else None)


def _remember(memo: dict[str, Any], key: str, answer: Any) -> Any:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = answer
    return answer


def _plural_of_match(match: re.Match[str]) -> str:
    return plural(match.group(1))


def _at_sentence_start(out: str) -> bool:
    if not out:
        return True
    if out[-1] == "\n":
        return True
    stripped = out.rstrip()
    return len(stripped) < len(out) and (not stripped or stripped[-1] in ".!?\n")


def _last_word(text: str) -> str | None:
    """The value's last word (3+ letters, before any closing punctuation), lower-cased."""
    if not text or text[-1].isspace():
        return None
    word = text.rsplit(None, 1)[-1].rstrip(".,;:!?)\"”'’")
    return word.lower() if len(word) >= 3 and word.isascii() and word.isalpha() else None


def _agree_verb(out: str, at: int, number: float) -> str:
    said = re.match(r"[A-Za-z]+", out[at:]).group(0)  # type: ignore[union-attr]
    singular_verb = {"are": "is", "were": "was"}.get(said.lower(), said.lower())
    plural_verb = {"is": "are", "was": "were"}.get(said.lower(), said.lower())
    chosen = singular_verb if number == 1 else plural_verb
    chosen = chosen.capitalize() if said[0].isupper() else chosen
    return out[:at] + chosen + out[at + len(said):]


def join_list(items: Iterable[str], language: str = "en") -> str:
    """Items as a sentence says them: "A, B and C" / "A、B和C"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if language.startswith("zh"):
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]
