"""A loaded, cross-checked scenario file: what the planner and simulator consume.

`simulator.loader.load_pack` builds it; after that nothing re-reads YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simulator.config import DomainConfig, Persona, Scenario, ScenarioFile, ToolSpec
from simulator.toolkit import ToolSimModule


@dataclass
class Domain:
    name: str
    system_prompt: str
    tools: dict[str, ToolSpec]
    config: DomainConfig
    sims: ToolSimModule | None = None  # None when every tool is schema-only
    tools_source: str = ""  # the module or tools.yaml the tools came from

    def tool_list(self) -> list[dict]:
        """The `tools` array of every exported record, in a stable order."""
        return [spec.openai_tool() for spec in self.tools.values()]


@dataclass
class Pack:
    path: Path
    file: ScenarioFile
    domain: Domain
    personas: dict[str, Persona]
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    persona_sources: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.file.name

    def personas_for(self, scenario: Scenario) -> list[Persona]:
        """Personas that can play a scenario: allowed by it and speaking one of its languages."""
        allowed = scenario.personas
        langs = scenario.languages
        return [
            p for pid, p in sorted(self.personas.items())
            if (allowed is None or pid in allowed) and p.language in langs
        ]
