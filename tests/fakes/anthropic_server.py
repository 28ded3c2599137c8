"""A fake Anthropic Messages API server (`POST /v1/messages`).

Reached through litellm with `anthropic/<model>` and `api_base=server.url`: litellm appends
`/v1/messages` to a custom base unless it already ends with it (so a base ending in `/v1` would
become `/v1/v1/messages` — give the bare host).
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.fakes.http_fake import FakeHTTPServer, Reply, Request, error_reply

__all__ = ["FakeAnthropicServer", "Reply", "Request", "error_reply", "text", "tool_use", "message_body"]

_ids = itertools.count(1)


def message_body(
    blocks: list[dict[str, Any]], *, model: str = "claude-fake", usage: tuple[int, int] = (20, 7)
) -> dict[str, Any]:
    uses_tool = any(b.get("type") == "tool_use" for b in blocks)
    return {
        "id": f"msg_{next(_ids)}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": "tool_use" if uses_tool else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
    }


def text(content: str, **kw: Any) -> Reply:
    return Reply(body=message_body([{"type": "text", "text": content}], **kw))


def tool_use(*calls: tuple[str, dict[str, Any]], content: str | None = None, **kw: Any) -> Reply:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": content}] if content else []
    blocks += [{"type": "tool_use", "id": f"toolu_{next(_ids)}", "name": n, "input": a} for n, a in calls]
    return Reply(body=message_body(blocks, **kw))


class FakeAnthropicServer(FakeHTTPServer):
    path_suffixes = ("/v1/messages",)

    def default_reply(self, request: Request) -> Reply:
        return text("ok")
