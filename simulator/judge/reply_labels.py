"""The words a pack puts next to a result field's value, read back: "座位{seat}", "mostly along
{main_road}", "{issues_found} fix(es)", "{name}存续于". A reply that writes such a word and,
beside it, a value the field does not hold this turn ("座位靠窗" for `seat: aisle`, "1 fixes" for
`issues_found: 0`, "关于一阳指" when the martial art looked up is 先天功) contradicts the result,
even where the value alone is no proof: 雪 and 延误 are everyday words, 1 is in every prompt, and
a city the user named may still be the wrong one in the place it stands.

The words come from the pack's own reply templates (`domain.replies`, per tool and language):
the literal text right before a placeholder of a result field is a label written before its value,
the text right after one a label written after it; a slot a template writes (`{span.zh}`) stands
for the argument a blueprint fills with it whole (`period: "{span.code}"`), which the result
echoes. A label is kept only if it holds a word of its
own (two CJK characters, or an English word that is not a particle: "priority", "最低", not "the"
or "："). Labels are read once per pack; replies are read against the tools of this turn's
results, and a value is compared only when a result of this turn holds the field.

Used by `simulator.judge.reply_grounding` (check `reply_grounded`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field as dataclass_field
from functools import lru_cache
from typing import Any

from simulator.judge.reply_evidence import Finding
from simulator.judge.reply_lexicon import Lexicon
from simulator.judge.result_fields import Record, identity_match
from simulator.spec.pack import Pack
from simulator.words.grammar import plural
from simulator.words.value_words import ValueWords

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_CUT = re.compile(r"[.;!?()\[\]“”\"—,、。；！？《》「」:=\n]")  # after NFKC: ，（）： are ASCII
_COUNTED = re.compile(r"^([a-z]+)\((e?s)\)$")  # "fix(es)"
_CJK = re.compile(r"[\u3400-\u9fff]")
_PARTICLES = frozenset(
    "a an the and or of at in on to for with from by as is are was were be it it's its that's that this "
    "than then into about around roughly along via per up down out over under your you you're i i'm i've "
    "we we're my me our there here here's there's one right now just also will would has have had can".split())
_MAX_WORDS = 3
_MAX_CJK = 4
_LINK = re.compile(r"^[\s:=]*(?:(?:is|was|are|of|at|now|currently|to)\s+)*")
_LEADING_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*")
_TRAILING_NUMBER = re.compile(r"(?<![A-Za-z0-9_.:/-])(\d+(?:,\d{3})*(?:\.\d+)?)[\s+-]*$")


@dataclass(frozen=True)
class ProseLabel:
    """One label: its text (lower case, NFKC) and the (tool, field) pairs whose value it names."""

    text: str
    before: bool  # written before the value ("priority high"); False: after it ("3 fixes")
    fields: frozenset[tuple[str, str]]
    # tool -> its fields of `fields`, in the order `fields` iterates: a record's labelled values
    # found by its tool, not by testing each pair against each record of a turn per reply
    by_tool: dict[str, tuple[str, ...]] = dataclass_field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_tool: dict[str, list[str]] = {}
        for tool, name in self.fields:
            by_tool.setdefault(tool, []).append(name)
        object.__setattr__(self, "by_tool", {t: tuple(names) for t, names in by_tool.items()})


def _content(piece: str) -> bool:
    if len(_CJK.findall(piece)) >= 2:
        return True
    return any((sum(c.isalpha() for c in w) >= 2 or w.startswith("°")) and w not in _PARTICLES
               for w in piece.split() if w.isascii() or w.startswith("°"))


def _prefix(literal: str) -> str:
    """The label a literal ends with: the words after its last punctuation, at most three (or
    four CJK characters)."""
    literal = literal.rstrip()
    if literal.endswith(":"):  # "状态：{status}" (NFKC: the colon is ASCII)
        literal = literal[:-1]
    cuts = list(_CUT.finditer(literal))
    piece = literal[cuts[-1].end():] if cuts else literal
    if _CJK.search(piece):
        piece = piece.strip()
        tail = re.search(r"[^\s]{1,%d}$" % _MAX_CJK, piece)
        return tail.group() if tail else ""
    words = piece.split()[-_MAX_WORDS:]
    while words and (words[0] in _PARTICLES):  # "the home city" -> "home city"
        words = words[1:]
    return " ".join(words)


def _suffix(literal: str) -> str:
    """The label a literal starts with: the words before its first punctuation, up to the first
    word of its own ("passenger(s)", "in total"), or four CJK characters."""
    stripped = literal.lstrip(" +-")
    counted = re.match(r"([a-z]+\((?:e?s)\))", stripped)
    if counted:
        return counted.group(1)
    cut = _CUT.search(stripped)
    piece = stripped[:cut.start()] if cut else stripped
    if _CJK.match(piece.strip() or " "):
        head = re.match(r"[^\s\d]{1,%d}" % _MAX_CJK, piece.strip())
        return head.group() if head else ""
    words: list[str] = []
    for word in piece.split()[:_MAX_WORDS]:
        words.append(word)
        if word not in _PARTICLES:
            break
    return " ".join(words)


def _variants(label: str) -> list[str]:
    """"fix(es)" -> "fix", "fixes"; "person(s)" -> "person", "people"."""
    counted = _COUNTED.match(label)
    if counted:
        return [counted.group(1), plural(counted.group(1))]
    return [label]


def _returned_fields(returns: Any, into: set[str]) -> set[str]:
    if isinstance(returns, dict):
        for name, child in (returns.get("properties") or {}).items():
            into.add(name)
            _returned_fields(child, into)
        for child in [returns.get("items")] + list(returns.get("anyOf", [])) + list(returns.get("oneOf", [])):
            _returned_fields(child, into)
    return into


_SLOT_ARG = re.compile(r"^\{(\w+)(?:\.\w+)?\}$")


def _slot_arguments(pack: Pack) -> dict[str, set[tuple[str, str]]]:
    """slot -> the (tool, argument) pairs a blueprint fills with it whole (`period: "{span.code}"`):
    a reply that writes the slot (`{span.zh}`) writes that argument, which the result echoes."""
    found: dict[str, set[tuple[str, str]]] = {}
    for scenario in pack.scenarios.values():
        for turn in scenario.turns:
            for call in turn.expect:
                for arg, value in call.args.items():
                    whole = _SLOT_ARG.match(value) if isinstance(value, str) else None
                    if whole:
                        found.setdefault(whole.group(1), set()).add((call.tool, arg))
    return found


_LABELS: dict[int, tuple[Pack, dict[str, tuple[ProseLabel, ...]]]] = {}


def prose_labels(pack: Pack) -> dict[str, tuple[ProseLabel, ...]]:
    """tool -> the labels its reply templates put next to its result fields (kept per pack)."""
    hit = _LABELS.get(id(pack))
    if hit is not None and hit[0] is pack:
        return hit[1]
    domain = pack.domain
    slots = _slot_arguments(pack)
    found: dict[tuple[str, bool], set[tuple[str, str]]] = {}
    for tool, text in domain.config.replies.items():
        spec = domain.tools.get(tool)
        if spec is None or not spec.returns:
            continue
        fields = _returned_fields(spec.returns, set())
        for template in (*text.en, *text.zh):
            template = unicodedata.normalize("NFKC", template).lower()
            spans = list(_PLACEHOLDER.finditer(template))
            for n, match in enumerate(spans):
                path = match.group(1)
                field = next((p for p in reversed(path.split(".")) if not p.isdigit()), "")
                slot = slots.get(path.split(".")[0], ())
                field = next((arg for t, arg in slot if t == tool and arg in fields), field)  # {span.zh}: period
                if path.startswith("@") or field not in fields:
                    continue  # a slot of the scenario, a list's rendering, another tool's result
                before = template[spans[n - 1].end() if n else 0:match.start()]
                after = template[match.end():spans[n + 1].start() if n + 1 < len(spans) else len(template)]
                for label, is_before in ((_prefix(before), True), (_suffix(after), False)):
                    if label and _content(label):
                        for variant in _variants(label):
                            found.setdefault((variant, is_before), set()).add((tool, field))
    by_tool: dict[str, list[ProseLabel]] = {}
    for (label, is_before), pairs in found.items():
        entry = ProseLabel(label, is_before, frozenset(pairs))
        for tool in {t for t, _ in pairs}:
            by_tool.setdefault(tool, []).append(entry)
    table = {t: tuple(sorted(v, key=lambda e: -len(e.text))) for t, v in by_tool.items()}
    if len(_LABELS) >= 64:
        _LABELS.clear()
    _LABELS[id(pack)] = (pack, table)
    return table


def labelled_by_prose(index: int, low: str, turn: list[Record], records: list[Record], lexicon: Lexicon,
                      table: dict[str, tuple[ProseLabel, ...]]) -> list[Finding]:
    """A value beside a label of this turn's tools that none of the labelled fields holds in this
    turn's results, and that is a number or another value those fields take."""
    labels = [e for e in _candidates(table, tuple({r.tool for r in turn})) if e.text in low]
    if not labels:
        return []
    findings: list[Finding] = []
    covered: dict[bool, list[tuple[int, int]]] = {True: [], False: []}  # "门锁电量" is not also "电量"
    held: dict[frozenset[tuple[str, str]], tuple[list[Any], list[Any], list[Any]] | None] = {}
    for entry in labels:
        if entry.fields in held:  # labels of the same fields ("order", "订单") read their values once
            shown = held[entry.fields]
        else:
            shown = held[entry.fields] = _shown(entry, turn)
        if shown is None:
            continue  # "订单ORD-1": an id beside its label is the identifier and clause checks' business
        for at in _positions(low, entry.text):
            end = at + len(entry.text)
            if any(s <= at < e or s < end <= e for s, e in covered[entry.before]):
                continue
            covered[entry.before].append((at, end))
            problem = _read(low, at, end, entry, shown, records, lexicon)
            if problem is not None:
                wrong, actual = problem
                tool, field = _holder(entry, turn, actual)
                said = f"{entry.text} {wrong}" if entry.before else f"{wrong} {entry.text}"
                findings.append(Finding(index, wrong, (
                    f"message {index} says {said!r}, but {tool} returned {field} {actual!r}")))
    return findings


