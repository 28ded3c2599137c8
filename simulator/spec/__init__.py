"""Spec: what a user writes in YAML, as strict pydantic models, and what loading makes of it.

- the YAML schema, split by what it describes: `base` (strictness, per-language text,
  vocabularies), `tools`, `persona`, `scenario`, `domain`, `generation`, `models`,
  `scenario_file`;
- `pack`: a loaded, cross-checked scenario file (`Pack`, `Domain`), and `snapshot`, the copy of it
  a run directory keeps so later stages never need the scenario file again;
- `blueprint` (templates and expected calls), `validation` (JSON-Schema checks of tool specs and
  arguments), `toolkit` (the API tool sims are written against).

Every stage may import this package; it imports only `simulator.core` and `simulator.words`.
"""

from simulator.core.names import LANGUAGES
from simulator.spec.base import (
    CATEGORIES,
    HARD_CASES,
    Category,
    FakeKind,
    HardCase,
    Language,
    LocalizedText,
    Strict,
)
from simulator.spec.domain import DomainConfig, ErrorText, ToolLink
from simulator.spec.generation import (
    ChainsConfig,
    DedupeConfig,
    GenerationConfig,
    Mix,
    SplitConfig,
)
from simulator.spec.models import ModelsConfig, ModelSettings, ToolFormat
from simulator.spec.persona import Persona
from simulator.spec.scenario import (
    ExpectedCall,
    Scenario,
    SlotSpec,
    StateQuery,
    Turn,
    factor_problem,
)
from simulator.spec.scenario_file import ScenarioFile
from simulator.spec.tool_errors import ErrorCondition, ToolErrorRule
from simulator.spec.tools import ToolsFile, ToolSpec

__all__ = [
    "CATEGORIES", "HARD_CASES", "LANGUAGES", "Category", "ChainsConfig", "DedupeConfig", "DomainConfig", "ErrorText",
    "ErrorCondition", "ExpectedCall", "FakeKind", "GenerationConfig", "HardCase", "Language", "LocalizedText", "Mix",
    "ModelSettings", "ModelsConfig", "Persona", "Scenario", "ScenarioFile", "SlotSpec", "SplitConfig",
    "StateQuery", "Strict", "ToolErrorRule", "ToolFormat", "ToolLink", "ToolSpec", "ToolsFile", "Turn", "factor_problem",
]
