"""`toolsim new NAME --from-mcp "COMMAND"` (stdio) or `--from-mcp URL` (streamable HTTP): an MCP
server's tools, listed with `tools/list` through the same source `sim: live` calls them with
(`simulator.simulate.live.mcp`, the official SDK).

Each listed tool (filtered by `--include` / `--exclude` on its name) becomes one: a valid, unique
function name (the server's own name kept in `mcp.tool` when it had to change), its description,
its `inputSchema` as `parameters` and its `outputSchema` (when it has one) as `returns` — `$ref`s
into `$defs` inlined, and the titles SDKs generate from property names (`"title": "Order Id"`)
dropped, since they only repeat the name. `readOnlyHint: true` makes a tool `read_only`. The
server becomes the tools file's `service:`: the command (run from the folder `toolsim new` was
run in) or the URL.
"""

from __future__ import annotations

import asyncio
import os
import shlex
from pathlib import Path
from typing import Any

from simulator.author.importers.imported import Imported
from simulator.author.importers.naming import Filter, Names, snake_case
from simulator.author.importers.openapi_schema import Inliner, RefError
from simulator.core.errors import InputError, Problem
from simulator.spec.service import ApiKeyAuth, MCPBinding, MCPService
from simulator.spec.tools import ToolSpec

SCHEMA_MAPS = ("properties", "$defs", "definitions")


def _untitled(schema: Any, name: str | None = None) -> Any:
    """The schema without generated titles (the top one, and a property's that repeats its name)."""
    if isinstance(schema, list):
        return [_untitled(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: _untitled(v, k) for k, v in value.items()}
        elif key == "title" and (name is None or str(value).lower().replace(" ", "_") == name.lower()):
            continue
        else:
            out[key] = _untitled(value) if isinstance(value, (dict, list)) else value
    return out


def self_contained(schema: Any, source: Path) -> Any:
    """`$ref`s inlined (and `$defs` dropped once nothing refers to them)."""
    if not isinstance(schema, dict):
        return schema
    inlined = Inliner(schema, source).inline(schema)
    if isinstance(inlined, dict):
        inlined.pop("$defs", None)
        inlined.pop("definitions", None)
    return inlined


def service_for(target: str, tools_folder: Path, api_key_env: str | None, env: list[str] | None = None) -> MCPService:
    """The `service:` of a server given as a URL or a command (run from the current folder)."""
    if target.startswith(("http://", "https://")):
        if env:
            raise InputError.single("--server-env", "goes with a server started by a command, not a URL")
        auth = ApiKeyAuth(env=api_key_env) if api_key_env else None
        return MCPService(kind="mcp", url=target, auth=auth)
    command = shlex.split(target)
    if not command:
        raise InputError.single("--from-mcp", "give the command that starts the server, or its URL")
    cwd = os.path.relpath(Path.cwd(), tools_folder.resolve())
    if api_key_env:
        raise InputError.single("--api-key-env", "a server started by a command takes its key from its environment: "
                                                 "--server-env VAR")
    return MCPService(kind="mcp", command=command, cwd=cwd, env=list(env or []))


async def list_tools(service: MCPService, folder: Path) -> tuple[list[dict[str, Any]], tuple[str, str]]:
    """The server's tools, and its name and instructions."""
    from simulator.simulate.live.mcp import MCPSource
    from simulator.simulate.live.registry import LiveFailure

    source = MCPSource(service, folder)
    try:
        return await source.list_tools(), source.about
    except LiveFailure as exc:
        raise InputError.single("--from-mcp", f"could not list the server's tools: {exc}") from None
    finally:
        await source.aclose()


def import_mcp(target: str, *, name: str, patterns: Filter, tools_folder: Path,
               api_key_env: str | None = None, server_env: list[str] | None = None) -> Imported:
    """The tools an MCP server lists. Raises `InputError` when it cannot be reached or nothing is left."""
    service = service_for(target, tools_folder, api_key_env, server_env)
    listed, (server, instructions) = asyncio.run(list_tools(service, tools_folder))
    names, tools, problems = Names(), [], []
    for tool in listed:
        server_name = str(tool.get("name", ""))
        wanted = snake_case(server_name)
        if not patterns.keeps([wanted, server_name]):
            continue
        where = Path(f"{server_name}.json")
        try:
            parameters = _untitled(self_contained(tool.get("inputSchema") or {"type": "object"}, where))
            output = _untitled(self_contained(tool.get("outputSchema"), where)) if tool.get("outputSchema") else None
        except RefError as exc:
            problems.append(Problem("--from-mcp", None, f"tool {server_name!r}: {exc}"))
            continue
        parameters.setdefault("properties", {})
        annotations = tool.get("annotations") or {}
        spec_name = names.unique(wanted, f"tool {server_name!r}")
        try:
            tools.append(ToolSpec(
                name=spec_name, description=str(tool.get("description") or tool.get("title") or server_name).strip(),
                parameters=parameters, returns=output if isinstance(output, dict) else None,
                read_only=annotations.get("readOnlyHint") is True,
                mcp=MCPBinding(tool=server_name) if spec_name != server_name else None,
            ))
        except ValueError as exc:
            problems.append(Problem("--from-mcp", None, f"tool {server_name!r} cannot be made a tool: {exc}"))
    problems += [Problem("--include", None, f"{p!r} matches no tool") for p in patterns.unused_includes()]
    if not tools and not problems:
        problems.append(Problem("--from-mcp", None, "the server lists no tool to import (check --include / --exclude)"))
    if problems:
        raise InputError(problems)
    notes = names.notes + [f"--exclude {p!r} matched no tool" for p in patterns.unused_excludes()]
    title = server or name.replace("_", " ")
    return Imported(title=title, about=instructions.strip(), tools=tools, service=service, source=target, notes=notes)
