"""Quantities a reply states against this turn's results: a number with the unit a result field
is named by ("timer set for 3 minutes" when set_timer returned `minutes: 5`, "within 8 business
days" for `estimated_days: 5`, 预计等待8分钟) and the size of a result's list ("I found 3
orders" for one order, 共查到4个订单).

Both are numbers the grounding check cannot tell from right ones: a small number is usually
somewhere in the conversation (a quantity, a queue position). Tied to a unit or a list's name,
it says which value it means. Units per language are data (`reply_phrases.yaml`, `units`); how
a pack writes the size of a list comes from its own reply templates (`{orders_count}个订单`).
Used by `simulator.judge.reply_grounding`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from simulator.core.data_files import read_data_yaml
from simulator.judge.reply_evidence import Finding
from simulator.judge.result_fields import Record
from simulator.judge.reply_words import PHRASES_FILE
from simulator.spec.pack import Domain
from simulator.words.value_words import humanised

# (?<![\d.,:/-])(\d+(?:\.\d+)?), led by its digit (the look-behind checks the character before
# it) so `re` skips to digits in C; the digits are possessive: giving one back leaves a digit
# where the unit's words must start, which never matches (the same matches: random strings
# compared in the tests)
_NUMBER = r"(\d(?<![\d.,:/-]\d)\d*+(?:\.\d++)?)"
_DIGIT = re.compile(r"\d")
_HOURS_BEFORE = re.compile(r"\d\s*(?:h|hrs?|hours?|小时|个小时)\s*(?:and\s*)?$")  # "4 h 33 min" is no 33 minutes
_SUBSET_BEFORE = re.compile(r"(?:first|top|last|next|up to|at most|other|more|前|最近|另外)\s*$")
_TOTAL = re.compile(r"total|count|(?:^|_)num(?:ber)?_|found|matches")  # a field saying how many there are in all
# `{orders_count} order(s)`, `{count} event(s)`: what follows a count in a template (not a
# `{total_kwh} kWh`: an amount)
_COUNT_LABEL = re.compile(r"\{(\w+?_count|count)\}\s*([a-z]+(?:\(s\))?|[\u3400-\u9fff]{1,4})", re.I)


@dataclass(frozen=True)
class _Unit:
    name: str  # the unit a field is named by: "minute" (estimated_wait_minutes)
    pattern: re.Pattern[str]  # a number written with it; group 1 is the number


@lru_cache(maxsize=1)
def _units() -> dict[str, _Unit]:
    """unit -> how replies write a number with it (English: one filler word allowed, "8
    business days"; Chinese: 个 allowed, 8个工作日)."""
    book = read_data_yaml(PHRASES_FILE)
    en, zh = book["en"]["units"], book["zh"]["units"]
    found = {}
    for unit in en:
        english = "|".join(map(re.escape, sorted(en[unit], key=len, reverse=True)))
        chinese = "|".join(map(re.escape, sorted(zh.get(unit, []), key=len, reverse=True)))
        after = [rf"\s*\+?\s*(?:[a-z]+\s+)?(?:{english})(?![a-z])"]  # "8+ stars"
        if chinese:
            after.append(rf"\s*个?(?:{chinese})")
        # the number read once for both languages' words (the same digits: it is possessive)
        found[unit] = _Unit(unit, re.compile(rf"{_NUMBER}(?:{'|'.join(after)})"))
    return found


@lru_cache(maxsize=4096)
def _unit_of(field: str) -> str | None:
    """The unit a numeric field is named by: `estimated_days` -> "day", `minutes` -> "minute"."""
    last = humanised(field).lower().split()[-1:]
    if not last:
        return None
    word = last[0][:-1] if last[0].endswith("s") else last[0]
    return word if word in _units() else None


_UNIT_FIELDS: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}


