"""Building chain and parallel-call scenarios out of the file's own scenarios (`simulator.load.chains`
samples which).

A tool's words come from its *source* scenarios: positive, one turn, one call of the tool.
- A chain A→B→… gets one turn per call. In a later turn the `{slot}` of the fed parameter becomes
  a referring phrase ("that order", "刚才查到的那个订单"; `chain_phrases.yaml`) and the expected
  argument becomes `{@A.path}`: the value must come from A's result, never be guessed. Templates
  where the phrase would read badly ("The order number is that order") are left out.
- A parallel scenario joins the requests into one message ("…, and also …" / "…，另外…") and
  expects every call.

Sources combine only when their `record` queries agree: both absent, equal, or one refining the
other (same collection, its `where` includes the other's; the stricter one is used, so each slot
still reads a record its own scenario could have picked). Same-named slots are shared when they
read the same record field or literal, and renamed (`item_2`) otherwise.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from simulator.core.data_files import read_data_yaml
from simulator.spec import LANGUAGES, ExpectedCall, Scenario, SlotSpec, StateQuery
from simulator.spec.blueprint import (
    PLACEHOLDER,
    arg_slot,
    placeholders,
    result_refs,
    walk_strings,
)

PHRASES_FILE = Path(__file__).with_name("chain_phrases.yaml")
ID_SUFFIXES = ("_id", "_number", "_code", "_no", "_key", "_ref")


@cache
def phrase_book() -> dict[str, dict[str, Any]]:
    return read_data_yaml(PHRASES_FILE)


# ---------------------------------------------------------------- sources


def sources_by_tool(scenarios: Iterable[Scenario]) -> dict[str, list[Scenario]]:
    """Positive scenarios of one turn and one call of their primary tool, per tool."""
    found: dict[str, list[Scenario]] = {}
    for s in scenarios:
        calls = [c for t in s.turns for c in t.expect]
        if s.category != "positive" or len(s.turns) != 1 or len(calls) != 1:
            continue
        call = calls[0]
        if call.tool == s.primary_tool and not call.expect_error and not result_refs(call):
            found.setdefault(call.tool, []).append(s)
    return found


def merge_records(a: StateQuery | None, b: StateQuery | None) -> tuple[bool, StateQuery | None]:
    """(compatible, the query to use): equal, absent on one side, or one refining the other."""
    if a is None or b is None:
        return True, a or b
    if a.collection != b.collection:
        return False, None
    unique = list(dict.fromkeys(a.unique + b.unique))  # identifiable for both sources' users
    if all(k in b.where and b.where[k] == v for k, v in a.where.items()):
        return True, b.model_copy(update={"unique": unique})
    if all(k in a.where and a.where[k] == v for k, v in b.where.items()):
        return True, a.model_copy(update={"unique": unique})
    return False, None


def _rename(value: Any, names: dict[str, str]) -> Any:
    """Rename slot placeholders (`{item}` → `{item_2}`, `{reason.en}` → `{reason_2.en}`) in
    templates and (nested) blueprint arguments; `{@tool...}` is left alone."""
    if isinstance(value, str):
        def swap(match: re.Match) -> str:
            name = match.group(1)
            root, dot, rest = name.partition(".")
            return "{" + names.get(root, root) + dot + rest + "}" if not name.startswith("@") else match.group(0)
        return PLACEHOLDER.sub(swap, value) if names else value
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _rename(v, names) for k, v in value.items()}
    return value


@dataclass
class _Draft:
    """A scenario being assembled from source scenarios."""

    record: StateQuery | None = None
    slots: dict[str, SlotSpec] = field(default_factory=dict)
    personas: list[str] | None = None

    def absorb(self, source: Scenario) -> dict[str, str] | None:
        """Take the source's slots; the renames applied, or None when it does not fit."""
        ok, record = merge_records(self.record, source.record)
        if not ok:
            return None
        self.record = record
        if source.personas is not None:
            self.personas = [p for p in (self.personas or source.personas) if p in source.personas]
        names: dict[str, str] = {}
        for name, spec in source.slots.items():
            mine = self.slots.get(name)
            if mine is None:
                self.slots[name] = spec
            elif not (mine == spec and (spec.field is not None or spec.value is not None)):
                fresh = next(f"{name}_{k}" for k in itertools.count(2) if f"{name}_{k}" not in self.slots)
                self.slots[fresh] = spec
                names[name] = fresh
        return names

    def scenario(self, sid: str, category: str, goal: str, turns: list[dict[str, Any]]) -> Scenario | None:
        used = {
            name.split(".")[0]
            for turn in turns
            for text in [*walk_strings(turn["say"]), *walk_strings([c.args for c in turn["expect"]])]
            for name in placeholders(text) if not name.startswith("@")
        }
        slots = {k: v for k, v in self.slots.items() if k in used}
        record = self.record if any(s.field is not None for s in slots.values()) else None
        if any(not turn["say"] for turn in turns) or (self.personas is not None and not self.personas):
            return None
        return Scenario(
            id=sid, category=category, goal=goal, record=record, slots=slots, personas=self.personas,
            turns=[{"say": t["say"], "expect": t["expect"]} for t in turns],
        )


