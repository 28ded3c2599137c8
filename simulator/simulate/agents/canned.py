"""The stock persona sentences a model could learn to parrot, for the quality report.

Greetings and sign-offs are not counted (real users write them in a few words too); the asides
around a request are: the phrase book's (`style_phrases.yaml`, every language) and a pack's own
(`domain.asides`). `canned_phrases(config)` lists them; the report counts user turns carrying one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.simulate.agents.style import _raw_phrases
from simulator.spec import LANGUAGES

# Sections of the phrase book that are stock sentences around the request (not greetings or
# sign-offs, which real users write in a few words too): the quality report counts user turns
# carrying one of them ("I've been a customer for years").
CANNED_SECTIONS: tuple[tuple[str, ...], ...] = (
    ("context",), ("answer_extras",), ("lead_ins",), ("frustrated_closers",), ("traits", "expertise", "novice"),
    ("traits", "lookup"), ("traits", "emotion"), ("traits", "human"), ("traits", "rambling"),
    ("traits", "vague"), ("traits", "second_language", "asides"), ("asides",),
)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, Mapping):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, (list, tuple)):
        return [s for v in node for s in _strings(v)]
    return []


def canned_phrases(config: Any = None) -> list[str]:
    """Every stock aside a persona can add, in every language (and the domain's own, if any)."""
    found: list[str] = []
    for language in LANGUAGES:
        raw = _raw_phrases().get(language) or {}
        for path in CANNED_SECTIONS:
            node: Any = raw
            for key in path:
                node = node.get(key) if isinstance(node, Mapping) else None
            found.extend(_strings(node))
    own = getattr(config, "asides", None) if config is not None else None
    if own:
        found.extend(_strings(own if isinstance(own, Mapping) else own.model_dump()))
    return found
