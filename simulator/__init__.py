"""toolsim: simulate multi-turn tool-calling conversations and curate them into fine-tuning data.

What users write against, in one place (imported lazily: `import simulator` costs nothing):

- packs and runs: `load_pack(path)`, `run_pack(pack, out=..., n=...)`, `RunOptions`, `RunResult`,
  `Pack`, `read_snapshot(run_dir)` (the pack a run directory recorded);
- the tool-sim toolkit (`tool_sims/*.py`): `ToolSimModule` (`@sims.tool`, `@sims.state`,
  `@sims.check`), `SimContext`, `State`, `ToolError`, and `fakes` (seeded fake values);
- the records: `Trace` (with `Episode`), `Verdict`, and the message model (`UserMessage`,
  `AssistantMessage` with `ToolCall`s, `ToolMessage`, `SystemMessage`);
- extension points: `@check` with `JudgeContext` and `Skip` (judge rule checks), `@export_format`
  with `Converter` and `SkipRecord` (export formats); plugins in installed packages register
  through the `toolsim` entry-point group;
- testing: `ScriptedClient` and `tool_call` (a scripted model with the LLM client's interface).

The pipeline's stages are subpackages: core, words, spec, values, llm, load, plan, simulate,
judge, curate, export, run, review, author, cli (see ARCHITECTURE.md).
"""

from __future__ import annotations

import importlib
from typing import Any

from simulator.core.versions import TOOLSIM_VERSION as __version__

_PUBLIC: dict[str, str] = {
    "load_pack": "simulator.load",
    "run_pack": "simulator.run.api",
    "RunOptions": "simulator.run.runner",
    "RunResult": "simulator.run.state",
    "Pack": "simulator.spec.pack",
    "read_snapshot": "simulator.spec.snapshot",
    "ToolSimModule": "simulator.spec.toolkit",
    "SimContext": "simulator.spec.toolkit",
    "State": "simulator.spec.toolkit",
    "ToolError": "simulator.spec.toolkit",
    "AssistantMessage": "simulator.core.messages",
    "UserMessage": "simulator.core.messages",
    "ToolMessage": "simulator.core.messages",
    "SystemMessage": "simulator.core.messages",
    "ToolCall": "simulator.core.messages",
    "Episode": "simulator.core.records",
    "Trace": "simulator.core.records",
    "Verdict": "simulator.core.records",
    "read_yaml_data": "simulator.spec.toolkit",
    "check": "simulator.judge",
    "JudgeContext": "simulator.judge",
    "Skip": "simulator.judge",
    "export_format": "simulator.export.formats",
    "Converter": "simulator.export.formats",
    "SkipRecord": "simulator.export.formats",
    "ScriptedClient": "simulator.llm.scripted",
    "tool_call": "simulator.llm.scripted",
}
_MODULES: dict[str, str] = {"fakes": "simulator.values.fakes"}

__all__ = ["__version__", *_PUBLIC, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
