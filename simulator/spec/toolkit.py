"""The small API tool-sim authors write against (`tool_sims/*.py`).

A sim module creates one `ToolSimModule`, registers a state seeder and its tools:

    sims = ToolSimModule("customer_support")

    @sims.state
    def seed_state(rng: random.Random, today: date) -> dict[str, list[dict]]: ...

    @sims.tool(description="...", parameters={...}, returns={...}, read_only=True)
    def lookup_order(ctx: SimContext, order_id: str | None = None) -> dict: ...

Every tool says whether it changes the state (`read_only=True` for a lookup, `False` for a
refund or a booking); the loader refuses one that does not. The judge reads it: an extra read is
harmless, an extra write is not, and the final-state check compares what the writes touched.

A sim raises `ToolError` for a business-rule failure the model should see; any other exception is
a bug and surfaces as a real error. Arguments reach the sim already validated against the schema.
"""

from __future__ import annotations

import inspect
import os
import random
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from simulator.spec.tools import ToolSpec

__all__ = ["RegisteredTool", "SimContext", "SimFunction", "State", "StateSeeder", "ToolError", "ToolSimModule",
           "read_yaml_data"]

State = dict[str, list[dict[str, Any]]]
StateSeeder = Callable[[random.Random, date], State]
SimFunction = Callable[..., Any]


class ToolError(Exception):
    """A realistic failure returned to the model as `{"error": message}`."""


@dataclass
class SimContext:
    """What a sim sees: the episode's mutable state, a seeded rng and the episode's 'today'."""

    state: State
    rng: random.Random
    today: date
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, prefix: str, start: int | None = None) -> str:
        """Deterministic ids, sequential within an episode from a start drawn per episode
        (RF-48213, RF-48214, ...): a constant RF-1001 in every record would let a model say the id
        without reading the result. `start` fixes the first number instead (then start + 1)."""
        n = self.counters.get(prefix)
        if n is None:
            n = start if start is not None else self.rng.randrange(10_000, 99_000)
        n += 1
        self.counters[prefix] = n
        return f"{prefix}-{n}"


@dataclass
class RegisteredTool:
    spec: ToolSpec
    fn: SimFunction
    source: str
    line: int


class ToolSimModule:
    """A registry of stateful tool sims for one domain."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tools: dict[str, RegisteredTool] = {}
        self.seeder: StateSeeder | None = None
        self.duplicates: list[RegisteredTool] = []  # tools replaced by a later same-name registration
        self.checks: dict[str, Callable[[Any], Any]] = {}  # this pack's own judge checks, by name
        caller = sys._getframe(1)
        self.defined_line: int | None = caller.f_lineno if caller else None  # for load problems

    def state(self, fn: StateSeeder) -> StateSeeder:
        self.seeder = fn
        return fn

    def tool(
        self,
        *,
        description: str,
        parameters: dict[str, Any],
        returns: dict[str, Any] | None = None,
        name: str | None = None,
        read_only: bool | None = None,
    ) -> Callable[[SimFunction], SimFunction]:
        """Register a sim. `read_only`: True when the tool only reads, False when it changes
        state; required (None is reported by the loader, at the decorator's line)."""

        def register(fn: SimFunction) -> SimFunction:
            tool_name = name or fn.__name__
            spec = ToolSpec.model_construct(
                name=tool_name, description=description, parameters=parameters, returns=returns,
                read_only=read_only,
            )
            try:
                source = inspect.getsourcefile(fn) or "<unknown>"
                line = inspect.getsourcelines(fn)[1]
            except (OSError, TypeError):
                source, line = "<unknown>", 0
            if tool_name in self.tools:
                self.duplicates.append(self.tools[tool_name])
            self.tools[tool_name] = RegisteredTool(spec=spec, fn=fn, source=source, line=line)
            return fn

        return register

    def check(self, name: str | None = None) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        """Register a judge rule check for this pack only: a function of a
        `simulator.judge.JudgeContext` returning its problems (see `simulator.judge.checks`).
        It runs after toolsim's own checks and is named in every verdict of the pack's runs."""

        def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
            self.checks[name or fn.__name__] = fn
            return fn

        return register

    def seed_state(self, rng: random.Random, today: date) -> State:
        return self.seeder(rng, today) if self.seeder else {}


def read_yaml_data(path: str | os.PathLike[str]) -> Any:
    """Read a YAML data file a sim module keeps beside it (`read_yaml_data(Path(__file__).with_name(
    "kb.yaml"))`) with toolsim's checks: a mistake in it is reported at that file's `file:line`
    (plain `yaml.safe_load` of its text would be blamed on the importing line of the module), and
    the file is size-limited like every input (see `simulator.core.files`)."""
    from simulator.core.errors import InputError
    from simulator.core.yaml_lines import display_path, read_yaml

    doc = read_yaml(Path(path), display_path(Path(path)))
    if doc.problems:
        raise InputError(doc.problems)
    return doc.value