def _shown(entry: ProseLabel, turn: list[Record]) -> tuple[list[Any], list[Any], list[Any]] | None:
    """(values, numbers, strings) this turn's results hold in the fields `entry` labels; None
    when there are none or all are ids."""
    by_tool = entry.by_tool
    values = [v for r in turn if r.tool in by_tool for f in by_tool[r.tool]
              for v in r.fields.get(f, ()) if v is not None and not isinstance(v, bool)]
    if not values:
        return None
    # Most labelled fields hold strings alone: the id test maps over them in C, and no pass
    # looks for numbers among them (0.4 of 2.2 us a call)
    strings = [v for v in values if isinstance(v, str)]
    if len(strings) == len(values):
        return None if all(map(identity_match, strings)) else (values, [], strings)
    return values, [v for v in values if isinstance(v, (int, float))], strings


_CANDIDATES: dict[tuple[int, tuple[str, ...]], tuple[dict, tuple[ProseLabel, ...]]] = {}


def _candidates(table: dict[str, tuple[ProseLabel, ...]], tools: tuple[str, ...]) -> tuple[ProseLabel, ...]:
    """The labels of `tools` (in that order), once each, longest first: merged and sorted once
    per pack and set of tools rather than per reply. Filtering the merged list keeps the order
    that merging and sorting the labels a reply holds would give (the sort is stable)."""
    key = (id(table), tools)
    hit = _CANDIDATES.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    merged = tuple(sorted(dict.fromkeys(e for t in tools for e in table.get(t, ())), key=lambda e: -len(e.text)))
    if len(_CANDIDATES) >= 4096:
        _CANDIDATES.clear()
    _CANDIDATES[key] = (table, merged)
    return merged


