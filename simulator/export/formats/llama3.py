"""Llama 3.1 JSON tool calling, written into plain `messages`.

A row is `{"messages": [{"role": ..., "content": ...}, ...]}`, roles `system`, `user`,
`assistant` and `ipython`, following Meta's Llama 3.1 prompt format and the Hugging Face
Llama 3.1 chat template:

- the tools go in the system message, in the template's "tools in system prompt" wording
  (`You have access to the following functions. ...` then each tool as indented JSON),
  followed by our system prompt — the same place LLaMA-Factory's llama3 tool format puts them;
- a tool call is the whole assistant content: `{"name": "...", "parameters": {...}}`;
- a tool result is a message of role `ipython` with the result as content.

Llama 3.1 supports one call per assistant turn (its template raises "This model only supports
single tool-calls at once!"), so a record with several calls in one turn is skipped and counted
(`parallel_tool_calls`). Assistant text beside a call is dropped, as the template does, and
counted as the note `assistant_text_dropped`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.export.formats.base import (
    Converter,
    SkipRecord,
    call_object,
    calls_of,
    messages_of,
    split_system,
    text_of,
    tojson,
    tool_specs,
)
from simulator.export.formats.registry import export_format

TOOLS_PREAMBLE = (
    "You have access to the following functions. To call a function, please respond with JSON for a function call."
    'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.'
    "Do not use variables.\n\n"
)
RESULT_ROLE = "ipython"


def tools_preamble(tools: list[dict[str, Any]]) -> str:
    return TOOLS_PREAMBLE + "".join(tojson(tool, indent=4) + "\n\n" for tool in tools)


@export_format()
class Llama3Converter(Converter):
    name = "llama3"

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        system, rest = split_system(messages_of(record))
        tools = tool_specs(record)
        messages = []
        if tools:
            system = tools_preamble(tools) + (system or "")
        if system is not None:
            messages.append({"role": "system", "content": system})
        messages.extend(self._message(message) for message in rest)
        return {"messages": messages}

    def _message(self, message: dict[str, Any]) -> dict[str, str]:
        if message["role"] == "tool":
            return {"role": RESULT_ROLE, "content": text_of(message)}
        calls = calls_of(message)
        if message["role"] == "user" or not calls:
            return {"role": message["role"], "content": text_of(message)}
        if len(calls) > 1:
            raise SkipRecord("parallel_tool_calls")
        if text_of(message).strip():
            self.note("assistant_text_dropped")
        return {"role": "assistant", "content": tojson(call_object(calls[0], arguments_key="parameters"))}
