"""What an importer gives the scaffolder: the tools (with their live bindings), the service they
live on, words about the API for the system prompt, and notes for the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.spec.tools import ToolSpec


@dataclass
class Imported:
    title: str  # the API's or server's name
    about: str  # what it is for, in its own words (the system prompt quotes it)
    tools: list[ToolSpec]
    service: Any  # simulator.spec.service.HttpService | MCPService | None
    source: str  # where the tools came from, as the user gave it
    notes: list[str] = field(default_factory=list)  # renamed tools, left-out operations, ...
