"""`sim: live`: tool calls answered by the real service a tools file names (`service:`).

- `registry`: `@tool_source(kind)`, `LiveSource` (what a source implements), `LiveFailure`;
- `http`: the `openapi` source (a REST API over aiohttp), `mcp`: the `mcp` source (the official
  MCP SDK's stdio and streamable HTTP clients); both imported on first use;
- `calls`: `LiveTools`, the run's live side (limits, the response cache, the record of answers),
  and `EpisodeLive`, what an episode's environment calls through.
"""

from simulator.simulate.live.registry import SOURCES, LiveFailure, LiveSource, tool_source

__all__ = ["SOURCES", "LiveFailure", "LiveSource", "tool_source"]
