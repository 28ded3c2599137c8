"""Are a call's argument values grounded in what the assistant was told?

An assistant that invents an order id or an e-mail address produces a call that *looks* right and
teaches a fine-tuned model to hallucinate identifiers — the most damaging defect tool-calling data
can have, and one a schema cannot see. The rule: every identifier-like value must appear in an
earlier user message or an earlier tool result.

What counts as identifier-like, and what is exempt:
- a single-token string containing a digit or `@` (`ORD-48291`, `a@b.com`, `2024-05-03`) must
  appear as a whole token (ASCII letters/digits do not continue it on either side);
- numbers must appear by value (`49.99` matches `49.990` and `$49.99`);
- strings with whitespace are free text (reasons, notes, addresses): only their strong tokens —
  containing both a letter and a digit, or an `@` — are checked, so an invented id cannot hide in
  prose while ordinary counts in prose are not policed;
- values the schema offers itself (`enum`, `const`, `default`) and booleans are exempt.
- a date-time (`2026-03-14T15:00:00`) is grounded when its date and its `HH:MM` both are.
Derived values count when the user said them in words and the judge can read them back (see
`simulator.judge.conversation.walk`): "the day after tomorrow" against the episode's simulated
today, "下午三点" as 15:00, "a couple of" as 2. Known limit: other derivations (a sum) fail.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterator

from simulator.judge.conversation import Evidence, normalize

_NUMERIC_STRING = re.compile(r"^[+-]?\d+(?:,\d{3})*(?:\.\d+)?$")
_TOKEN_EDGE = ".,;:!?()[]{}<>\"'`“”‘’，。；：！？（）"
_HAS_DIGIT = re.compile(r"\d")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[t ](\d{2}:\d{2})(?::00(?:\.0+)?)?(?:z|[+-]\d{2}:?\d{2})?$")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _schema_allows_exemption(schema: dict[str, Any] | None, value: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if "enum" in schema or "const" in schema:
        return True
    return "default" in schema and schema["default"] == value and type(schema["default"]) is type(value)


def _child_schema(schema: dict[str, Any] | None, key: str | int) -> dict[str, Any] | None:
    if not isinstance(schema, dict):
        return None
    if isinstance(key, str):
        child = schema.get("properties", {}).get(key)
    else:
        child = schema.get("items")
    return child if isinstance(child, dict) else None


def _leaves(value: Any, schema: dict[str, Any] | None, path: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf that is not exempt by schema."""
    if _schema_allows_exemption(schema, value):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, _child_schema(schema, key), f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, _child_schema(schema, i), f"{path}[{i}]")
    else:
        yield path, value


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def token_in(token: str, text: str) -> bool:
    """`token` occurs in `text` and is not part of a longer ASCII word or number there.

    Plain `str.find` with edge checks rather than a regex per token: compiling one pattern per
    distinct id thrashes `re`'s cache and dominated judging time on large runs."""
    if not token:
        return False
    start = text.find(token)
    while start != -1:
        end = start + len(token)
        before_ok = start == 0 or text[start - 1] not in _WORD_CHARS
        after_ok = end == len(text) or text[end] not in _WORD_CHARS
        if before_ok and after_ok:
            return True
        start = text.find(token, start + 1)
    return False


def _number_grounded(value: float, evidence: Evidence) -> bool:
    value = abs(value)
    return value in evidence.numbers or any(math.isclose(value, n, abs_tol=1e-9) for n in evidence.numbers)


def _string_problems(value: str, evidence: Evidence) -> list[str]:
    norm = normalize(value)
    if not norm:
        return []
    if " " not in norm:
        if not (_HAS_DIGIT.search(norm) or "@" in norm):
            return []
        token = norm.strip(_TOKEN_EDGE)
        if token_in(token, evidence.text):
            return []
        date_time = _DATE_TIME.match(token)
        if date_time and all(token_in(part, evidence.text) for part in date_time.groups()):
            return []
        if _NUMERIC_STRING.match(token) and _number_grounded(float(token.replace(",", "")), evidence):
            return []
        return [value]
    missing = []
    for raw in norm.split(" "):
        token = raw.strip(_TOKEN_EDGE)
        strong = "@" in token or (_HAS_DIGIT.search(token) and _HAS_LETTER.search(token))
        if strong and not token_in(token, evidence.text):
            missing.append(token)
    return missing


def ungrounded_values(args: dict[str, Any], parameters: dict[str, Any] | None, evidence: Evidence) -> list[str]:
    """`path=value` for every identifier-like argument value not found in the evidence (nor,
    when that falls short, among the values the user said in words)."""
    problems = _ungrounded(args, parameters, evidence)
    if problems:
        richer = evidence.with_words()
        if richer is not evidence:
            problems = _ungrounded(args, parameters, richer)
    return problems


def _ungrounded(args: dict[str, Any], parameters: dict[str, Any] | None, evidence: Evidence) -> list[str]:
    problems: list[str] = []
    for path, value in _leaves(args, parameters, ""):
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            if not _number_grounded(float(value), evidence):
                problems.append(f"{path}={value!r}")
        elif isinstance(value, str):
            problems.extend(f"{path}={token!r}" for token in _string_problems(value, evidence))
    return problems
