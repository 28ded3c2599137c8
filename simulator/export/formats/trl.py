"""TRL / Axolotl conversational format: `messages` + `tools` columns.

TRL's dataset guide ("Tool Calling", docs/source/dataset_formats.md) shows a row as
`{"messages": [...], "tools": [json_schema, ...]}` with `arguments` as dicts, ready for
`tokenizer.apply_chat_template(messages, tools=tools)`. Stored like that, a `datasets`/Arrow
column is typed from its values: dict arguments whose keys differ across rows are merged into
one struct padded with nulls (datasets < 5), values of mixed types fail, and tool schemas with
different properties do the same. So a row here is

    {"messages": [...canonical OpenAI messages, `arguments` kept as JSON strings...],
     "tools": "<JSON string of the OpenAI tool specs>"}

which loads back through `datasets.load_dataset("json", ...)` unchanged: every argument is a
string, whatever its keys. Tool messages also get the `name` of the call they answer (as in
TRL's example), which some chat templates print.

Before rendering or training, turn a row back into what Hugging Face chat templates expect with
`to_chat_template_messages(row)` (arguments as dicts; null-padded keys from older `datasets`
dropped) and `to_chat_template_tools(row)` (the tool list), e.g.

    ds = ds.map(lambda row: {"messages": to_chat_template_messages(row)})  # then tools=...

Malformed argument strings (an error-recovery sample) are kept verbatim here; rendering them
raises, because a template cannot print a non-object as `arguments` faithfully.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from simulator.export.formats.base import (
    Converter,
    call_name,
    calls_of,
    messages_of,
    tojson,
    tool_specs,
)
from simulator.export.formats.registry import export_format

#: Keys that `datasets` < 5 fills with null in messages that never had them; never meaningful as null.
_OPTIONAL_KEYS = ("tool_calls", "tool_call_id", "name")


def trl_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Canonical messages with `name` added to tool messages (looked up from the call id) and
    any non-string `arguments` written as a JSON string, so the Arrow column stays a string."""
    names = {call.get("id"): call_name(call) for message in messages for call in calls_of(message)}
    converted = []
    for message in messages:
        message = copy.deepcopy(dict(message))
        for call in calls_of(message):
            function = call.get("function", call)
            if not isinstance(function.get("arguments", ""), str):
                function["arguments"] = tojson(function["arguments"])
        if message["role"] == "tool" and "name" not in message and message.get("tool_call_id") in names:
            message["name"] = names[message["tool_call_id"]]
        converted.append(message)
    return converted


def to_chat_template_messages(record: Mapping[str, Any] | list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Messages ready for `apply_chat_template`: `arguments` parsed into dicts (Qwen2.5's
    template would double-encode a string) and keys that are null only because Arrow padded
    them removed (Llama 3.1's template tests `'tool_calls' in message`). Accepts a TRL row, a
    canonical record or a bare message list. Raises ValueError on arguments that are not a
    JSON object."""
    messages = record if isinstance(record, list) else record["messages"]
    rendered = []
    for message in messages:
        message = {k: copy.deepcopy(v) for k, v in message.items() if not (k in _OPTIONAL_KEYS and v in (None, []))}
        for call in message.get("tool_calls", []):
            function = call.get("function", call)
            function["arguments"] = _arguments_dict(function.get("arguments", "{}"), call.get("id"))
        rendered.append(message)
    return rendered


def to_chat_template_tools(record: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The tool specs as a list for `apply_chat_template(tools=...)`, or None when there are
    none (templates such as Llama 3.1's test `tools is not none`)."""
    tools = tool_specs(record)
    return tools or None


def _arguments_dict(raw: Any, call_id: Any) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict):
        raise ValueError(f"arguments of tool call {call_id!r} are not a JSON object: {raw!r}")
    return value


@export_format()
class TRLConverter(Converter):
    name = "trl"

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {"messages": trl_messages(messages_of(record)), "tools": tojson(tool_specs(record))}
