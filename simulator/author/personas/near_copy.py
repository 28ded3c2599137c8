"""Near-copy rejection: a proposed persona must differ from the library and from every other
proposal, both on the axes and in its description.

Two tests, either one rejects:
- axis distance below `min_distance` (default 0.15): with seven axes that is "differs on at most
  one axis, or by one step on two ordinal axes" — the same user under another name;
- description similarity at or above `max_similarity` (default 0.6, Jaccard over character
  trigrams, which works for Chinese as well as English): a model that copies an existing
  persona's prose with a few words changed, whatever axis values it claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.author.personas.axes import axes_of, axis_distance
from simulator.spec import Persona

DEFAULT_MIN_DISTANCE = 0.15
DEFAULT_MAX_SIMILARITY = 0.6
_NOT_WORD = re.compile(r"[^\w]+")


def shingles(text: str, n: int = 3) -> frozenset[str]:
    """Character n-grams of the lowercased text with punctuation folded to single spaces."""
    normal = _NOT_WORD.sub(" ", text.lower()).strip()
    if len(normal) <= n:
        return frozenset({normal}) if normal else frozenset()
    return frozenset(normal[i:i + n] for i in range(len(normal) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def description_similarity(a: str, b: str) -> float:
    return jaccard(shingles(a), shingles(b))


@dataclass(frozen=True)
class Rejection:
    """Why a proposal was rejected: the persona it nearly copies and the measure that said so."""

    of: str
    reason: str


@dataclass
class NearCopyFilter:
    """The personas seen so far (library, then accepted proposals) and the two thresholds."""

    min_distance: float = DEFAULT_MIN_DISTANCE
    max_similarity: float = DEFAULT_MAX_SIMILARITY
    _seen: list[tuple[str, dict[str, str], frozenset[str]]] = field(default_factory=list)

    def add(self, persona: Persona) -> None:
        self._seen.append((persona.id, axes_of(persona), shingles(persona.description)))

    def check_axes(self, axes: dict[str, str]) -> Rejection | None:
        """The axis test alone (cheap: the sampler runs it before building a persona)."""
        for other_id, other_axes, _ in self._seen:
            distance = axis_distance(axes, other_axes)
            if distance < self.min_distance:
                return Rejection(other_id, f"axis distance {distance:.2f} < {self.min_distance:g}")
        return None

    def check(self, persona: Persona) -> Rejection | None:
        """None when `persona` is far enough from everything seen, else why not."""
        rejection = self.check_axes(axes_of(persona))
        if rejection is not None:
            return rejection
        words = shingles(persona.description)
        for other_id, _, other_words in self._seen:
            similarity = jaccard(words, other_words)
            if similarity >= self.max_similarity:
                return Rejection(other_id, f"description similarity {similarity:.2f} >= {self.max_similarity:g}")
        return None

    def offer(self, persona: Persona) -> Rejection | None:
        """`check`, and remember the persona when it passes."""
        rejection = self.check(persona)
        if rejection is None:
            self.add(persona)
        return rejection
