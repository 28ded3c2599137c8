"""Llama 3.1 JSON tool calling written into plain `messages` (roles system, user, assistant, ipython).

The rows hold the text Llama 3.1's Hugging Face chat template renders from the structured
conversation, turn by turn, so a trainer that renders them with a plain Llama 3 template
(`<|start_header_id|>{role}<|end_header_id|>\\n\\n{content}<|eot_id|>`: TRL with Llama 3's
template, Axolotl's `llama3`, ...) trains on exactly the Llama 3.1 text (tested byte for byte):

- the system turn is the template's: `Environment: ipython` (when there are tools), the
  knowledge cut-off and `Today Date: 26 Jul 2024` (the template's default `date_string`; set
  `date_string` to change it), then the pack's system prompt;
- the tools go where the template puts them by default: at the head of the first user message
  (`Given the following functions, ...` and each tool as indented JSON), or in the system turn
  with `tools_in_user_message=False`;
- a call is the whole assistant turn: `{"name": "...", "parameters": {...}}` (arguments once, as
  an object); assistant text beside a call is dropped, as the template does
  (`assistant_text_dropped`);
- a result is an `ipython` turn holding what the template writes for it: Llama 3.1's template
  passes tool content through `tojson` (a string is iterable in Jinja), so a result reads as a
  JSON string literal — the same text the template gives the model at inference.

Llama 3.1 makes one call per turn (its template raises "This model only supports single
tool-calls at once!"), so a turn with several calls is split (default) into consecutive
single-call turns, each followed by its result (`parallel_calls_split`), or the record is
skipped with `parallel_calls="skip"` (`parallel_tool_calls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.export.formats.base import (
    Converter,
    SkipRecord,
    call_name,
    calls_of,
    check_choice,
    messages_of,
    parse_arguments,
    split_system,
    text_of,
    tojson,
    tool_specs,
)
from simulator.export.formats.registry import export_format
from simulator.export.formats.tool_prompts import llama31_first_user, llama31_system

RESULT_ROLE = "ipython"
PARALLEL = ("split", "skip")


def call_text(call: Mapping[str, Any]) -> str:
    """A call exactly as Llama 3.1's template writes it."""
    return '{"name": "' + call_name(call) + '", "parameters": ' + tojson(parse_arguments(call)) + "}"


@export_format()
class Llama3Converter(Converter):
    name = "llama3"

    def __init__(self, parallel_calls: str = "split", date_string: str | None = None, tools_in_user_message: bool = True) -> None:
        super().__init__()
        self.parallel_calls = check_choice("parallel_calls", parallel_calls, PARALLEL)
        self.date_string = date_string
        self.tools_in_user_message = tools_in_user_message

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        system, rest = split_system(messages_of(record))
        rest = self.apply_parallel_policy(rest, self.parallel_calls)
        tools = tool_specs(record)
        in_user = bool(tools) and self.tools_in_user_message
        system_text = llama31_system(system or "", tools, self.date_string, tools_in_system=not self.tools_in_user_message)
        messages = [{"role": "system", "content": system_text}]
        for index, message in enumerate(rest):
            converted = self._message(message)
            if index == 0 and in_user:
                if message["role"] != "user":
                    raise SkipRecord("no_first_user_message")
                converted["content"] = llama31_first_user(converted["content"], tools)
            messages.append(converted)
        return {"messages": messages}

    def _message(self, message: dict[str, Any]) -> dict[str, str]:
        if message["role"] == "tool":
            return {"role": RESULT_ROLE, "content": tojson(text_of(message))}
        calls = calls_of(message)
        if message["role"] == "user" or not calls:
            return {"role": message["role"], "content": text_of(message)}
        if text_of(message).strip():
            self.note("assistant_text_dropped")
        return {"role": "assistant", "content": call_text(calls[0])}
