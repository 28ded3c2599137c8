"""A source for a service: toolsim's own (`http`, `mcp`) registered on import, plugins' through
the `toolsim` entry points (`simulator.core.registry`). The SDKs those sources use are imported
when they first connect, not here: the MCP SDK alone costs most of a second."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.simulate.live import http, mcp  # noqa: F401 - their decorators register them
from simulator.simulate.live.registry import SOURCES, LiveSource


def source_for(service: Any, folder: Path | None = None) -> LiveSource:
    """A new source for a tools file's `service:`."""
    cls = SOURCES.get(service.kind)
    if cls is None:
        raise ValueError(f"no tool source for kind {service.kind!r}; known: {', '.join(SOURCES.names())}")
    return cls(service, folder)
