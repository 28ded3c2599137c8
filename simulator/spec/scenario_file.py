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

    name: str = Field(description="names the run directory runs/<name> (unless --out says otherwise): letters, "
                                  "digits, _ - and ., starting with a letter, digit or _", examples=["clinic"])
    description: str = Field("", description="free text for people; not used by the simulation",
                             examples=["A clinic's booking and prescription assistant"])
    domain: DomainConfig = Field(description="the tools, the system prompt and the offline assistant's wording",
                                 examples=[{"tools": "clinic.tools.yaml", "system_prompt_file": "clinic.system.md"}])
    personas: list[str] = Field(
        default_factory=lambda: ["../personas"],
        description="persona files or folders (relative to this file), or persona ids in ../personas",
        examples=[["../personas"], ["../personas/formal_polite.yaml", "zh_polite"]],
    )
    generation: GenerationConfig = Field(
        default_factory=GenerationConfig, description="seed, composition, budgets, dedupe and splits of a run",
        examples=[{"seed": 7, "mix": {"per_tool": 50, "no_tool_share": 0.2}}],
    )
    scenarios: list[Scenario] = Field(
        min_length=1, description="the situations users are in, each with its script and expected calls",
        examples=[[{"id": "check_rx", "category": "positive", "goal": "Check a prescription",
                    "slots": {"rx_id": {"choice": ["RX-1042", "RX-2231"]}},
                    "turns": [{"say": {"en": ["What's the status of {rx_id}?"]},
                               "expect": [{"tool": "check_prescription", "args": {"rx_id": "{rx_id}"}}]}]}]],
    )
    models: ModelsConfig | None = Field(
        None, description="which roles are played by a model instead of offline (flags override it)",
        examples=[{"assistant": {"model": "openai/gpt-4.1-mini"}}],
    )
    variants: list[str] | None = Field(
        None,
        description="files of generated `say` variants (relative to this file; `toolsim expand` writes them); "
                    "default: X.variants.yaml next to X.yaml when it exists; [] for none",
        examples=[["clinic.variants.yaml"], []],
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
