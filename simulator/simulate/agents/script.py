"""A scenario's script, pre-digested once for the offline agents.

Which slots each expected call needs, which earlier results it reads, and which slots each turn
needs in all: both agents ask these questions on every message, and the answers depend only on
the scenario. Computing them once per scenario (not per message, not per episode) keeps the
offline agents within the benchmark's budget of about a millisecond per whole episode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from simulator.core.identity_memo import by_identity
from simulator.spec import ExpectedCall, Scenario, Turn
from simulator.spec.blueprint import placeholders, result_refs, slot_refs


@dataclass(frozen=True)
class CallPlan:
    call: ExpectedCall
    slots: tuple[str, ...]  # facts the arguments use
    reads: tuple[str, ...]  # tools whose earlier results the arguments use


@dataclass(frozen=True)
class TurnPlan:
    turn: Turn
    calls: tuple[CallPlan, ...]
    needed: tuple[str, ...]  # every slot the turn's calls use, in order


@by_identity(4096)
def script_of(scenario: Scenario) -> tuple[TurnPlan, ...]:
    """The digested turns of a scenario (cached by object identity)."""
    return tuple(_turn_plan(turn) for turn in scenario.turns)


def _turn_plan(turn: Turn) -> TurnPlan:
    calls = tuple(CallPlan(c, tuple(slot_refs(c)), tuple(result_refs(c))) for c in turn.expect)
    needed: list[str] = []
    for call in calls:
        needed.extend(s for s in call.slots if s not in needed)
    return TurnPlan(turn, calls, tuple(needed))


@lru_cache(maxsize=8192)
def template_slots(template: str) -> frozenset[str]:
    """Slots a template says out loud (`{reason.en}` says `reason`)."""
    return frozenset(name.split(".")[0] for name in placeholders(template) if not name.startswith("@"))


# A fact a vague user does not say unprompted: an id like ORD-48291, or an e-mail address.
_ID_VALUE = re.compile(r"^[A-Za-z]{2,6}-\d{3,}$|@")


def names_an_id(template: str, facts: dict) -> bool:
    """Does a `say` template state an id or an e-mail address?"""
    return any(isinstance(facts.get(slot), str) and _ID_VALUE.search(facts[slot]) for slot in template_slots(template))