# ---------------------------------------------------------------- referring phrases


def noun_of(param: str) -> str:
    """`order_id` → `order`, `flightNumber` → `flight`, `recipient` → `recipient`; `` when nothing
    readable is left (`id`, `to`, `cc`): the phrases without a noun are used then."""
    from simulator.load.tool_graph import normal_name

    name = normal_name(param)
    for suffix in ID_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("_", " ")
    return name.replace("_", " ") if len(name) > 3 and name != "id" else ""


def refer(template: str, slot: str, phrase: str, language: str, noun: str) -> str | None:
    """`template` with every `{slot}` (and the determiner and noun right before it) replaced by
    `phrase`; None when the result would read badly ("The order number is that order")."""
    book = phrase_book()[language]
    spot = re.compile(r"\{" + re.escape(slot) + r"(?:\.[A-Za-z0-9_]+)*\}")
    dets = "|".join(re.escape(d) for d in book["determiners"])
    local_noun = book.get("nouns", {}).get(noun, "") if language != "en" else noun
    if language == "en":
        noun_part = rf"(?:\b{re.escape(local_noun)}\s+)?" if local_noun else ""
        before = re.compile(rf"(?:\b(?:{dets})\s+)?{noun_part}$", re.IGNORECASE)
    else:
        noun_part = f"(?:{re.escape(local_noun)})?" if local_noun else ""
        before = re.compile(f"(?:{dets})?{noun_part}$")
    matches = list(spot.finditer(template))
    for match in reversed(matches):
        head = template[: match.start()]
        tail = template[match.end():]
        if _reads_badly(head, tail, book["avoid_after"]):
            return None
        head = head[: before.search(head).start()]
        said = phrase
        if language == "en" and (not head.strip() or head.rstrip()[-1] in ".!?"):
            said = phrase[:1].upper() + phrase[1:]
        template = head + said + tail
    return template


# "{device_id}, the {thing.en}": another slot describes the thing referred to, and that slot is
# drawn on its own ("the device you just found, the door sensor" about a thermostat).
_APPOSITION = re.compile(r"^\s*[,，]\s*(?:(?:the|a|an)\s+)?\{(?!@)")


def _reads_badly(head: str, tail: str, avoid: list[str]) -> bool:
    """The placeholder follows an "is"/"number"/":", sits in parentheses or has another slot
    next to it that describes it."""
    if tail.lstrip().startswith((")", "）")) or _APPOSITION.match(tail) or head.rstrip().endswith("}"):
        return True
    stripped = head.rstrip()
    words = {a.lower() for a in avoid if a.isascii() and a.isalpha()}
    marks = tuple(a for a in avoid if not (a.isascii() and a.isalpha()))
    last_word = stripped.split()[-1].lower() if stripped.split() else ""
    return last_word in words or stripped.endswith(marks)


def _phrases(language: str, noun: str) -> list[str]:
    book = phrase_book()[language]
    local = book.get("nouns", {}).get(noun) if language != "en" else noun
    return [p.format(noun=local) for p in book["with_noun"]] if local else list(book["without_noun"])


