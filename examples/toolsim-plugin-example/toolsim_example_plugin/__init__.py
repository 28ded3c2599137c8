"""An example toolsim plugin: a judge check and an export format, registered by decorators when
toolsim imports this module through the `toolsim` entry point."""

from __future__ import annotations

from typing import Any

from simulator import AssistantMessage, Converter, JudgeContext, SkipRecord, check, export_format

MAX_REPLY = 800


@check("reply_length")
def reply_length(ctx: JudgeContext) -> list[str]:
    """No assistant reply over MAX_REPLY characters."""
    return [
        f"assistant message {i} has {len(m.content)} characters (at most {MAX_REPLY})"
        for i, m in enumerate(ctx.trace.messages)
        if isinstance(m, AssistantMessage) and m.content and len(m.content) > MAX_REPLY
    ]


@export_format("transcript")
class TranscriptConverter(Converter):
    """`{"text": "user: ...\\nassistant: ..."}` — for reading, not for training."""

    def _convert(self, record: Any) -> dict[str, Any]:
        lines = []
        for message in record.get("messages") or []:
            role = message.get("role")
            if role == "system":
                continue
            if message.get("tool_calls"):
                calls = ", ".join(f"{c['function']['name']}({c['function']['arguments']})" for c in message["tool_calls"])
                lines.append(f"{role}: calls {calls}")
            if message.get("content"):
                lines.append(f"{role}: {message['content']}")
        if not lines:
            raise SkipRecord("empty")
        return {"text": "\n".join(lines)}
