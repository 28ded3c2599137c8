"""Axes, near-copy rejection and the offline sampler."""

from __future__ import annotations

import asyncio
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from simulator.author.personas.axes import (
    AXES,
    axes_of,
    axis_distance,
    compatible,
    fields_for,
)
from simulator.author.personas.library import load_library
from simulator.author.personas.near_copy import NearCopyFilter, description_similarity
from simulator.author.personas.sampler import (
    MAX_MISSES,
    build_persona,
    candidate_pool,
    sample_personas,
)
from simulator.author.personas.writer import render
from simulator.core.records import Episode
from simulator.judge.rules import judge_rules
from simulator.load.loader import load_pack
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.episode import prepare_episode
from simulator.simulate.orchestrator import simulate_episode
from simulator.spec import Persona

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def library() -> list[Persona]:
    return load_library(ROOT / "personas")


def _persona(axes, pid="p", name="P", description="") -> Persona:
    return Persona.model_validate({"id": pid, "name": name, "description": description, **fields_for(axes)})


def test_every_compatible_axis_vector_round_trips_through_persona_fields():
    pool = candidate_pool()
    assert len(pool) > 1000
    for axes in pool:
        assert axes_of(_persona(axes)) == axes


def test_incompatible_combinations_are_left_out():
    pool = candidate_pool()
    assert all(compatible(a) for a in pool)
    assert not any(a["habit"] == "vague" and a["cooperativeness"] == "forthcoming" for a in pool)
    assert not any(a["habit"] == "shorthand" and a["formality"] == "formal" for a in pool)
    assert any(a["habit"] == "vague" for a in pool) and any(a["habit"] == "shorthand" for a in pool)


def test_axis_distance_is_zero_for_the_same_vector_and_one_for_opposites():
    a = {"language": "en", "formality": "casual", "expertise": "novice", "emotion": "calm", "verbosity": "terse",
         "cooperativeness": "guarded", "habit": "none"}
    b = {"language": "zh", "formality": "formal", "expertise": "expert", "emotion": "angry", "verbosity": "verbose",
         "cooperativeness": "forthcoming", "habit": "vague"}
    assert axis_distance(a, a) == 0.0 and axis_distance(a, b) == 1.0
    one_step = {**a, "formality": "neutral"}
    assert 0 < axis_distance(a, one_step) < axis_distance(a, {**a, "formality": "formal"})
    assert axis_distance(a, {**a, "language": "zh"}) > axis_distance(a, {**a, "habit": "typos"})  # language weighs more


def test_near_copies_are_rejected_by_axes_or_by_description():
    base = {"language": "en", "formality": "formal", "expertise": "average", "emotion": "calm", "verbosity": "normal",
            "cooperativeness": "forthcoming", "habit": "none"}
    near = NearCopyFilter()
    near.add(_persona(base, "original", description="A retired teacher who writes to customer service like a letter."))
    renamed = _persona({**base, "emotion": "cheerful"}, "renamed", "Someone Else", "Completely different words here.")
    rejection = near.check(renamed)
    assert rejection is not None and rejection.of == "original" and "axis distance" in rejection.reason
    reworded = _persona({**base, "formality": "casual", "verbosity": "terse", "habit": "typos"}, "reworded",
                        description="A retired teacher who writes to customer support like a letter!")
    rejection = near.check(reworded)
    assert rejection is not None and "description similarity" in rejection.reason
    fresh = _persona({**base, "formality": "casual", "verbosity": "terse", "habit": "typos"}, "fresh",
                     description="Types quick notes on the bus.")
    assert near.offer(fresh) is None
    assert near.check(fresh) is not None  # and now it is taken
    assert description_similarity("你好，我想查订单", "你好，我想查订单") == 1.0


def test_the_sampler_is_deterministic_for_a_seed(library):
    one = render(sample_personas(library, 20, seed=3))
    assert one == render(sample_personas(library, 20, seed=3))
    assert one != render(sample_personas(library, 20, seed=4))


def test_proposals_cover_every_axis_value_and_are_far_from_library_and_each_other(library):
    proposals = sample_personas(library, 20, seed=7)
    assert len(proposals.personas) == 20
    seen = {axis: Counter(axes_of(p)[axis] for p in proposals.personas) for axis in AXES}
    for axis, values in AXES.items():
        assert set(seen[axis]) == set(values), (axis, seen[axis])
    check = NearCopyFilter()
    for persona in [*library, *proposals.personas]:
        assert check.offer(persona) is None, persona.id
    ids = [p.id for p in [*library, *proposals.personas]]
    assert len(set(ids)) == len(ids)
    for seed in range(3):  # as few as the largest axis has values already cover every value
        small = sample_personas(library, max(map(len, AXES.values())), seed=seed)
        for axis, values in AXES.items():
            assert {axes_of(p)[axis] for p in small.personas} == set(values), (seed, axis)


def test_the_sampler_counts_what_it_rejects(library):
    strict = sample_personas(library, 20, seed=7, near=NearCopyFilter(min_distance=0.3))
    assert strict.near_copies and len(strict.personas) == 20
    for persona_id, rejection in strict.near_copies:
        assert persona_id not in {p.id for p in strict.personas} and rejection.reason
    impossible = sample_personas(library, 5, seed=7, near=NearCopyFilter(min_distance=0.99))
    assert impossible.personas == [] and len(impossible.near_copies) == MAX_MISSES


def test_build_persona_claims_unique_ids_and_names():
    axes = candidate_pool()[0]
    ids, names = set(), set()
    made = [build_persona(axes, random.Random(1), ids, names) for _ in range(3)]
    assert len({p.id for p in made}) == 3 and len({p.name for p in made}) == 3
    assert made[1].id == f"{made[0].id}_2"


@pytest.mark.slow
def test_proposals_load_with_load_pack_and_pass_the_rule_judge(library, tmp_path):
    proposals = sample_personas(library, 20, seed=11)
    documents = [d for d in yaml.safe_load_all(render(proposals)) if d is not None]
    assert len(documents) == 20
    (tmp_path / "personas").mkdir()
    for persona_file in (ROOT / "personas").glob("*.yaml"):
        shutil.copy(persona_file, tmp_path / "personas")
    for document in documents:
        (tmp_path / "personas" / f"{document['id']}.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "tool_sims", tmp_path / "tool_sims", ignore=shutil.ignore_patterns("__pycache__"))
    pack = load_pack(tmp_path / "scenarios" / "customer_support.yaml")
    assert len(pack.personas) == len(library) + 20
    assert all(pack.personas[d["id"]] == Persona.model_validate(d) for d in documents)

    async def judge_all() -> list[str]:
        rejected = []
        for document in documents:
            persona = pack.personas[document["id"]]
            for scenario_id, scenario in pack.scenarios.items():
                if persona.language not in scenario.languages:
                    continue
                episode = Episode(id=f"{scenario_id}-{persona.id}", scenario_id=scenario_id, persona_id=persona.id,
                                  seed=5, category=scenario.category, tool=scenario.primary_tool,
                                  language=persona.language)
                ctx = prepare_episode(pack, episode)
                trace = await simulate_episode(ctx, make_offline_user(ctx), make_offline_assistant(ctx))
                if judge_rules(trace, pack).decision != "accept":
                    rejected.append(episode.id)
        return rejected

    assert asyncio.run(judge_all()) == []
