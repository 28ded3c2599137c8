"""Load checks for a scenario's `hard_cases` tags: a tag must be backed by the blueprint.

A hard-case tag is a promise about the data ("these traces teach resolving relative dates"), and
the coverage report and dataset card count traces by it. A tag the scenario cannot live up to —
`relative_date` on a scenario whose calls carry no date slot, `alias` with no choice whose phrase
differs from its code — would make those counts lie, so it is a `file:line` error instead.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from simulator.core.errors import Problem
from simulator.spec import Scenario
from simulator.spec.blueprint import PLACEHOLDER, placeholders, slot_refs, walk_strings

DATE_SLOT_KEYS = ("code", "en", "zh", "weekday", "expression")


def _called_slots(scenario: Scenario) -> dict[str, set[str]]:
    """slot name -> the sub-keys expected calls read from it (`{city.code}` -> {"code"})."""
    used: dict[str, set[str]] = {}
    for turn in scenario.turns:
        for call in turn.expect:
            for text in walk_strings(call.args):
                for name in placeholders(text):
                    if not name.startswith("@"):
                        root, _, rest = name.partition(".")
                        used.setdefault(root, set()).add(rest)
    return used


def _mappings(scenario: Scenario, slot: str) -> list[dict[str, Any]]:
    spec = scenario.slots.get(slot)
    return [o for o in (spec.choice or []) if isinstance(o, dict) and "code" in o] if spec else []


def _has_date(scenario: Scenario) -> bool:
    return any(
        scenario.slots[s].date is not None for s in _called_slots(scenario) if s in scenario.slots
    )


def _has_alias(scenario: Scenario) -> bool:
    for slot in _called_slots(scenario):
        for option in _mappings(scenario, slot):
            code = str(option["code"]).casefold()
            if any(isinstance(v, str) and v.casefold() != code for k, v in option.items() if k in ("en", "zh")):
                return True
    return False


def _has_number_words(scenario: Scenario) -> bool:
    for slot in _called_slots(scenario):
        for option in _mappings(scenario, slot):
            code = option["code"]
            words = [v for k, v in option.items() if k in ("en", "zh") and isinstance(v, str)]
            if isinstance(code, (int, float)) and not isinstance(code, bool) and any(
                str(code) not in w for w in words
            ):
                return True
    return False


def _leaves_out_a_fact(scenario: Scenario) -> bool:
    if scenario.category == "clarification":
        return True
    for turn in scenario.turns:
        needed = {s for call in turn.expect for s in slot_refs(call)}
        for language in ("en", "zh"):
            for template in turn.say.for_language(language):
                said = {n.split(".")[0] for n in PLACEHOLDER.findall(template)}
                if needed - said:
                    return True
    return False


def _clarifies_or_combines(scenario: Scenario) -> bool:
    turns = scenario.turns
    clarifies = any(not t.expect and t.answer is not None and later.expect for t, later in zip(turns, turns[1:]))
    return clarifies or any(len({c.tool for c in t.expect}) >= 2 for t in turns)


RULES: dict[str, tuple[Callable[[Scenario], bool], str]] = {
    "relative_date": (_has_date, "an expected call must carry a `date:` slot (e.g. `{when.code}`)"),
    "alias": (_has_alias, "an expected call must carry a `choice` slot whose en/zh phrase differs from its `code`"),
    "number_words": (_has_number_words, "an expected call must carry a `choice` slot with a numeric `code` said in words"),
    "missing_argument": (_leaves_out_a_fact, "some `say` variant must leave out a slot the turn's calls need"),
    "mixed_intent": (_clarifies_or_combines, "a turn must either answer with a clarifying question before a turn "
                     "with calls, or expect calls of two different tools"),
    "tool_error": (lambda s: any(c.expect_error for t in s.turns for c in t.expect), "a call must have `expect_error: true`"),
    "near_miss": (lambda s: any(not t.expect for t in s.turns), "a turn must expect no call (an `answer` turn)"),
    "tool_boundary": (lambda s: any(t.expect for t in s.turns), "the scenario must expect at least one call"),
}


def check_hard_cases(problem: Callable[..., Problem], base: tuple, scenario: Scenario) -> Iterator[Problem]:
    """A problem for every tag its scenario does not back, and for unknown keys of date slots."""
    for i, tag in enumerate(scenario.hard_cases):
        backed, needs = RULES[tag]
        if not backed(scenario):
            yield problem(base + ("hard_cases", i), f"hard case {tag!r} is not backed by the scenario: {needs}")
    for turn_index, turn in enumerate(scenario.turns):
        texts = [*walk_strings([c.args for c in turn.expect])]
        texts += [t for lang in ("en", "zh") for t in turn.say.for_language(lang)]
        for text in texts:
            for name in placeholders(text):
                root, _, rest = name.partition(".")
                spec = scenario.slots.get(root)
                if spec is not None and spec.date is not None and rest not in DATE_SLOT_KEYS:
                    yield problem(
                        base + ("turns", turn_index),
                        f"{{{name}}}: a date slot reads as {', '.join(f'{{{root}.{k}}}' for k in DATE_SLOT_KEYS)}",
                    )
