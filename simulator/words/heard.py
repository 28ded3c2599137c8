"""What the assistant has been told so far, and whether a fact's value is among it.

The offline assistant knows every fact of the episode (it reads the blueprint), but a reference
policy that used a value nobody gave it would teach a model to invent ids. So before it calls a
tool it checks each needed value against what the user said and what earlier tool results
showed (an order number found by e-mail may be used; the judge's grounding rule agrees), and
asks the user otherwise.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from simulator.core.messages import Message, ToolMessage, UserMessage
from simulator.core.names import LANGUAGES
from simulator.words.chinese_script import to_simplified
from simulator.words.grammar import value_words

_SPACES = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"\s\s|[^\S ]")  # whitespace `_SPACES` would change: a run, or not a plain space


# Every character `\s` (and str.isspace) takes for whitespace but the plain space; the ASCII ones
# first. tests/words/test_heard.py checks the list against Python's own.
_ASCII_OTHER_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_OTHER_SPACES = _ASCII_OTHER_SPACES + (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def has_odd_space(text: str) -> bool:
    """`_ODD_SPACE.search(text)`: a run of whitespace, or whitespace that is not a plain space.
    Said with substring tests (each a C scan): the regex tried two alternatives at every
    character, ~29 us for a 1 KB tool result, and every result the judge reads goes through here."""
    if "  " in text:
        return True
    for space in (_ASCII_OTHER_SPACES if text.isascii() else _OTHER_SPACES):
        if space in text:
            return True
    return False


def normalise(text: str) -> str:
    """Lower case, every run of whitespace one space. Most texts (tool results above all) have
    single spaces only: one scan finds that, and the substitution is skipped."""
    lowered = text.lower()
    return _SPACES.sub(" ", lowered) if has_odd_space(lowered) else lowered


def number_forms(value: int | float) -> list[str]:
    """The ways a number is written: 25 -> "25"; 25.5 -> "25.50", "25.5"; 30.0 -> "30.00", "30"."""
    if isinstance(value, int):
        return [str(value)]
    forms = [f"{value:.2f}", repr(value)]
    if value.is_integer():
        forms.append(str(int(value)))
    return list(dict.fromkeys(forms))


class HeardFacts:
    """The normalised text of every user message and successful tool result seen so far (fed
    incrementally). Messages are read when a question first needs them: the last results of a
    conversation are often never asked about, and normalising them would be wasted.

    The whole text also holds each non-ASCII message in Simplified characters (OpenCC, 5-60 us a
    message on a run's cold caches), but a value found inside one message as written is in the
    whole text whatever the conversions add: `knows` looks there first and converts only when
    it must answer from the whole text (most values asked about were said as they are)."""

    def __init__(self) -> None:
        self._text = ""
        self._seen = 0
        self._unread: list[Message] = []
        self._said: list[str] = []  # each message read, normalised, as written
        self._written = ""  # the same, each after a newline (which no normalised text holds)
        self._joined = 0  # how many of `_said` `_text` holds (with their conversions)
        self._number_patterns: dict[float, re.Pattern[str]] = {}

    def update(self, messages: Sequence[Message]) -> None:
        """Take in the messages added since the last call (the conversation only grows)."""
        if len(messages) > self._seen:
            self._unread.extend(messages[self._seen:])
        self._seen = len(messages)

    @property
    def text(self) -> str:
        """Every message read, each followed by its Simplified-character form when that differs."""
        if self._unread:
            self._read()
        if self._joined < len(self._said):
            self._join()
        return self._text

    def _read(self) -> None:
        for message in self._unread:
            if isinstance(message, UserMessage) or (isinstance(message, ToolMessage) and not message.is_error):
                said = normalise(message.content)
                self._said.append(said)
                self._written += "\n" + said
        self._unread.clear()

    def _join(self) -> None:
        text = self._text
        for said in self._said[self._joined:]:
            text += " " + said
            if not said.isascii():  # 廣州, 下週一 in Traditional characters are 广州, 下周一
                simplified = to_simplified(said)
                if simplified != said:
                    text += " " + simplified
        self._text = text
        self._joined = len(self._said)

    def _in_one_message(self, said: str | re.Pattern[str]) -> bool:
        """Is `said` (a text, or a number's pattern) inside one message as written? Then it is
        in `text` too (each message is there as it is), found without converting any message."""
        if self._unread:
            self._read()
        # One scan of `_written`: normalising leaves no newline in a message nor in a value (nor
        # in a number's forms), so a match there lies inside one message; a newline before or
        # after it is, to a number's look-arounds, what the message's ends are.
        if isinstance(said, str):
            return said in self._written
        return said.search(self._written) is not None

    def knows(self, value: Any) -> bool:
        """Has this value been said? Strings: case-insensitive substring. Numbers: any of
        their written forms, not as part of a longer number (29 is not in ORD-48291). Mappings
        (a phrase per language and a `code`): any phrase, or the code itself (a user may type the
        ISO date a relative-day slot means, or the canonical name an alias stands for). Lists:
        every element."""
        if value is None or isinstance(value, bool):
            return True
        if isinstance(value, (int, float)):
            # (a match inside one message is one in the whole text: there a space stands on
            # either side of it, which the pattern's look-arounds take as they take the ends)
            pattern = self._number_pattern(value)
            return self._in_one_message(pattern) or pattern.search(self.text) is not None
        if isinstance(value, str):
            said = normalise(value).strip()
            words = value_words(said)  # an enum value a message said as words: "wrong_item" -> "wrong item"
            if self._in_one_message(said) or (words != said and self._in_one_message(words)):
                return True
            return said in self.text or (words != said and words in self.text)
        if isinstance(value, dict):
            phrases = [value[k] for k in LANGUAGES if isinstance(value.get(k), str)]
            phrases = phrases or [v for v in value.values() if isinstance(v, str)]
            code = value.get("code")
            return any(self.knows(p) for p in phrases) or (code is not None and self._knows_word(code))
        if isinstance(value, (list, tuple)):
            return all(self.knows(v) for v in value)
        return normalise(str(value)).strip() in self.text

    def _knows_word(self, value: Any) -> bool:
        """A code said as a word of its own: `es` is not heard in "yes", nor `it` in "hospitality"."""
        if not isinstance(value, str):
            return self.knows(value)
        word = normalise(value).strip()
        return bool(word) and re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", self.text) is not None

    def _number_pattern(self, value: int | float) -> re.Pattern[str]:
        pattern = self._number_patterns.get(value)
        if pattern is None:
            alternation = "|".join(re.escape(f) for f in number_forms(value))
            pattern = re.compile(rf"(?<![\d.])(?:{alternation})(?!\.?\d)")
            self._number_patterns[value] = pattern
        return pattern
