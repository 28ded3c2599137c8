"""What every format converter shares: the skip-and-count contract and small record helpers.

Every format is converted from the canonical OpenAI record (a plain dict, see DESIGN.md
"Formats"). A converter either returns the converted dict or skips the record; a skip is never
silent: it raises `SkipRecord(reason)` internally and the reason is counted on the converter, so
the export report can say "llama3: 12 skipped (parallel_tool_calls)". Conversions that keep the
record but lose something (e.g. assistant text beside a tool call, which LLaMA-Factory and the
Llama 3.1 template cannot represent) are counted as `notes` the same way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

KNOWN_ROLES = ("system", "user", "assistant", "tool")
#: What a format does with an assistant turn that makes several calls at once: keep it, split it
#: into consecutive single-call turns each followed by its result, or skip the record.
PARALLEL_POLICIES = ("keep", "split", "skip")


class SkipRecord(Exception):
    """Raised inside a converter when a record cannot be represented in its format."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Converter:
    """Base of every format converter.

    `convert` returns the converted dict, or None when the record was skipped; the reason is
    counted in `skipped`. Converters are cheap, stateful only in their counters, so take a fresh
    one per export (`get_converter`) to get per-export counts.
    """

    name: ClassVar[str] = ""
    #: "record" for converters fed one canonical record, "pair" for (chosen, rejected) pairs,
    #: "trace" for (trace, record, pack, aliases) tuples giving a list of rows (bfcl).
    input_kind: ClassVar[str] = "record"

    def __init__(self) -> None:
        self.converted = 0
        self.skipped: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()
        self._pending_notes: Counter[str] = Counter()

    def convert(self, record: Any) -> dict[str, Any] | None:
        self._pending_notes = Counter()
        try:
            converted = self._convert(record)
        except SkipRecord as skip:
            self.skipped[skip.reason] += 1
            return None
        self.converted += 1
        self.notes.update(self._pending_notes)
        return converted

    def _convert(self, record: Any) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply_parallel_policy(self, messages: list[dict[str, Any]], policy: str) -> list[dict[str, Any]]:
        """`messages` with parallel calls kept, split (counted as the note `parallel_calls_split`)
        or the record skipped (`parallel_tool_calls`), as `policy` says."""
        if policy == "keep" or not any(len(calls_of(m)) > 1 for m in messages):
            return messages
        if policy == "skip":
            raise SkipRecord("parallel_tool_calls")
        self.note("parallel_calls_split")
        return split_parallel_calls(messages)

    def note(self, what: str) -> None:
        """Count a lossy but accepted conversion (kept only if the record is not skipped after all)."""
        self._pending_notes[what] += 1

    def extra_files(
        self, out_dir: str | Path, split_files: Mapping[str, str | Path] | Iterable[str | Path]
    ) -> list[Path]:
        """Files a format needs beside its split files (e.g. LLaMA-Factory's dataset_info.json)."""
        return []


def tojson(value: Any, indent: int | None = None) -> str:
    """JSON exactly as Hugging Face's `tojson` template filter writes it (no HTML escaping,
    non-ASCII kept, `", "` / `": "` separators), so text we pre-render matches what a chat
    template would render."""
    return json.dumps(value, ensure_ascii=False, indent=indent)


def messages_of(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        raise SkipRecord("no_messages")
    for message in messages:
        if not isinstance(message, Mapping) or message.get("role") not in KNOWN_ROLES:
            raise SkipRecord("unknown_role")
    return messages


def split_system(messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    """(system prompt or None, the other messages). A system message anywhere but first cannot
    be placed in the formats that keep the system prompt in its own field, so it skips."""
    system = None
    rest = messages
    if messages and messages[0]["role"] == "system":
        system = messages[0].get("content") or ""
        rest = messages[1:]
    if any(m["role"] == "system" for m in rest):
        raise SkipRecord("system_message_not_first")
    return system, rest


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{option} must be one of {', '.join(choices)}, not {value!r}")
    return value


def split_parallel_calls(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every assistant turn with several calls becomes consecutive single-call turns, each
    followed by its own result: `A(c1, c2) T(r1) T(r2)` → `A(c1) T(r1) A(c2) T(r2)`. That is how
    Llama 3.1 was trained (one call per turn; its template refuses more). Assistant text beside the
    calls stays on the first turn. A call whose result is missing skips the record
    (`parallel_results_missing`)."""
    out: list[dict[str, Any]] = []
    index = 0
    while index < len(messages):
        message = messages[index]
        calls = calls_of(message)
        if len(calls) <= 1:
            out.append(message)
            index += 1
            continue
        end = index + 1
        while end < len(messages) and messages[end]["role"] == "tool":
            end += 1
        results = {m.get("tool_call_id"): m for m in messages[index + 1 : end]}
        if len(results) != end - index - 1 or any(c.get("id") not in results for c in calls) or len(results) != len(calls):
            raise SkipRecord("parallel_results_missing")
        for position, call in enumerate(calls):
            turn = {k: v for k, v in message.items() if k not in ("content", "tool_calls")}
            if position == 0 and text_of(message):
                turn["content"] = message["content"]
            turn["tool_calls"] = [call]
            out.extend([turn, results[call.get("id")]])
        index = end
    return out


def tool_specs(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The record's tools as OpenAI-style `{"type": "function", "function": {...}}` dicts."""
    tools = record.get("tools") or []
    if isinstance(tools, str):  # already a JSON string (a converted record fed back in)
        tools = json.loads(tools) if tools.strip() else []
    return list(tools)


def bare_functions(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tools as bare `{"name", "description", "parameters"}` dicts, the shape
    LLaMA-Factory's `tools` column and its tool formatters read."""
    return [tool.get("function", tool) if tool.get("type") == "function" else tool for tool in tool_specs(record)]


def calls_of(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(message.get("tool_calls") or [])


def call_name(call: Mapping[str, Any]) -> str:
    return call.get("function", call).get("name", "")


def parse_arguments(call: Mapping[str, Any]) -> dict[str, Any]:
    """A call's arguments as a dict. Canonical arguments are a JSON *string* kept verbatim; text
    formats embed them as a JSON object, so a string that is not a JSON object cannot be
    represented and the record skips (`arguments_not_json_object`)."""
    raw = call.get("function", call).get("arguments", "{}")
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        raise SkipRecord("arguments_not_json_object") from None
    if not isinstance(value, dict):
        raise SkipRecord("arguments_not_json_object")
    return value


def call_object(call: Mapping[str, Any], arguments_key: str = "arguments") -> dict[str, Any]:
    """`{"name": ..., "arguments": {...}}` — the call as Hermes/Qwen and LLaMA-Factory write it
    (Llama 3.1 uses `arguments_key="parameters"`)."""
    return {"name": call_name(call), arguments_key: parse_arguments(call)}


def group_tool_results(messages: list[dict[str, Any]]) -> list[dict[str, Any] | list[dict[str, Any]]]:
    """The messages with each run of consecutive tool messages collapsed into one list, because
    the alternating formats (ShareGPT, Qwen/Hermes) put the results of parallel calls in one turn."""
    grouped: list[dict[str, Any] | list[dict[str, Any]]] = []
    for message in messages:
        if message["role"] == "tool" and grouped and isinstance(grouped[-1], list):
            grouped[-1].append(message)
        elif message["role"] == "tool":
            grouped.append([message])
        else:
            grouped.append(message)
    return grouped


def text_of(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    return content if isinstance(content, str) else ""
