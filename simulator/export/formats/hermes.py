"""Hermes / Qwen2.5 text format: tool calls and results written into plain `messages`.

A row is `{"messages": [{"role": ..., "content": ...}, ...]}` with only string contents, so any
plain ChatML template trains on it and the Arrow schema is the same for every row. The text
follows Qwen2.5's chat template (which Hermes 2 Pro introduced and Qwen adopted):

- the system message gets the tools appended, exactly as Qwen2.5's template writes them:
  `\\n\\n# Tools\\n\\nYou may call one or more functions ... <tools>\\n{tool}\\n...</tools> ...`;
  the tools live in the system prompt, not in a column, so nothing renders them twice;
- an assistant turn with calls is its text (if any) then one block per call, joined by `\\n`:
  `<tool_call>\\n{"name": "...", "arguments": {...}}\\n</tool_call>`;
- the results of one round of calls are one message whose content is one
  `<tool_response>\\n...\\n</tool_response>` block per result, joined by `\\n`.

Which role carries the results is the one real difference between the two conventions:
Hermes 2 Pro / Hermes 3 use a ChatML `tool` role (`tool_role="tool"`, the default); Qwen2.5's
template renders results inside a `user` turn (`tool_role="user"`), and with that choice the
text is byte-identical to what Qwen2.5's own template renders from the structured record.
Arguments that are not a JSON object skip the record (`arguments_not_json_object`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.export.formats.base import (
    Converter,
    call_object,
    calls_of,
    group_tool_results,
    messages_of,
    split_system,
    text_of,
    tojson,
    tool_specs,
)
from simulator.export.formats.registry import export_format

TOOLS_HEADER = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
TOOLS_FOOTER = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments "
    "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
)
TOOL_ROLES = ("tool", "user")


def tools_block(tools: list[dict[str, Any]]) -> str:
    return TOOLS_HEADER + "".join("\n" + tojson(tool) for tool in tools) + TOOLS_FOOTER


def tool_call_block(call: Mapping[str, Any]) -> str:
    return "<tool_call>\n" + tojson(call_object(call)) + "\n</tool_call>"


def tool_response_block(content: str) -> str:
    return "<tool_response>\n" + content + "\n</tool_response>"


@export_format()
class HermesConverter(Converter):
    name = "hermes"

    def __init__(self, tool_role: str = "tool") -> None:
        super().__init__()
        if tool_role not in TOOL_ROLES:
            raise ValueError(f"tool_role must be one of {TOOL_ROLES}, not {tool_role!r}")
        self.tool_role = tool_role

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        system, rest = split_system(messages_of(record))
        tools = tool_specs(record)
        messages = []
        if tools:
            system = (system + "\n\n" if system else "") + tools_block(tools)
        if system is not None:
            messages.append({"role": "system", "content": system})
        messages.extend(self._message(item) for item in group_tool_results(rest))
        return {"messages": messages}

    def _message(self, item: dict[str, Any] | list[dict[str, Any]]) -> dict[str, str]:
        if isinstance(item, list):
            return {"role": self.tool_role, "content": "\n".join(tool_response_block(text_of(m)) for m in item)}
        if item["role"] == "user":
            return {"role": "user", "content": text_of(item)}
        parts = [text_of(item)] if text_of(item) else []
        parts.extend(tool_call_block(call) for call in calls_of(item))
        return {"role": "assistant", "content": "\n".join(parts)}
