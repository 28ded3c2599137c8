"""The offline persona proposer: combinatorial sampling over the axes, seeded.

Every compatible combination of axis values is a candidate (a few thousand); the seed shuffles
them, and each pick takes, from a window at the head of the shuffled pool, the candidate whose
values are rarest so far: among the proposals first (so `--n` as small as the largest axis
already covers every value), and then in the library (so gaps — a mood or habit nobody has
yet — are filled before well-covered values are repeated). A candidate becomes a `Persona` — fields from `axes.fields_for`, a name and
a description in its own language from `sampler_phrases.yaml` — and must pass the near-copy
filter against the library and the proposals before it; rejected ones are counted. After
`MAX_MISSES` rejections in a row the sampler stops short (thresholds too strict for the pool).

Same library, same seed, same `--n`: the same proposals, byte for byte.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.author.personas.axes import (
    AXES,
    AxisVector,
    axes_of,
    compatible,
    fields_for,
)
from simulator.author.personas.library import Proposals, unique_id
from simulator.author.personas.near_copy import NearCopyFilter
from simulator.core.data_files import read_data_yaml
from simulator.spec import Persona

PHRASES_FILE = Path(__file__).with_name("sampler_phrases.yaml")
WINDOW = 256  # candidates scored per pick (the pool head); enough to find a rare value quickly
MAX_MISSES = 500  # consecutive near-copies before giving up
LIBRARY_WEIGHT = 0.5  # how much a value's rarity in the library counts next to its rarity in the proposals
ID_PREFIX = {"en": "en", "en_second_language": "en_l2", "zh": "zh", "zh_second_language": "zh_l2", "zh_en_mixed": "zh_mix", "zh_traditional": "zh_tw"}


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Any]:
    return read_data_yaml(PHRASES_FILE)


def candidate_pool() -> list[dict[str, str]]:
    """Every compatible axis vector, in a fixed order."""
    pool = []
    for values in itertools.product(*AXES.values()):
        axes = dict(zip(AXES, values))
        if compatible(axes):
            pool.append(axes)
    return pool


def sample_personas(
    library: Sequence[Persona], n: int, seed: int, near: NearCopyFilter | None = None
) -> Proposals:
    """`n` new personas (fewer only if the pool runs dry), far from `library` and each other."""
    rng = random.Random(seed)
    near = near or NearCopyFilter()
    for persona in library:
        near.add(persona)
    counts = {axis: Counter() for axis in AXES}  # in the proposals so far
    in_library = {axis: Counter() for axis in AXES}
    for persona in library:
        for axis, value in axes_of(persona).items():
            in_library[axis][value] += 1
    ids = {p.id for p in library}
    names = {p.name for p in library}
    pool = candidate_pool()
    rng.shuffle(pool)
    result = Proposals(source=f"offline sampler, seed {seed}", wanted=n)
    misses = 0
    while len(result.personas) < n and pool and misses < MAX_MISSES:
        window = pool[:WINDOW]
        best = max(range(len(window)), key=lambda i: (_rarity(window[i], counts, in_library), -i))
        axes = pool.pop(best)
        rejection = near.check_axes(axes)
        if rejection is not None:  # its id stays claimed, so the report names one proposal only
            result.near_copies.append((unique_id(base_id(axes), ids), rejection))
            misses += 1
            continue
        persona = build_persona(axes, rng, ids, names)
        rejection = near.offer(persona)
        if rejection is not None:
            result.near_copies.append((persona.id, rejection))
            names.discard(persona.name)
            misses += 1
            continue
        misses = 0
        result.personas.append(persona)
        for axis, value in axes.items():
            counts[axis][value] += 1
    return result


def _rarity(axes: AxisVector, counts: dict[str, Counter], in_library: dict[str, Counter]) -> float:
    return sum(
        1.0 / (1 + counts[axis][value]) + LIBRARY_WEIGHT / (1 + in_library[axis][value])
        for axis, value in axes.items()
    )


def build_persona(axes: AxisVector, rng: random.Random, ids: set[str], names: set[str]) -> Persona:
    """The persona at `axes`, with a free id and name (both claimed in `ids` / `names`)."""
    fields = fields_for(axes)
    return Persona.model_validate({
        "id": unique_id(base_id(axes), ids),
        "name": _name(axes["language"], rng, names),
        "description": describe(axes, rng),
        **fields,
    })


def base_id(axes: AxisVector) -> str:
    """`zh_mix_angry_neutral_expert_rambling`: language, emotion, formality, expertise, habit."""
    parts = [ID_PREFIX[axes["language"]], axes["emotion"], axes["formality"], axes["expertise"]]
    if axes["habit"] != "none":
        parts.append(axes["habit"])
    return "_".join(parts)


def describe(axes: AxisVector, rng: random.Random) -> str:
    """Three short sentences in the persona's language, one clause per axis."""
    language = "zh" if axes["language"].startswith("zh") else "en"
    book = _phrases()[language]
    clause = {axis: rng.choice(book["clauses"][axis][axes[axis]]) for axis in AXES}
    joiner, end = book["joiner"], book["end"]
    how = joiner.join(c for c in (clause["language"], clause["formality"], clause["verbosity"]) if c)
    mood = joiner.join(c for c in (clause["emotion"], clause["cooperativeness"], clause["habit"]) if c)
    if language == "zh":
        return f"{clause['expertise']}，{how}{end}{mood}{end}"
    return f"{clause['expertise']}. {how[0].upper()}{how[1:]}{end} {mood}{end}"


def _name(language: str, rng: random.Random, taken: set[str]) -> str:
    names = _phrases()["zh" if language.startswith("zh") else "en"]["names"]
    for _ in range(200):
        if language == "en":
            name = f"{rng.choice(names['first'])} {rng.choice(names['last'])}"
        elif language.endswith("_second_language"):
            pool = _phrases()["en"]["second_language_names"]
            name = f"{rng.choice(pool['first'])} {rng.choice(pool['last'])}"
        elif language == "zh_en_mixed":
            name = f"{rng.choice(names['english_first'])} {rng.choice(names['surname'])}"
        else:
            name = rng.choice(names["surname"]) + rng.choice(names["given"])
        if name not in taken:
            taken.add(name)
            return name
    return unique_id(name, taken)