def _lower_first(text: str) -> str:
    word = text.split(" ")[0]
    if len(text) > 1 and text[0].isupper() and text[1].islower() and word != "I" and not word.startswith("I'"):
        return text[0].lower() + text[1:]
    return text


def join_requests(templates: list[str], language: str, variant: int) -> str:
    """Several requests as one message: "…, and also …" / "…，另外…". A joiner gets `{a}`, the
    text so far without its final punctuation, `{a_end}`, the same ending in a sentence mark, and
    `{b}`, the next request."""
    joiners = phrase_book()[language]["parallel"]
    full_stop = "." if language == "en" else "。"
    text = templates[0]
    for k, nxt in enumerate(templates[1:]):
        stripped = text.rstrip()
        first = stripped.rstrip(".!?。！？").rstrip()
        ending = stripped[len(first):].strip()[:1] or full_stop
        joiner = joiners[(variant + k) % len(joiners)]
        text = joiner.format(a=first, a_end=first + ending, b=_lower_first(nxt) if language == "en" else nxt)
    return text


# ---------------------------------------------------------------- building


def tool_slug(tool: str) -> str:
    """A tool name as it may appear in a scenario id."""
    return re.sub(r"[^a-z0-9_]+", "_", tool.lower())


def build_chain(path: list[str], sources: list[Scenario], graph: Any, rng: random.Random, sid: str) -> Scenario | None:
    """The scenario for one path and one source scenario per tool, or None when they do not fit."""
    draft = _Draft()
    turns: list[dict[str, Any]] = []
    goals: list[str] = []
    for step, (tool, source) in enumerate(zip(path, sources)):
        names = draft.absorb(source)
        if names is None:
            return None
        turn = source.turns[0]
        call = turn.expect[0]
        args = _rename(call.args, names)
        say = {lang: _rename(turn.say.for_language(lang), names) for lang in LANGUAGES}
        if step > 0:
            feed = next(
                (f for f in graph.edges[path[step - 1], tool]["feeds"] if arg_slot(call, f.param)), None
            )
            if feed is None:
                return None
            slot = arg_slot(ExpectedCall(tool=tool, args=args), feed.param)
            args[feed.param] = feed.template
            noun = noun_of(feed.param)
            for lang in LANGUAGES:
                options = _phrases(lang, noun)
                offset = rng.randrange(len(options))
                said = [refer(t, slot, options[(offset + k) % len(options)], lang, noun) for k, t in enumerate(say[lang])]
                say[lang] = [t for t in said if t is not None]
        turns.append({"say": {k: v for k, v in say.items() if v}, "expect": [ExpectedCall(tool=tool, args=args)]})
        goals.append(source.goal)
    if not _shared_language(turns):
        return None
    goal = ", then ".join([goals[0]] + [_lower_first(g) for g in goals[1:]])
    return draft.scenario(sid, "multi-turn", goal, turns)


def build_parallel(group: list[str], sources: list[Scenario], rng: random.Random, sid: str) -> Scenario | None:
    draft = _Draft()
    calls: list[ExpectedCall] = []
    says: list[dict[str, list[str]]] = []
    for tool, source in zip(group, sources):
        names = draft.absorb(source)
        if names is None:
            return None
        turn = source.turns[0]
        calls.append(ExpectedCall(tool=tool, args=_rename(turn.expect[0].args, names)))
        says.append({lang: _rename(turn.say.for_language(lang), names) for lang in LANGUAGES})
    say: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        lists = [s[lang] for s in says]
        if not all(lists):
            continue
        offsets = [rng.randrange(len(x)) for x in lists]
        count = max(len(x) for x in lists)
        say[lang] = [join_requests([x[(o + i) % len(x)] for x, o in zip(lists, offsets)], lang, i) for i in range(count)]
    goal = "In one message: " + "; and ".join(s.goal[:1].lower() + s.goal[1:] for s in sources)
    return draft.scenario(sid, "hard", goal, [{"say": say, "expect": calls}])


def _shared_language(turns: list[dict[str, Any]]) -> bool:
    return bool(set.intersection(*(set(t["say"]) for t in turns)))
