"""A loaded, cross-checked scenario file: what the planner and simulator consume.

`simulator.load.loader.load_pack` builds it; after that nothing re-reads YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.spec.domain import DomainConfig
from simulator.spec.generation import today_for
from simulator.spec.persona import Persona
from simulator.spec.scenario import Scenario
from simulator.spec.scenario_file import ScenarioFile
from simulator.spec.service import HttpService, MCPService
from simulator.spec.toolkit import ToolSimModule
from simulator.spec.tools import ToolSpec

if TYPE_CHECKING:
    from simulator.core.records import Episode, Trace


@dataclass
class Domain:
    name: str
    system_prompt: str
    tools: dict[str, ToolSpec]
    config: DomainConfig
    sims: ToolSimModule | None = None  # None when every tool is schema-only
    tools_source: str = ""  # the module or tools.yaml the tools came from
    service: HttpService | MCPService | None = None  # the tools file's `service:` (for `sim: live`)
    tools_dir: Path | None = None  # the tools file's folder (an MCP command's `cwd` is relative to it)
    sim_modes: dict[str, str] = field(default_factory=dict)  # tool -> mode, from `domain.sim` (explicit ones)

    def sim_mode(self, tool: str, *, tool_model: bool) -> str:
        """How a call of `tool` is answered: `domain.sim`'s choice, else the tool model when there
        is one (schema-only tools), else the offline sim."""
        mode = self.sim_modes.get(tool)
        if mode is not None:
            return mode
        return "model" if tool_model and not (self.sims and tool in self.sims.tools) else "schema"

    @property
    def live_tools(self) -> list[str]:
        return [name for name, mode in self.sim_modes.items() if mode == "live"]

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

    def today_of(self, episode: Episode | Trace) -> date:
        """The simulated day an episode (or its trace) plays on: the one the plan recorded, else
        (an episode built by hand) the one its seed and `generation.today` give."""
        # A trace's episode; `getattr` with a default would raise and catch an AttributeError
        # inside pydantic for every episode played.
        episode = episode.__dict__.get("episode", episode)
        return episode.today or today_for(episode.seed, self.file.generation.today)
