"""The persona library a proposal is measured against, and what a proposal run returns.

The library is read with the same strictness as `load_pack` (one `Persona` per file, file:line
problems, duplicate ids refused), so a broken persona file stops `toolsim personas expand`
before any proposal is made — proposals measured against half a library would not be checked
for copies of the other half.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simulator.author.personas.near_copy import Rejection
from simulator.core.errors import InputError, Problem
from simulator.core.pydantic_problems import validate
from simulator.core.yaml_lines import display_path, read_yaml
from simulator.spec import Persona

PERSONA_SUFFIXES = (".yaml", ".yml")


def load_library(folder: Path) -> list[Persona]:
    """Every persona file in `folder`, sorted by id. Raises `InputError` with every problem."""
    shown = display_path(folder)
    if not folder.is_dir():
        raise InputError.single(shown, "not a folder of persona files (--personas DIR)")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in PERSONA_SUFFIXES)
    problems: list[Problem] = []
    found: dict[str, tuple[Persona, str]] = {}
    for file in files:
        source = display_path(file)
        try:
            doc = read_yaml(file, source)
        except InputError as exc:
            problems += exc.problems
            continue
        persona, errors = validate(Persona, doc.value, doc)
        problems += doc.problems + errors
        if persona is None:
            continue
        if persona.id in found:
            message = f"id: duplicate persona id {persona.id!r} (also in {found[persona.id][1]})"
            problems.append(doc.problem(("id",), message))
            continue
        found[persona.id] = (persona, source)
    if problems:
        raise InputError(problems)
    return [found[key][0] for key in sorted(found)]


def unique_id(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted_2`, `wanted_3`, ... whichever is free (and claim it)."""
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}_{number}"
    taken.add(candidate)
    return candidate


@dataclass
class Proposals:
    """The personas kept, and what was dropped and why (reported to the user, never silent)."""

    source: str  # "offline sampler, seed 7" / "model openai/gpt-4.1-mini"
    wanted: int
    personas: list[Persona] = field(default_factory=list)
    near_copies: list[tuple[str, Rejection]] = field(default_factory=list)  # (proposed id, why)
    invalid: list[str] = field(default_factory=list)  # one line per proposal that did not validate

    def summary(self) -> str:
        parts = [f"{len(self.personas)} of {self.wanted} kept"]
        if self.invalid:
            parts.append(f"{len(self.invalid)} invalid dropped")
        parts.append(f"{len(self.near_copies)} near-cop{'y' if len(self.near_copies) == 1 else 'ies'} rejected")
        return f"personas expand ({self.source}): " + ", ".join(parts)
