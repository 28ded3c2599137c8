"""Small helpers the mistake makers share: what the assistant has seen, and values that differ.

A mistake only counts when it is one: an "invented" id that happens to be in a tool result, or a
"wrong" amount equal to one the user said, would be labelled a mistake the judge cannot (and
should not) see. So every made-up value is checked against the evidence first.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from typing import Any, Iterator, Sequence

from simulator.core.messages import Message, SystemMessage, ToolMessage, UserMessage
from simulator.judge.conversation import normalize

_DIGIT = re.compile(r"\d")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def evidence_text(messages: Sequence[Message]) -> str:
    """Normalised text of the system prompt, every user message and every tool result."""
    parts = [m.content for m in messages if isinstance(m, (SystemMessage, UserMessage, ToolMessage))]
    return normalize("\n".join(p for p in parts if p))


def seen(value: Any, evidence: str) -> bool:
    """Is this value (as written) anywhere in the evidence, as a whole token?"""
    text = normalize(_text(value))
    if not text:
        return True
    start = evidence.find(text)
    while start != -1:
        end = start + len(text)
        before = evidence[start - 1] if start else " "
        after = evidence[end] if end < len(evidence) else " "
        if not (before.isalnum() or after.isalnum()):
            return True
        start = evidence.find(text, start + 1)
    return False


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def number_forms(value: float | int) -> list[str]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [str(value)]
    forms = [f"{value:.2f}", repr(value)]
    if float(value).is_integer():
        forms.append(str(int(value)))
    return list(dict.fromkeys(forms))


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, scalar) of every leaf of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, path + (index,))
    else:
        yield path, value


def parsed(message: ToolMessage) -> Any:
    try:
        return json.loads(message.content)
    except ValueError:
        return None


_CLOCK = re.compile(r"(\d{2}):(\d{2})")


def other_digits(value: str, rng: random.Random, evidence: str) -> str | None:
    """The same id shape with different digits, not seen anywhere. A date or a time inside it
    moves by days or hours, so it stays a valid one (07:50 -> 09:50, not 83:50)."""
    if ISO_DAY.match(value[:10]) or _CLOCK.search(value):
        return _other_moment(value, rng, evidence)
    for _ in range(20):
        changed = "".join(rng.choice("0123456789") if c.isdigit() and rng.random() < 0.6 else c for c in value)
        if changed != value and _DIGIT.search(changed) and not seen(changed, evidence):
            return changed
    return None


def other_number(value: float | int, rng: random.Random, evidence: str) -> float | int | None:
    """A plausible wrong number of the same kind (integer or money), not seen anywhere."""
    for _ in range(20):
        if isinstance(value, int):
            candidate: float | int = max(1, value + rng.choice((-3, -2, -1, 1, 2, 3, 5, 10)))
        else:
            candidate = round(value * rng.choice((0.5, 0.8, 0.9, 1.1, 1.2, 1.5)) + rng.choice((0, 0.01, 0.5)), 2)
        if candidate != value and candidate > 0 and not any(seen(f, evidence) for f in number_forms(candidate)):
            return candidate
    return None


def _other_moment(value: str, rng: random.Random, evidence: str) -> str | None:
    for _ in range(20):
        candidate = value
        if ISO_DAY.match(value[:10]):
            day = date.fromisoformat(value[:10]) + timedelta(days=rng.choice((-2, -1, 1, 2, 3)))
            candidate = day.isoformat() + value[10:]
        if rng.random() < 0.5 or candidate == value:
            candidate = _CLOCK.sub(lambda m: f"{(int(m.group(1)) + rng.choice((1, 2, 3, 5))) % 24:02d}:{m.group(2)}",
                                   candidate, count=1)
        if candidate != value and not seen(candidate, evidence):
            return candidate
    return None


def other_day(value: str, rng: random.Random, evidence: str) -> str | None:
    day = date.fromisoformat(value)
    for _ in range(20):
        candidate = (day + timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3, 4)))).isoformat()
        if not seen(candidate, evidence):
            return candidate
    return None