def _unit_fields(record: Record) -> tuple[tuple[str, str], ...]:
    """(field, unit) of a record's fields named by a unit, in order; kept per set of field
    names (a tool's records share one), not asked of `_unit_of` field by field per reply."""
    names = tuple(record.fields)
    found = _UNIT_FIELDS.get(names)
    if found is None:
        if len(_UNIT_FIELDS) >= 4096:
            _UNIT_FIELDS.clear()
        found = _UNIT_FIELDS[names] = tuple((n, u) for n in names if (u := _unit_of(n)))
    return found


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unit_numbers(index: int, low: str, turn: list[Record], records: list[Record],
                 said: Callable[[], set[float]]) -> list[Finding]:
    """A number written with a unit that fields of this turn's results are named by, equal to
    none of their values (nor to a number the user said: `said()`, read only when needed)."""
    by_unit: dict[str, list[tuple[Record, str]]] = {}
    if _DIGIT.search(low) is None:
        return []  # every unit's pattern reads a number
    for record in turn:
        for name, unit in _unit_fields(record):
            if any(_numeric(v) for v in record.fields[name]):
                by_unit.setdefault(unit, []).append((record, name))
    findings = []
    for unit, holders in by_unit.items():
        known = [v for r in records for n, u in _unit_fields(r) if u == unit for v in r.fields[n] if _numeric(v)]
        for match in _units()[unit].pattern.finditer(low):
            written, start = match.group(1), match.start(1)
            stated = float(written)
            if any(_same(stated, v, written) for v in known) or _HOURS_BEFORE.search(low, max(0, start - 16), start):
                continue
            if stated in said():
                continue
            record, name = holders[-1]
            findings.append(Finding(index, written, (
                f"message {index} gives {written} {unit}s, but {record.tool} returned {name} "
                f"{record.fields[name][0]!r}")))
    return findings


def _same(stated: float, value: float, written: str) -> bool:
    decimals = len(written.split(".")[1]) if "." in written else 0
    return math.isclose(stated, value, abs_tol=1e-9) or round(value, decimals) == stated


_COUNT_WORDS: dict[int, tuple[Domain, dict[str, tuple[str, ...]]]] = {}


def count_words(domain: Domain) -> dict[str, tuple[str, ...]]:
    """list key (or count field) -> how the pack's replies write its size after the number: its
    name ("orders", "order(s)", "order") and what its templates write after `{key_count}` (个订单)
    or a count field (`{count} event(s)`)."""
    hit = _COUNT_WORDS.get(id(domain))
    if hit is not None and hit[0] is domain:
        return hit[1]
    found: dict[str, set[str]] = {}
    for text in domain.config.replies.values():
        for template in (*text.en, *text.zh):
            for key, label in _COUNT_LABEL.findall(template):
                if label.isascii() or len(label) > 1:  # 张 of 3张图片 alone is any classifier
                    found.setdefault(key.removesuffix("_count"), set()).add(label.lower())
    words = {k: tuple(sorted(v | set(_named(k)), key=len, reverse=True)) for k, v in found.items()}
    if len(_COUNT_WORDS) >= 64:
        _COUNT_WORDS.clear()
    _COUNT_WORDS[id(domain)] = (domain, words)
    return words


def _named(key: str) -> tuple[str, ...]:
    """A list's own name as a count's label: "orders", "order(s)", "order"."""
    plural = humanised(key).lower()
    if not plural.endswith("s") or len(plural) < 4:
        return (plural,)
    return plural, plural[:-1], plural[:-1] + "(s)"


@lru_cache(maxsize=1024)
def _count_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """A number followed by one of `labels` (compiled once per list key, not looked up in `re`'s
    cache per reply)."""
    words = "|".join(re.escape(w) for w in labels)
    # (?<![\d.,:/-])(\d+)(?![\d.,]), led by its digit like `_NUMBER`
    return re.compile(rf"(\d(?<![\d.,:/-]\d)\d*+)(?![\d.,])\s*(?:{words})(?![a-z])")


def list_counts(index: int, low: str, payloads: list[Any], words: dict[str, tuple[str, ...]]) -> list[Finding]:
    """"I found 3 orders" when this turn's `orders` lists hold another number of items (not
    "the first 3 orders": a part of the list)."""
    sizes: dict[str, set[float]] = {}
    for payload in payloads:
        if isinstance(payload, dict):
            totals = {float(v) for k, v in payload.items() if _numeric(v) and _TOTAL.search(k)}
            lists = [len(v) for v in payload.values() if isinstance(v, list)]
            for key, value in payload.items():
                if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                    sizes.setdefault(key, set()).update({len(value), *totals})  # a page of `total_results`
                elif _numeric(value) and key in words:  # `{count} event(s)`: the count, or the rows shown
                    sizes.setdefault(key, set()).update({float(value), *lists})
    findings = []
    for key, lengths in sizes.items():
        labels = words.get(key) or _named(key)
        if not any(label in low for label in labels):
            continue  # the count's pattern needs one of them
        for match in _count_pattern(labels).finditer(low):  # a count is whole
            stated = float(match.group(1))
            if stated in lengths or _SUBSET_BEFORE.search(low, max(0, match.start() - 10), match.start()):
                continue
            findings.append(Finding(index, match.group(1), (
                f"message {index} counts {match.group(0).strip()!r}, but the result lists "
                f"{' or '.join(f'{n:g}' for n in sorted(lengths))} {humanised(key).lower()}")))
    return findings
