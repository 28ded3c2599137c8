"""A tool as a model sees it (`ToolSpec`), and `tools.yaml`, the file of schema-only tools."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from simulator.spec.base import Strict
from simulator.spec.tool_errors import ToolErrorRule


class ToolSpec(Strict):
    """A tool exactly as the model sees it (plus an optional `returns` schema for sims)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$", description="the function name the model calls",
                      examples=["refill_prescription"])
    description: str = Field(description="what the tool does, as the model reads it",
                             examples=["Ask the pharmacy to refill a prescription."])
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="a JSON Schema of type object: the arguments (calls are validated against it)",
        examples=[{"type": "object", "properties": {"rx_id": {"type": "string", "pattern": "^RX-[0-9]{4}$"}},
                   "required": ["rx_id"], "additionalProperties": False}],
    )
    returns: dict[str, Any] | None = Field(
        None, description="a JSON Schema of the result: the schema sim answers schema-only tools from it (fields "
                          "named like an argument or a slot say that value); models never see it",
        examples=[{"type": "object", "properties": {"rx_id": {"type": "string"},
                                                    "medication": {"enum": ["lisinopril", "metformin"]}},
                   "required": ["rx_id", "medication"]}],
    )
    errors: list[ToolErrorRule] = Field(
        default_factory=list,
        description="tools.yaml only: when the call is refused with an error instead of a result "
                    "(conditions on the arguments or the episode's facts); models never see it",
        examples=[[{"when": {"facts": {"rx_state": "expired"}}, "error": "Prescription {rx_id} has expired"}]],
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

    tools: list[ToolSpec] = Field(description="the tools, each as the model sees it plus what the sim needs",
                                  examples=[[{"name": "check_prescription", "description": "Check a prescription.",
                                              "parameters": {"type": "object", "properties": {"rx_id": {"type": "string"}},
                                                             "required": ["rx_id"]}}]])
