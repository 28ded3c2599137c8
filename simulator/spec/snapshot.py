"""The pack as a run directory keeps it (`pack.json`), so the later stages never need the scenario
file again.

A dataset line is built from the system prompt, the tool specs, the episode's today and — for the
judge, statistics, coverage and audit — the scenario it was played from. `toolsim run` writes all
of it once, when the run starts; `toolsim export`, `stats`, `audit` and `report` read it back
into a `Pack` whose tools have no sims (the Python tool sims are the one thing a later stage
never runs). That keeps a run readable from any directory, after the scenario file moved, changed
or was deleted, and makes the run directory the one thing to copy or archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from simulator.core.errors import InputError
from simulator.core.run_files import PACK
from simulator.core.rundir import RunDir
from simulator.spec.pack import Domain, Pack
from simulator.spec.persona import Persona
from simulator.spec.scenario import Scenario
from simulator.spec.scenario_file import ScenarioFile
from simulator.spec.service import Service
from simulator.spec.tools import ToolSpec

PACK_FILE = PACK  # one of the files a run directory owns (simulator.core.run_files)


class PackSnapshot(BaseModel):
    """Everything of a loaded pack except its Python sims: the scenario file as parsed, the
    system prompt as read from its file, every tool spec, every persona, and every scenario as
    played (hand-written, with merged variants, and generated chains)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    scenario_file: str
    file: ScenarioFile
    system_prompt: str
    tools: list[ToolSpec]
    tools_source: str = ""
    service: Service | None = None  # where live tools live (the key's variable name at most, never a key)
    sim_modes: dict[str, str] = {}
    personas: list[Persona]
    scenarios: list[Scenario]

    @classmethod
    def of(cls, pack: Pack) -> "PackSnapshot":
        return cls(
            scenario_file=str(pack.path),
            file=pack.file,
            system_prompt=pack.domain.system_prompt,
            tools=list(pack.domain.tools.values()),
            tools_source=pack.domain.tools_source,
            service=pack.domain.service,
            sim_modes=pack.domain.sim_modes,
            personas=[pack.personas[k] for k in sorted(pack.personas)],
            scenarios=list(pack.scenarios.values()),
        )

    def pack(self) -> Pack:
        domain = Domain(
            name=self.file.name,
            system_prompt=self.system_prompt,
            tools={t.name: t for t in self.tools},
            config=self.file.domain,
            sims=None,
            tools_source=self.tools_source,
            service=self.service,
            sim_modes=dict(self.sim_modes),
        )
        return Pack(
            path=Path(self.scenario_file),
            file=self.file,
            domain=domain,
            personas={p.id: p for p in self.personas},
            scenarios={s.id: s for s in self.scenarios},
        )


def snapshot_path(run: RunDir) -> Path:
    return run.path / PACK_FILE


def write_snapshot(run: RunDir, pack: Pack) -> None:
    """Record the pack in the run directory (atomically; the same pack gives the same bytes)."""
    run.write_text(PACK_FILE, PackSnapshot.of(pack).model_dump_json(by_alias=True, indent=1) + "\n")


def read_snapshot(run: RunDir) -> Pack:
    """The pack a run was made from, read from the run directory alone."""
    path = snapshot_path(run)
    if not path.is_file():
        raise InputError.single(
            str(run.path), f"the run has no {PACK_FILE} (it was made by an older toolsim); "
            "run its scenario file again with `toolsim run FILE --force` to make one"
        )
    try:
        return PackSnapshot.model_validate_json(path.read_bytes()).pack()
    except ValueError as exc:
        raise InputError.single(str(path), f"not a pack snapshot this toolsim can read: {str(exc).splitlines()[0]}") from None
