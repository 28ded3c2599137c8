"""A tool as a model sees it (`ToolSpec`), and `tools.yaml`, the file of schema-only tools."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from simulator.spec.base import Strict
from simulator.spec.service import HttpOperation, MCPBinding, Service
from simulator.spec.tool_errors import ToolErrorRule


class ToolSpec(Strict):
    """A tool exactly as the model sees it, plus what only toolsim reads: an optional `returns`
    schema for sims, and whether the tool changes state (`read_only`)."""

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
    read_only: bool | None = Field(
        None,
        description="true: the tool only reads (a lookup, a search); false: it changes state (books, sends, "
        "updates). Every tool must say which (the loader refuses a tool that does not); the judge "
        "tolerates an extra read, never an extra write, and checks the final state over what writes touch; "
        "`sim: live` makes a read-only call on the real service (one that writes needs `--allow-live-writes`); "
        "models never see it",
        examples=[True],
    )
    http: HttpOperation | None = Field(
        None, description="tools.yaml only: the HTTP operation a `sim: live` call makes (an `openapi` service)",
        examples=[{"method": "GET", "path": "/books/{isbn}", "params": {"isbn": {"in": "path"}}}],
    )
    mcp: MCPBinding | None = Field(
        None, description="tools.yaml only: the MCP server's tool a `sim: live` call makes, when its name differs",
        examples=[{"tool": "search-books"}],
    )
    compute: str | None = Field(
        None, description="a named computation (simulator.values.computed) that answers a schema-only tool "
        "with the true result: arithmetic, currency_conversion, date_add, translate, ...",
        examples=["currency_conversion"],
    )

    def openai_tool(self) -> dict[str, Any]:
        """The `tools` entry of the canonical record (no `returns` nor `read_only`: models never see them)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    @property
    def writes(self) -> bool:
        """Does a call change state? A tool that never said (a snapshot older than the
        declaration) counts as a write: an extra call of it is never waved through."""
        return self.read_only is not True

    @property
    def required(self) -> list[str]:
        return list(self.parameters.get("required", []))


class ToolsFile(Strict):
    """`tools.yaml`: schema-only tools served by the generic schema-driven sim (or, with `service:`,
    by the real service: see `simulator.spec.service`)."""

    service: Service | None = Field(
        None, description="where the tools really live, for `sim: live`: an OpenAPI-described HTTP API or an MCP "
                          "server (`toolsim new --from-openapi / --from-mcp` writes it)",
        examples=[{"kind": "openapi", "base_url": "https://api.bookshop.example/v1",
                   "auth": {"env": "BOOKSHOP_API_KEY", "in": "header", "name": "X-API-Key", "prefix": ""}}],
    )

    tools: list[ToolSpec] = Field(description="the tools, each as the model sees it plus what the sim needs",
                                  examples=[[{"name": "check_prescription", "description": "Check a prescription.",
                                              "parameters": {"type": "object", "properties": {"rx_id": {"type": "string"}},
                                                             "required": ["rx_id"]},
                                              "read_only": True}]])
