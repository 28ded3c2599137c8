"""A tool as a model sees it (`ToolSpec`), and `tools.yaml`, the file of schema-only tools."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from simulator.spec.base import Strict
from simulator.spec.tool_errors import ToolErrorRule


class ToolSpec(Strict):
    """A tool exactly as the model sees it (plus an optional `returns` schema for sims)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
    description: str
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    returns: dict[str, Any] | None = None
    errors: list[ToolErrorRule] = Field(
        default_factory=list,
        description="tools.yaml only: when the call is refused with an error instead of a result "
                    "(conditions on the arguments or the episode's facts); models never see it",
    )

    def openai_tool(self) -> dict[str, Any]:
        """The `tools` entry of the canonical record (no `returns`: models never see it)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    @property
    def required(self) -> list[str]:
        return list(self.parameters.get("required", []))


class ToolsFile(Strict):
    """`tools.yaml`: schema-only tools served by the generic schema-driven sim."""

    tools: list[ToolSpec]
