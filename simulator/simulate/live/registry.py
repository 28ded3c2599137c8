"""The tool sources, by the `kind` of a tools file's `service:`: `@tool_source("openapi")` and
`@tool_source("mcp")` put a `LiveSource` class in the registry that `sim: live` calls go through
(and that `toolsim new --from-mcp` lists tools with).

    from simulator.simulate.live import LiveFailure, LiveSource, tool_source

    @tool_source("openapi")
    class HttpSource(LiveSource):
        async def call(self, spec, args): ...      # the result, or raise LiveFailure

A source is made once per run (`LiveTools` owns it), so connections are reused across episodes;
it is closed when the run ends. A source never raises anything but `LiveFailure` from `call`: a
service that fails becomes an error result the model reads, never a crashed episode.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.core.registry import Registry
from simulator.spec.tools import ToolSpec


class LiveFailure(Exception):
    """A live call that did not give a result; its text is what the model reads as the tool's
    error. `cacheable` failures are the service's own answers (an unknown id, a refused request):
    a rerun would get them again, so they are cached like results. Outages are not."""

    def __init__(self, message: str, *, cacheable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.cacheable = cacheable
        self.status = status


class LiveSource:
    """Calls tools on one real service. Subclasses set `kind` (by `@tool_source`) and implement
    `call`; `identity` names the service in cache keys (never a secret); `list_tools` is for
    sources that can say what tools they have (an MCP server)."""

    kind: str = ""

    def __init__(self, service: Any, folder: Path | None = None) -> None:
        self.service = service
        self.folder = folder  # where relative paths of the service (an MCP command's cwd) start

    @property
    def identity(self) -> str:
        return self.kind

    @property
    def timeout(self) -> float:
        return float(getattr(self.service, "timeout", 10.0))

    async def call(self, spec: ToolSpec, args: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    async def list_tools(self) -> list[dict[str, Any]]:
        raise NotImplementedError(f"a {self.kind} source cannot list its tools")

    async def aclose(self) -> None:
        """Release connections and processes (called once, when the run ends)."""


SOURCES: Registry[type[LiveSource]] = Registry("tool source")


def tool_source(name: str) -> Callable[[type[LiveSource]], type[LiveSource]]:
    """Register a `LiveSource` class for the `service.kind` called `name`."""

    def register(cls: type[LiveSource]) -> type[LiveSource]:
        cls.kind = name
        return SOURCES.add(name, cls, cls.__module__)

    return register
