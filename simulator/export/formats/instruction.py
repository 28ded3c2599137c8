"""Instruction format: `{"instruction", "output", "system", "tools"}` for single-turn samples.

Instruction tuning (Alpaca-style) has one request and one answer, so only single-turn records
fit: an optional system message, exactly one user message, then the assistant's reply. Every
other record is skipped and counted (`multi_turn`, `no_user_message`, ...).

Single turns that use tools — user asks, assistant calls, tool answers, assistant replies — are
kept by default (`tool_calls="call"`) as *function-calling* instructions: the output is the call
the assistant made, written as chat formats write it — one `<tool_call>\n{"name": ...,
"arguments": {...}}\n</tool_call>` block per call, joined by `\n` (Hermes / Qwen2.5; the text
LLaMA-Factory's `qwen` template and Qwen2.5's own template render for that assistant turn). That
is the part of the turn a model has to learn to produce from the request; the tool result and the
final answer are not in the sample. Only one round of calls fits (`multi_step_tool_calls` otherwise). Pass
`tool_calls="skip"` to keep plain question/answer pairs only (`has_tool_calls`).

Besides the two named fields, every row carries `system` (the system prompt, "" if none) and
`tools` (a JSON string of the tool specs, "[]" if none): a call output is meaningless without
the tools it calls, and both are the `system`/`tools` columns of LLaMA-Factory's Alpaca format.
The export writes LLaMA-Factory's `dataset_info.json` for them (`formatting: alpaca`, one entry
per split, `toolsim_train` ...); with its `qwen` template a row trains on exactly the text
Qwen2.5's own template renders for that system prompt, tools, request and call (tested).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from simulator.export.formats.base import (
    Converter,
    SkipRecord,
    calls_of,
    messages_of,
    split_system,
    text_of,
    tojson,
    tool_specs,
)
from simulator.export.formats.hermes import tool_call_block
from simulator.export.formats.registry import export_format
from simulator.export.formats.sharegpt import write_dataset_info

TOOL_CALL_MODES = ("call", "skip")


@export_format()
class InstructionConverter(Converter):
    name = "instruction"

    def __init__(self, tool_calls: str = "call", dataset_prefix: str = "toolsim") -> None:
        super().__init__()
        self.dataset_prefix = dataset_prefix
        if tool_calls not in TOOL_CALL_MODES:
            raise ValueError(f"tool_calls must be one of {TOOL_CALL_MODES}, not {tool_calls!r}")
        self.tool_calls = tool_calls

    def _convert(self, record: Mapping[str, Any]) -> dict[str, Any]:
        system, rest = split_system(messages_of(record))
        users = [m for m in rest if m["role"] == "user"]
        if not users:
            raise SkipRecord("no_user_message")
        if len(users) > 1:
            raise SkipRecord("multi_turn")
        if rest[0]["role"] != "user" or len(rest) < 2:
            raise SkipRecord("not_request_then_reply")
        output = self._output(rest[1:])
        return {
            "instruction": text_of(rest[0]),
            "output": output,
            "system": system or "",
            "tools": tojson(tool_specs(record)),
        }

    def _output(self, replies: list[dict[str, Any]]) -> str:
        rounds = [m for m in replies if calls_of(m)]
        if not rounds:
            if len(replies) != 1 or not text_of(replies[0]).strip():
                raise SkipRecord("not_request_then_reply")
            return text_of(replies[0])
        if self.tool_calls == "skip":
            raise SkipRecord("has_tool_calls")
        if len(rounds) > 1:
            raise SkipRecord("multi_step_tool_calls")
        if replies[0] is not rounds[0]:
            raise SkipRecord("not_request_then_reply")
        if text_of(rounds[0]).strip():
            self.note("assistant_text_dropped")
        return "\n".join(tool_call_block(call) for call in calls_of(rounds[0]))

    def extra_files(
        self, out_dir: str | Path, split_files: Mapping[str, str | Path] | Iterable[str | Path]
    ) -> list[Path]:
        """LLaMA-Factory's `dataset_info.json` (Alpaca columns), one entry per split file."""
        return [write_dataset_info(out_dir, split_files, self.dataset_prefix, alpaca_entry)]


def alpaca_entry(file_name: str) -> dict[str, Any]:
    return {
        "file_name": file_name,
        "formatting": "alpaca",
        "columns": {"prompt": "instruction", "response": "output", "system": "system", "tools": "tools"},
    }
