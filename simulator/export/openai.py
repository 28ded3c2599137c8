"""The canonical record: OpenAI's chat fine-tuning format (`{"messages": [...], "tools": [...]}`).

Every other export format is converted from this record, so its rules live here once:
- the first message is the domain's system prompt, identical in every record (a system message
  recorded in the trace is replaced by it) — except that `{today}` / `{weekday}` in it are filled
  with the episode's simulated day: a model learns to resolve "tomorrow" only from prompts that
  say what today is;
- keys in the order `role`, `content`, `tool_calls`; `arguments` stays the JSON *string* the
  model produced; tool messages carry only `role`, `tool_call_id` and a string `content` (our
  `name` and `is_error` bookkeeping is not part of the format);
- an assistant message that only calls tools has no `content` key — OpenAI's fine-tuning examples
  write it that way and its schema makes `content` optional when `tool_calls` is given; when the
  assistant wrote text *and* called tools, both are kept;
- the stop token never leaves the simulator: user messages after the final assistant answer (the
  closing "thanks ###STOP###") are dropped and stray stop tokens are stripped, so a record ends
  with the assistant;
- `parallel_tool_calls` is a top-level key of a training example (next to `messages` and
  `tools`); it is written, as `true`, only in records where one assistant turn makes several calls.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from simulator.core.atomic import write_jsonl
from simulator.core.messages import (
    STOP_TOKEN,
    AssistantMessage,
    Message,
    SystemMessage,
    ToolMessage,
    UserMessage,
    strip_stop_token,
)
from simulator.core.records import Trace
from simulator.spec.pack import Domain
from simulator.words.relative_dates import fill_today


def _clean(text: str | None) -> str:
    if not text:
        return ""
    return strip_stop_token(text) if STOP_TOKEN in text else text


def _assistant(message: AssistantMessage) -> dict[str, Any]:
    record: dict[str, Any] = {"role": "assistant"}
    content = _clean(message.content)
    if content or not message.tool_calls:
        record["content"] = content
    if message.tool_calls:
        record["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    return record


def _convert(message: Message) -> dict[str, Any] | None:
    if isinstance(message, UserMessage):
        content = _clean(message.content)
        return {"role": "user", "content": content} if content else None
    if isinstance(message, AssistantMessage):
        return _assistant(message)
    if isinstance(message, ToolMessage):
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    return None  # system messages: the domain's prompt is used instead


def exported_messages(trace: Trace) -> list[Message]:
    """The part of a trace that becomes training data: everything up to and including the last
    assistant message, without system messages."""
    last = max((i for i, m in enumerate(trace.messages) if isinstance(m, AssistantMessage)), default=-1)
    return [m for m in trace.messages[: last + 1] if not isinstance(m, SystemMessage)]


def to_openai_record(trace: Trace, domain: Domain, today: date | None = None) -> dict[str, Any]:
    """One line of the OpenAI fine-tuning JSONL for a (judged, accepted) trace; `today` is the
    episode's simulated day (`Episode.today`), filled into the prompt."""
    prompt = domain.system_prompt if today is None else fill_today(domain.system_prompt, today)
    messages: list[dict[str, Any]] = [{"role": "system", "content": prompt}]
    parallel = False
    for message in exported_messages(trace):
        converted = _convert(message)
        if converted is not None:
            messages.append(converted)
        if isinstance(message, AssistantMessage) and len(message.tool_calls) > 1:
            parallel = True
    record: dict[str, Any] = {"messages": messages, "tools": domain.tool_list()}
    if parallel:
        record["parallel_tool_calls"] = True
    return record


__all__ = ["exported_messages", "to_openai_record", "write_jsonl"]
