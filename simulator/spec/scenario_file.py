"""A scenario file: one domain, its personas, generation settings, models and scenarios."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from simulator.spec.base import Strict
from simulator.spec.domain import DomainConfig
from simulator.spec.generation import GenerationConfig
from simulator.spec.models import ModelsConfig
from simulator.spec.scenario import Scenario

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}")


class ScenarioFile(Strict):
    """A scenario file: one domain, its personas, generation settings and scenarios."""

    name: str = Field(description="names the run directory runs/<name>: letters, digits, _ - and ., "
                                   "starting with a letter, digit or _")
    description: str = ""
    domain: DomainConfig
    personas: list[str] = Field(
        default_factory=lambda: ["../personas"],
        description="persona files or folders (relative to this file), or persona ids in ../personas",
    )
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    scenarios: list[Scenario] = Field(min_length=1)
    models: ModelsConfig | None = None
    variants: list[str] | None = Field(
        None,
        description="files of generated `say` variants (relative to this file; `toolsim expand` writes them); "
                    "default: X.variants.yaml next to X.yaml when it exists; [] for none",
    )

    @field_validator("name")
    @classmethod
    def _identifier(cls, name: str) -> str:
        """The name becomes the directory `runs/<name>`: `..` or `a/b` would put a run (and what
        `--force` clears) outside runs/."""
        if not NAME.fullmatch(name):
            raise ValueError(f"must be an identifier of letters, digits, _, - and . starting with a letter, digit "
                             f"or _, at most 64 characters (it names the run directory runs/<name>); got {name!r}")
        return name

    @field_validator("scenarios")
    @classmethod
    def _unique_ids(cls, scenarios: list[Scenario]) -> list[Scenario]:
        seen: set[str] = set()
        for s in scenarios:
            if s.id in seen:
                raise ValueError(f"duplicate scenario id {s.id!r}")
            seen.add(s.id)
        return scenarios
