"""Scaffold a new pack from its tools: what `toolsim new` writes (and importers build on).

`scaffold_pack(name, tools, tools_ref, ...)` is the reusable step — tools in, pack files out: a
scenario file with one scenario per tool and one of each other category the tools allow, in
every language asked for (`scenarios.py`), a system prompt, empty `replies`/`ask` to fill in, and
(when asked) a tools.yaml and starter personas (`render.py`). `write_pack` writes the files into
a folder that does not have them yet, then validates the pack as `toolsim validate` does —
loading and rehearsing it — and leaves out any scenario that does not play (saying why), so what
it leaves behind validates and runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from simulator.author.scaffold.render import persona_files, scenario_file, system_prompt, tools_yaml
from simulator.author.scaffold.scenarios import ScenarioBuilder
from simulator.core.errors import InputError, Problem
from simulator.spec.toolkit import State, ToolSimModule
from simulator.spec.tools import ToolSpec

STARTER_TOOLS = Path(__file__).with_name("starter.tools.yaml")
_SCENARIO_INDEX = re.compile(r"^scenarios\[(\d+)\]")


@dataclass
class Scaffold:
    """A new pack before it is written: its parts, and `files()` to render them."""

    name: str
    tools: list[ToolSpec]
    tools_ref: str  # relative to scenarios/
    scenarios: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    languages: tuple[str, ...] = ("en", "zh")
    personas_ref: str = "../personas"
    extra: dict[str, str] = field(default_factory=dict)  # other files: a tools.yaml, personas
    prompt: str | None = None  # the system prompt, when the caller wrote it (an importer, from the API's words)
    domain_lines: str = ""  # more of `domain:` (an importer's `sim:` with how to go live)

    @property
    def scenario_path(self) -> str:
        return f"scenarios/{self.name}.yaml"

    def files(self) -> dict[str, str]:
        """Path relative to the pack's root -> text."""
        return {
            self.scenario_path: scenario_file(self.name, self.scenario_path, self.tools_ref, self.personas_ref,
                                              self.tools, self.scenarios, self.languages, self.notes,
                                              self.domain_lines),
            f"scenarios/{self.name}.system.md": self.prompt or system_prompt(self.name, self.tools),
            **self.extra,
        }

    def drop(self, index: int, why: str) -> None:
        dropped = self.scenarios.pop(index)
        self.notes.append(f"scenario {dropped['id']!r} was left out: {why}")


def scaffold_pack(name: str, tools: Sequence[ToolSpec], tools_ref: str, *, sims: ToolSimModule | None = None,
                  state: State | None = None, today: date | None = None, languages: Sequence[str] = ("en", "zh"),
                  tools_text: str | None = None, with_personas: bool = False) -> Scaffold:
    """A new pack for `tools`. `tools_ref` is how the scenario file names them (relative to
    `scenarios/`); `tools_text` is written there when given (a tools.yaml made from a schema or
    an API description). Python sims come with their `sims` and a seeded `state` to probe."""
    builder = ScenarioBuilder(list(tools), languages=tuple(languages), sims=sims, state=state, today=today)
    extra = {}
    if tools_text is not None:
        extra[f"scenarios/{tools_ref}"] = tools_text
    if with_personas:
        extra.update(persona_files())
    return Scaffold(name=name, tools=list(tools), tools_ref=tools_ref, scenarios=builder.build(),
                    notes=builder.notes, languages=tuple(languages), extra=extra)


def starter_tools() -> tuple[list[ToolSpec], str]:
    """The example tools of a pack started without tools, and the tools.yaml text they come from."""
    import yaml

    text = STARTER_TOOLS.read_text(encoding="utf-8")
    return [ToolSpec.model_validate(t) for t in yaml.safe_load(text)["tools"]], text


def write_pack(root: Path, scaffold: Scaffold, *, attempts: int = 3) -> list[Path]:
    """Write the pack under `root` (never over an existing file), validate it, and leave out the
    scenarios that do not play; returns the files written. If the pack cannot be made valid,
    the files written are removed again and the problems raised."""
    files = scaffold.files()
    taken = [path for path in files if (root / path).exists()]
    if taken:
        raise InputError([Problem(str(root / path), None, "already exists; nothing was written (pick another name)")
                          for path in taken])
    written = [root / path for path in files]
    made = [d for d in {(root / path).parent for path in files} if not d.exists()]  # folders this call makes
    try:
        for _ in range(attempts):
            for path, text in scaffold.files().items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text, encoding="utf-8")
            problems = _validate(root / scaffold.scenario_path)
            if not problems:
                return written
            droppable = {int(m.group(1)): p for p in problems if (m := _SCENARIO_INDEX.match(p.message))}
            if len(droppable) < len(problems) or len(droppable) >= len(scaffold.scenarios):
                raise InputError(problems)
            for index in sorted(droppable, reverse=True):
                scaffold.drop(index, droppable[index].message.split(": ", 1)[-1])
        raise InputError(_validate(root / scaffold.scenario_path))
    except BaseException:
        for path in written:  # only what this call wrote: the names were free before
            path.unlink(missing_ok=True)
        for folder in sorted(made, key=lambda d: -len(d.parts)):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise


def _validate(path: Path) -> list[Problem]:
    from simulator.author.rehearse import rehearse
    from simulator.load.loader import load_pack
    from simulator.plan.targets import check_mix

    try:
        pack = load_pack(path)
    except InputError as exc:
        return list(exc.problems)
    return check_mix(pack) or rehearse(pack)


__all__ = ["Scaffold", "scaffold_pack", "starter_tools", "tools_yaml", "write_pack"]
