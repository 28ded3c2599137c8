"""Hermes-style tool calling written into plain `messages`: `{"messages": [{"role", "content"}...]}`.

Every content is a string, so the Arrow schema is the same for every row and any plain ChatML
template trains on the rows. Calls are `<tool_call>\\n{"name": ..., "arguments": {...}}\\n
</tool_call>` blocks in the assistant's text (arguments an object, written once); the results of
one round of calls are one message of `<tool_response>\\n...\\n</tool_response>` blocks joined
by `\\n` — wrapped once, here, so the template that renders the rows must not wrap them again.
Two styles, one per model family:

- `qwen2.5` (default): the text Qwen2.5's own chat template renders from the structured
  conversation. The tools are appended to the system prompt in the template's words
  (`\\n\\n# Tools\\n\\nYou may call one or more functions ...<tools>...</tools>...`), results go in
  a `user` turn (Qwen2.5 has no tool role: its template writes tool messages as a user turn of
  `<tool_response>` blocks), assistant text stays before its calls. Rendered with Qwen2.5's
  template (no `tools=`; it is a plain ChatML turn for these roles) or any ChatML template, the
  text is byte-identical to Qwen2.5's rendering of the original record (tested).
- `hermes3`: Hermes 3's tool-use format (NousResearch/Hermes-3-Llama-3.1-8B, its `tool_use` chat
  template and model card). A first system turn is the function-calling prompt — "You are a
  function calling AI model ..." with each tool as a JSON line inside `<tools> </tools>`, its
  description led by a Python-style signature and `Args:` as Hermes writes them, the
  `FunctionCall` pydantic schema and the `<tool_call>` instruction —, the pack's system prompt
  follows as its own system turn, results go in a `tool` turn, and assistant text beside calls
  is dropped as Hermes 3's template does (counted: `assistant_text_dropped`). Train it with a
  plain ChatML template (Hermes 3's `default` one), never its `tool_use` one, which would wrap
  the results a second time.

Arguments that are not a JSON object skip the record (`arguments_not_json_object`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.export.formats.base import (
    Converter,
    call_name,
    calls_of,
    check_choice,
    group_tool_results,
    messages_of,
    parse_arguments,
    split_system,
    text_of,
    tojson,
    tool_specs,
)
from simulator.export.formats.registry import export_format
from simulator.export.formats.tool_prompts import (
    hermes3_system_prompt,
    qwen25_tools_block,
)

STYLES = ("qwen2.5", "hermes3")
#: Qwen2.5's template uses this system prompt when a conversation has none.
QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."


def tool_call_block(call: Mapping[str, Any]) -> str:
    """One call exactly as Qwen2.5's and Hermes 3's templates write it."""
    return '<tool_call>\n{"name": "' + call_name(call) + '", "arguments": ' + tojson(parse_arguments(call)) + "}\n</tool_call>"


def tool_response_block(content: str) -> str:
    return "<tool_response>\n" + content + "\n</tool_response>"


@export_format()
class HermesConverter(Converter):
    name = "hermes"

    def __init__(self, style: str = "qwen2.5") -> None:
        super().__init__()
        self.style = check_choice("style", style, STYLES)

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        system, rest = split_system(messages_of(record))
        tools = tool_specs(record)
        messages = []
        if self.style == "qwen2.5":
            if tools:
                messages.append({"role": "system", "content": (system or QWEN_DEFAULT_SYSTEM) + qwen25_tools_block(tools)})
            elif system is not None:
                messages.append({"role": "system", "content": system})
        else:
            if tools:
                messages.append({"role": "system", "content": hermes3_system_prompt(tools)})
            if system:
                messages.append({"role": "system", "content": system})
        messages.extend(self._message(item) for item in group_tool_results(rest))
        return {"messages": messages}

    def _message(self, item: dict[str, Any] | list[dict[str, Any]]) -> dict[str, str]:
        if isinstance(item, list):
            role = "user" if self.style == "qwen2.5" else "tool"
            return {"role": role, "content": "\n".join(tool_response_block(text_of(m)) for m in item)}
        if item["role"] == "user" or not calls_of(item):
            return {"role": item["role"], "content": text_of(item)}
        parts = []
        if text_of(item):
            if self.style == "qwen2.5":
                parts.append(text_of(item))
            elif text_of(item).strip():
                self.note("assistant_text_dropped")
        parts.extend(tool_call_block(call) for call in calls_of(item))
        return {"role": "assistant", "content": "\n".join(parts)}
