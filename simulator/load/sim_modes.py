"""`domain.sim` (how each tool's calls are answered) and the live bindings of a tools file, checked.

A live call reaches a real service, so every way it could go wrong on purpose is bad input here,
before anything runs: a mode for a tool that does not exist, `live` for a tool with nowhere to
go (no `service:` in its tools file, no `http:` operation), `model` or `live` for a Python sim
(which answers from its own state), and above all `live` for a tool that may change the real
service — allowed only with `--allow-live-writes`. A binding is checked where it is written: an
argument mapped to the wire that is not a parameter, a `{name}` in the path no argument fills.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from typing import Any

from simulator.core.errors import Problem
from simulator.core.yaml_lines import Loc, YamlDocument, format_loc
from simulator.spec.domain import DomainConfig
from simulator.spec.service import HttpService
from simulator.spec.tools import ToolSpec

PATH_PARAM = re.compile(r"\{([^{}]+)\}")
PATTERN_CHARS = set("*?[")


def binding_problems(spec: ToolSpec) -> list[tuple[Loc, str]]:
    """(where under the tool, message) for each way the tool's `http:` operation cannot be made."""
    if spec.http is None:
        return []
    found: list[tuple[Loc, str]] = []
    properties = spec.parameters.get("properties", {})
    properties = properties if isinstance(properties, dict) else {}
    required = set(spec.required)
    wire_path = {param.name or arg for arg, param in spec.http.params.items() if param.place == "path"}
    for arg, param in spec.http.params.items():
        if arg not in properties:
            found.append((("http", "params", arg), f"{arg!r} is not a parameter of {spec.name}"))
        elif param.place == "path" and arg not in required:
            found.append((("http", "params", arg), f"path parameter {arg!r} must be required (the path needs it)"))
    for name in PATH_PARAM.findall(spec.http.path):
        if name not in wire_path:
            found.append((("http", "path"), f"{{{name}}} in the path is filled by no argument with `in: path`"))
    bodies = [arg for arg, p in spec.http.params.items() if p.place == "body_value"]
    if bodies and (len(bodies) > 1 or any(p.place == "body" for p in spec.http.params.values())):
        found.append((("http", "params"), "a `body_value` argument is the whole body: it cannot share it"))
    return found


def is_pattern(key: str) -> bool:
    return bool(PATTERN_CHARS & set(key))


def sim_modes(domain: DomainConfig, tools: dict[str, ToolSpec], python_tools: set[str],
              service: Any, doc: YamlDocument, *, allow_live_writes: bool) -> tuple[dict[str, str], list[Problem]]:
    """The explicit mode of each tool `domain.sim` names, and the problems of those choices."""
    if domain.sim is None:
        return {}, []
    problems: list[Problem] = []
    modes: dict[str, str] = {}
    where: dict[str, Loc] = {}
    if isinstance(domain.sim, str):
        for name in tools:
            modes[name], where[name] = domain.sim, ("domain", "sim")
    else:
        patterns = [(k, v) for k, v in domain.sim.items() if is_pattern(k)]
        for key, mode in domain.sim.items():
            loc: Loc = ("domain", "sim", key)
            matched = [n for n in tools if fnmatch.fnmatchcase(n, key)] if is_pattern(key) else (
                [key] if key in tools else [])
            if not matched:
                close = difflib.get_close_matches(key, list(tools), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (tools: {', '.join(sorted(tools))})"
                how = "matches" if is_pattern(key) else "named"
                problems.append(doc.problem(loc, f"{format_loc(loc)}: no tool {how} {key!r}{hint}"))
        for name in tools:
            if name in domain.sim:
                modes[name], where[name] = domain.sim[name], ("domain", "sim", name)
                continue
            for key, mode in patterns:
                if fnmatch.fnmatchcase(name, key):
                    modes[name], where[name] = mode, ("domain", "sim", key)
                    break
            else:  # a tool the mapping does not name stays offline (not the tool model's: say it to have it)
                modes[name], where[name] = "schema", ("domain", "sim")
    for name, mode in modes.items():
        message = _mode_problem(tools[name], mode, name in python_tools, service, allow_live_writes)
        if message:
            problems.append(doc.problem(where[name], f"{format_loc(where[name])}: {name}: {message}"))
    return modes, problems


def _mode_problem(spec: ToolSpec, mode: str, python: bool, service: Any, allow_live_writes: bool) -> str | None:
    if python and mode != "schema":
        return f"sim: {mode} is for tools of a tools.yaml; a Python sim answers from its own state (use schema)"
    if mode != "live":
        return None
    if service is None:
        return ("sim: live needs a `service:` in the tools file (where the real tools live); "
                "`toolsim new --from-openapi` or `--from-mcp` writes one")
    if isinstance(service, HttpService) and spec.http is None:
        return "sim: live needs the tool's `http:` operation in the tools file (method, path, where arguments go)"
    if not spec.read_only and not allow_live_writes:
        return ("a live call may change the real service (the tools file does not mark it `read_only: true`); "
                "pass --allow-live-writes to let it, or answer it with schema or model")
    return None
