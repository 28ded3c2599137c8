"""The tool prompts of model families' chat templates (tool_prompts.yaml), rendered for a tool list.

Text formats (hermes, llama3) write what a model's template would render from the structured
conversation, so the words around the tools must be the template's own, to the byte: they live
in tool_prompts.yaml, copied from the published templates, and are assembled here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from simulator.core.data_files import read_data_yaml
from simulator.export.formats.base import tojson


@cache
def prompts() -> dict[str, dict[str, Any]]:
    return read_data_yaml(files("simulator.export.formats") / "tool_prompts.yaml")


def qwen25_tools_block(tools: list[dict[str, Any]]) -> str:
    """What Qwen2.5's template appends to the system prompt when it is given tools."""
    words = prompts()["qwen2.5"]
    return words["tools_header"] + "".join("\n" + tojson(tool) for tool in tools) + words["tools_footer"]


def llama31_system(system: str, tools: list[dict[str, Any]], date: str | None = None, tools_in_system: bool = False) -> str:
    """The content of Llama 3.1's system turn as its template writes it (the system prompt trimmed)."""
    words = prompts()["llama3.1"]
    text = words["environment"] if tools else ""
    text += words["knowledge"].format(date=date or words["default_date"])
    if tools and tools_in_system:
        text += words["tools_in_system"] + llama31_tool_list(tools)
    return text + system.strip()


def llama31_first_user(content: str, tools: list[dict[str, Any]]) -> str:
    """Llama 3.1's first user turn when the tools go in the user message (the template's default)."""
    return prompts()["llama3.1"]["tools_in_user"] + llama31_tool_list(tools) + content.strip()


def llama31_tool_list(tools: list[dict[str, Any]]) -> str:
    return "".join(tojson(tool, indent=4) + "\n\n" for tool in tools)


def hermes3_system_prompt(tools: list[dict[str, Any]]) -> str:
    """Hermes 3's function-calling system prompt: each tool one JSON line, its description led
    by a Python-style signature and an `Args:` list, as Hermes 3's tool_use template writes it."""
    words = prompts()["hermes3"]
    lines = [tojson({"type": "function", "function": _hermes_function(tool.get("function", tool))}) for tool in tools]
    return words["preamble"] + "\n".join(lines) + words["closing"]


def _hermes_function(function: dict[str, Any]) -> dict[str, Any]:
    properties = (function.get("parameters") or {}).get("properties") or {}
    signature = ", ".join(f"{name}: {python_type(spec)}" for name, spec in properties.items())
    description = f"{function['name']}({signature}) - {function.get('description', '')}\n\n"
    if properties:
        description += "    Args:\n" + "\n".join(
            f"        {name}({python_type(spec)}): {str(spec.get('description', '')).strip()}" for name, spec in properties.items()
        )
    parameters = function.get("parameters") if properties else {}
    return {"name": function["name"], "description": description, "parameters": parameters}


def python_type(spec: Any) -> str:
    """Hermes 3's `json_to_python_type`: a JSON-schema type as the Python type it names."""
    if not isinstance(spec, dict):
        return "Any"
    kind = spec.get("type")
    basic = prompts()["hermes3"]["python_types"]
    if isinstance(kind, str) and kind in basic:
        return basic[kind]
    if kind == "array":
        return f"list[{python_type(spec.get('items'))}]"
    if kind == "object":
        return f"dict[str, {python_type(spec['additionalProperties'])}]" if "additionalProperties" in spec else "dict"
    if isinstance(kind, list):
        return "Union[" + ",".join(python_type({"type": t}) for t in kind) + "]"
    return "Any"
