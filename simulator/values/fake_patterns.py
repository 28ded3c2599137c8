"""Strings that match a regex: `fake_from_pattern("^ORD-\\d{5}$", rng)` → `ORD-48291`.

Tool schemas often constrain ids and codes with a JSON Schema `pattern`; a value that ignores it
fails validation, and a generic word where an order id belongs looks fake. The schema sim asks
this module first when a `pattern` is given. It is a small recursive-descent parser plus renderer
for the regex subset tool schemas use in practice, not a general regex inverter: anything outside
that subset (lookarounds, back-references, anchors like `\\b`) raises `PatternTooComplex`, and the
caller falls back to a name- or format-based value.
"""

from __future__ import annotations

import random
import re
import string

_DIGITS = string.digits
_UPPER = string.ascii_uppercase
_LOWER = string.ascii_lowercase
_WORD = _UPPER + _LOWER + _DIGITS + "_"
_PRINTABLE = _WORD + " -.@/:"
_CLASS_ESCAPES = {"d": _DIGITS, "w": _WORD, "s": " ", "D": _LOWER, "W": "-", "S": _LOWER + _DIGITS}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}


class PatternTooComplex(ValueError):
    """The regex uses features the small generator does not handle (lookarounds, backrefs...)."""


class _PatternParser:
    """Recursive-descent parser for the regex subset tool schemas use in practice: literals,
    escapes (`\\d \\w \\s`), `.`, classes (`[A-Z0-9_-]`, `[^...]`), groups (`(...)`, `(?:...)`),
    alternation and quantifiers (`? * + {n} {n,} {n,m}`). Nodes are tuples:
    ("lit", str) | ("set", chars) | ("seq", [nodes]) | ("alt", [nodes]) | ("rep", node, lo, hi)."""

    def __init__(self, pattern: str, max_repeat: int) -> None:
        self.text = pattern
        self.pos = 0
        self.max_repeat = max_repeat

    def parse(self) -> tuple:
        node = self._alternation()
        if self.pos != len(self.text):
            raise PatternTooComplex(f"unexpected {self.text[self.pos]!r} at {self.pos}")
        return node

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _alternation(self) -> tuple:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.pos += 1
            branches.append(self._sequence())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def _sequence(self) -> tuple:
        items: list[tuple] = []
        while self._peek() not in (None, "|", ")"):
            atom = self._atom()
            items.append(self._quantified(atom))
        return ("seq", items)

    def _atom(self) -> tuple:
        char = self.text[self.pos]
        self.pos += 1
        if char in "^$":
            return ("lit", "")
        if char == ".":
            return ("set", _WORD)
        if char == "(":
            if self.text.startswith("?:", self.pos):
                self.pos += 2
            elif self.text.startswith("?P<", self.pos) or self.text.startswith("?<", self.pos):
                end = self.text.find(">", self.pos)
                if end < 0 or self.text[self.pos + 2] in "=!":
                    raise PatternTooComplex("lookbehind")
                self.pos = end + 1
            elif self._peek() == "?":
                raise PatternTooComplex("lookaround or inline flag")
            inner = self._alternation()
            if self._peek() != ")":
                raise PatternTooComplex("unbalanced group")
            self.pos += 1
            return inner
        if char == "[":
            return self._char_class()
        if char == "\\":
            return self._escape(in_class=False)
        if char in "*+?":
            raise PatternTooComplex(f"nothing to repeat at {self.pos - 1}")
        return ("lit", char)

    def _escape(self, in_class: bool) -> tuple:
        if self.pos >= len(self.text):
            raise PatternTooComplex("trailing backslash")
        char = self.text[self.pos]
        self.pos += 1
        if char in _CLASS_ESCAPES:
            return ("set", _CLASS_ESCAPES[char])
        if char in _CHAR_ESCAPES:
            return ("lit", _CHAR_ESCAPES[char])
        if char.isdigit() or (char in "bBAZzuxpP" and not in_class):
            raise PatternTooComplex(f"unsupported escape \\{char}")
        return ("lit", char)

    def _char_class(self) -> tuple:
        negate = self._peek() == "^"
        if negate:
            self.pos += 1
        chars: list[str] = []
        first = True
        while True:
            char = self._peek()
            if char is None:
                raise PatternTooComplex("unterminated character class")
            if char == "]" and not first:
                self.pos += 1
                break
            first = False
            self.pos += 1
            if char == "\\":
                chars.extend(self._escape(in_class=True)[1])
                continue
            if self._peek() == "-" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "]":
                end = self.text[self.pos + 1]
                self.pos += 2
                if ord(end) < ord(char):
                    raise PatternTooComplex("bad range")
                chars.extend(chr(c) for c in range(ord(char), min(ord(end), ord(char) + 400) + 1))
                continue
            chars.append(char)
        pool = "".join(c for c in _PRINTABLE if c not in chars) if negate else "".join(dict.fromkeys(chars))
        if not pool:
            raise PatternTooComplex("empty character class")
        return ("set", pool)

    def _quantified(self, atom: tuple) -> tuple:
        char = self._peek()
        if char is None:
            return atom
        lo, hi = None, None
        if char == "?":
            lo, hi = 0, 1
        elif char == "*":
            lo, hi = 0, self.max_repeat
        elif char == "+":
            lo, hi = 1, self.max_repeat
        elif char == "{":
            end = self.text.find("}", self.pos)
            body = self.text[self.pos + 1:end] if end > 0 else ""
            parts = [p.strip() for p in body.split(",")]
            if end < 0 or len(parts) > 2 or not all(p.isdigit() or not p for p in parts) or not any(parts):
                return atom  # Python reads a malformed `{` as a literal; so do we (via the next atom)
            lo = int(parts[0] or 0)
            hi = lo if len(parts) == 1 else (int(parts[1]) if parts[1] else lo + self.max_repeat)
            self.pos = end
        if lo is None:
            return atom
        self.pos += 1
        if self._peek() in ("?", "+"):  # lazy / possessive: same strings
            self.pos += 1
        return ("rep", atom, lo, hi)


def _render(node: tuple, rng: random.Random, out: list[str]) -> None:
    kind = node[0]
    if kind == "lit":
        out.append(node[1])
    elif kind == "set":
        out.append(rng.choice(node[1]))
    elif kind == "seq":
        for child in node[1]:
            _render(child, rng, out)
    elif kind == "alt":
        _render(rng.choice(node[1]), rng, out)
    else:
        _, child, lo, hi = node
        for _ in range(rng.randint(lo, max(lo, hi))):
            _render(child, rng, out)


def fake_from_pattern(pattern: str, rng: random.Random, max_repeat: int = 6) -> str:
    """A string that `re.search(pattern, s)` accepts, e.g. `^ORD-\\d{5}$` → `ORD-48291`.

    Raises `PatternTooComplex` when the pattern uses features outside the supported subset or
    the generated string does not match (JSON Schema patterns are ECMA-262; Python's `re` agrees
    on the subset handled here)."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise PatternTooComplex(f"invalid pattern: {exc}") from None
    tree = _PatternParser(pattern, max_repeat).parse()
    out: list[str] = []
    _render(tree, rng, out)
    text = "".join(out)
    if not compiled.search(text):
        raise PatternTooComplex(f"generated {text!r} does not match {pattern!r}")
    return text