def _holder(entry: ProseLabel, turn: list[Record], value: Any) -> tuple[str, str]:
    for record in reversed(turn):
        for tool, field in sorted(entry.fields):
            if record.tool == tool and value in record.fields.get(field, ()):
                return tool, field
    return sorted(entry.fields)[0]


def _positions(low: str, label: str) -> list[int]:
    found, start = [], low.find(label)
    ascii_label = label.isascii()
    while start != -1:
        end = start + len(label)
        glued = ascii_label and ((start > 0 and low[start - 1].isalnum() and low[start - 1].isascii() and label[0].isalnum())
                                 or (end < len(low) and low[end].isalnum() and low[end].isascii() and label[-1].isalnum()))
        if not glued:
            found.append(start)
        start = low.find(label, start + 1)
    return found


def _read(low: str, at: int, end: int, entry: ProseLabel, shown: tuple[list[Any], list[Any], list[Any]],
          records: list[Record], lexicon: Lexicon) -> tuple[str, Any] | None:
    """(the value the reply writes, the result's) when they differ; None when they agree or the
    text beside the label is no value of the field (`shown`: see `_shown`)."""
    _, numbers, strings = shown
    number = None
    if entry.before:
        rest = low[end:end + 60]
        said = rest[_LINK.match(rest).end():]  # type: ignore[union-attr]
        if numbers and (number := _LEADING_NUMBER.match(said)) is not None:
            tail = said[number.end():number.end() + 1]
            if tail.isalpha() and tail.isascii() or tail in ("(", "*", "/", "^", ":", "-"):
                return None  # "x = 2x + 3", a time, a date: not the field's number
            written = number.group()
    else:
        said = low[max(0, at - 60):at].rstrip()
        if numbers and (number := _TRAILING_NUMBER.search(said)) is not None:
            written = number.group(1)
    if number is None:
        return _other_string(said, entry.before, entry, strings, records, lexicon) if strings else None
    try:
        stated = abs(float(written.replace(",", "")))
    except ValueError:
        return None
    decimals = len(written.split(".")[1]) if "." in written else 0
    if any(math.isclose(stated, abs(v), abs_tol=1e-9) or round(abs(v), decimals) == stated for v in numbers):
        return None
    return written, numbers[0]


