"""TRL / Axolotl conversational format: `messages` + `tools`, exactly as chat templates take them.

TRL's dataset guide ("Tool Calling", docs/source/dataset_formats.md) shows a row as
`{"messages": [...], "tools": [json_schema, ...]}` with `arguments` as *objects*, and
`SFTTrainer` / `DPOTrainer` hand both columns straight to
`tokenizer.apply_chat_template(messages, tools=tools)`. So a row here is

    {"messages": [...canonical messages, each call's `arguments` an object...],
     "tools": [...the OpenAI tool specs, as a list...]}

- Arguments are objects because every tool-calling template writes them with `| tojson`
  (Qwen2.5, Llama 3.1, Hermes 3): a JSON *string* there is encoded a second time and the model
  would learn `"arguments": "{\\"order_id\\": ...}"`. A call whose arguments are not a JSON
  object cannot be rendered once, so its record is skipped (`arguments_not_json_object`).
- `tools` is a list, not a JSON string: TRL 0.24 passes the column as it is and transformers
  refuses a string ("Tools should either be a JSON schema, or a callable").
- A message carries only the keys it has (no null `tool_calls`: Llama 3.1's template tests
  `'tool_calls' in message`), except that a call-only assistant turn gets `"content": ""`: TRL
  0.24 takes a list of messages for a conversation only if its first message has a `content`
  key, and a DPO completion starts with that turn; templates render "" as no text. Tool messages
  get the `name` of the call they answer, as in TRL's example.
- `parallel_calls`: `keep` (default; Qwen2.5 and Hermes take several calls in one turn),
  `split` (consecutive single-call turns, each followed by its result — what Llama 3.1's
  template needs: it raises on more than one call per turn) or `skip`.

Loading: `datasets` ≥ 4.7 types columns of mixed objects as `Json` and gives every row back
unchanged. Older `datasets` (4.0–4.6, e.g. LLaMA-Factory's pin) merge objects into one Arrow
struct: keys missing in a row come back as null and date-like strings as timestamps, so the
structure does not survive there — use `sharegpt` (all strings) with those versions.

`to_chat_template_messages(row)` still turns a canonical record (string arguments) or an
Arrow-padded row into template-ready messages, for code that renders records itself.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from simulator.export.formats.base import (
    PARALLEL_POLICIES,
    Converter,
    SkipRecord,
    call_name,
    calls_of,
    check_choice,
    messages_of,
    parse_arguments,
    tool_specs,
)
from simulator.export.formats.registry import export_format

#: Keys that `datasets` < 4.7 fills with null in messages that never had them; never meaningful as null.
_OPTIONAL_KEYS = ("tool_calls", "tool_call_id", "name", "content")


def trl_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Canonical messages as chat templates take them: every call's `arguments` parsed into an
    object (SkipRecord `arguments_not_json_object` otherwise) and `name` added to tool messages
    (looked up from the call id)."""
    names = {call.get("id"): call_name(call) for message in messages for call in calls_of(message)}
    converted = []
    for message in messages:
        message = copy.deepcopy(dict(message))
        for call in calls_of(message):
            function = call.get("function", call)
            function["arguments"] = parse_arguments(call)
        if calls_of(message) and "content" not in message:
            message = {"role": message["role"], "content": "", **message}
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

    def __init__(self, parallel_calls: str = "keep") -> None:
        super().__init__()
        self.parallel_calls = check_choice("parallel_calls", parallel_calls, PARALLEL_POLICIES)

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        messages = self.apply_parallel_policy(messages_of(record), self.parallel_calls)
        return {"messages": trl_messages(messages), "tools": tool_specs(record)}


__all__ = ["SkipRecord", "TRLConverter", "to_chat_template_messages", "to_chat_template_tools", "trl_messages"]
