"""The shipped persona library: every file loads, the personas are distinct on the axes and in
what they write, and every one of them yields conversations the rule judge accepts."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from pathlib import Path

import pytest

from simulator.author.personas.axes import AXES, axes_of
from simulator.author.personas.library import load_library
from simulator.author.personas.near_copy import NearCopyFilter
from simulator.core.records import Episode
from simulator.judge.rules import judge_rules
from simulator.load.loader import load_pack
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.agents.style import Styler
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import simulate_episode

ROOT = Path(__file__).resolve().parents[3]
KINDS = {  # the kinds of user the library must have, by what makes them that kind
    "polite and precise": lambda p: p.formality == "formal" and p.cooperativeness >= 0.8,
    "frustrated and curt": lambda p: p.frustration >= 0.5 and p.patience <= 1,
    "terse mobile typist": lambda p: p.verbosity == "terse" and p.punctuation == "none" and p.abbreviation_rate > 0.5,
    "verbose elderly": lambda p: p.verbosity == "verbose" and p.expertise == "novice" and p.language == "en",
    "non-native English": lambda p: p.language == "en" and not p.native_speaker,
    "Mandarin": lambda p: p.language == "zh" and p.native_speaker and not p.code_switching,
    "code-switching zh/en": lambda p: p.language == "zh" and p.code_switching >= 0.5,
    "asks for a human early": lambda p: p.asks_for_human >= 0.5,
    "vague, no ids unprompted": lambda p: p.vagueness >= 0.5 and p.cooperativeness == 0.0,
    "multi-intent rambler": lambda p: p.rambling >= 0.5,
}


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "personas")


def test_the_library_has_every_kind_and_at_least_twelve_personas(library):
    assert len(library) >= 12
    for kind, test in KINDS.items():
        assert any(test(p) for p in library), f"no {kind} persona"


def test_library_personas_are_distinct_on_the_axes_and_in_their_descriptions(library):
    near = NearCopyFilter()
    for persona in library:
        assert near.offer(persona) is None, persona.id
    names = Counter(p.name for p in library)
    assert max(names.values()) == 1
    for axis in AXES:  # the library itself spreads over every axis
        assert len({axes_of(p)[axis] for p in library}) >= (4 if axis == "language" else 3), axis


def test_library_personas_write_differently(library):
    facts = {"order_id": "ORD-48291", "email": "jane.doe@example.com"}
    core = {"en": "My order ORD-48291 has not arrived yet.", "zh": "我的订单ORD-48291还没到。"}

    def voice(persona) -> tuple[str, ...]:
        styler = Styler(persona, random.Random(4), facts)
        said = [styler.request(core[persona.language], styler.fact_sentences(["email"], "volunteer"), first=True)
                for _ in range(12)]
        return (*said, styler.answer(["email"]), styler.closing())

    voices = {p.id: voice(p) for p in library}
    for a, b in itertools.combinations(voices, 2):
        assert voices[a] != voices[b], (a, b)


@pytest.mark.slow
def test_every_library_persona_plays_every_scenario_and_passes_the_rule_judge():
    pack = load_pack(ROOT / "scenarios" / "customer_support.yaml")
    assert set(pack.personas) == {p.id for p in load_library(ROOT / "personas")}
    rejected = []

    async def play_all() -> int:
        played = 0
        for persona_id, persona in sorted(pack.personas.items()):
            for scenario_id, scenario in pack.scenarios.items():
                if persona.language not in scenario.languages:
                    continue
                for seed in (1, 2):
                    episode = Episode(id=f"{scenario_id}-{persona_id}-{seed}", scenario_id=scenario_id,
                                      persona_id=persona_id, seed=seed, category=scenario.category,
                                      tool=scenario.primary_tool, language=persona.language)
                    ctx = prepare_episode(pack, episode)
                    trace = await simulate_episode(ctx, make_offline_user(ctx), make_offline_assistant(ctx))
                    verdict = judge_rules(trace, pack)
                    played += 1
                    if verdict.decision != "accept":
                        rejected.append((episode.id, verdict.reasons))
        return played

    played = asyncio.run(play_all())
    assert played > 500
    assert not rejected, rejected[:5]