def _other_string(said: str, after: bool, entry: ProseLabel, values: list[Any], records: list[Record],
                  lexicon: Lexicon) -> tuple[str, Any] | None:
    if not said:
        return None
    words = lexicon.words

    def stands(form: str) -> bool:
        if after:
            if not said.startswith(form):
                return False
            nxt = said[len(form):len(form) + 1]
            return not (form[-1:].isascii() and form[-1:].isalnum() and nxt.isascii() and nxt.isalnum())
        if not said.endswith(form):
            return False
        prev = said[-len(form) - 1:-len(form)] if len(said) > len(form) else ""
        return not (form[:1].isascii() and form[:1].isalnum() and prev.isascii() and prev.isalnum())

    for v in values:  # `stands` called only for a form the text has there (most have none)
        for f in _forms(words, str(v)):
            if (said.startswith(f) if after else said.endswith(f)) and stands(f):
                return None
    fields = frozenset(f for _, f in entry.fields)
    shown = {str(v) for v in values}
    edge = said[:1] if after else said[-1:]
    candidates = list(_static_known(lexicon, fields, after).get(edge, ()))  # the pack's enums and names
    candidates += [(f, str(v)) for r in records for name in fields for v in r.fields.get(name, ()) if isinstance(v, str)
                   for f in _forms(words, v) if f[:1] == edge or f[-1:] == edge]
    other = [(f, k) for f, k in candidates if k not in shown and (len(f) >= 2 or not f.isascii()) and stands(f)]
    if not other:
        return None
    written, _ = max(other, key=lambda pair: len(pair[0]))
    if any(written in f and written != f for v in values for f in _forms(words, str(v))):
        return None  # "economy" said of "premium economy"
    return written, values[0]


@lru_cache(maxsize=65536)
def _forms(words: ValueWords, value: str) -> tuple[str, ...]:
    """How `value` may be written, as a reply reads after NFKC and lower case."""
    return tuple(f for f in dict.fromkeys(unicodedata.normalize("NFKC", f).lower() for f in words.forms(value)) if f)


def _static_known(lexicon: Lexicon, fields: frozenset[str], after: bool) -> dict[str, tuple[tuple[str, str], ...]]:
    """The forms of every enum value and name the pack knows for `fields`, by the character a
    reply's text would start (`after`) or end with there (computed once per pack and fields)."""
    key = ("prose_known", fields, after)
    hit = lexicon.memo.get(key)
    if hit is not None:
        return hit
    known = {v for (_, f), vs in lexicon.enums.items() if f in fields for v in vs}
    known |= {name for meanings in lexicon.names.values() for name, keys in meanings if keys & fields}
    by_edge: dict[str, list[tuple[str, str]]] = {}
    for value in known:
        for form in _forms(lexicon.words, value):
            by_edge.setdefault(form[:1] if after else form[-1:], []).append((form, value))
    table = lexicon.memo[key] = {k: tuple(v) for k, v in by_edge.items()}
    return table
