"""A fake OpenAI-compatible chat completions server (`POST /v1/chat/completions`).

Reached through litellm with `openai/<model>` or `hosted_vllm/<model>` and
`api_base=server.base_url` (litellm appends `/chat/completions` to the base).

    with FakeOpenAIServer() as server:
        server.push(text("hello"), tool_calls(("lookup_order", {"order_id": "ORD-12345"})))
        ...
        assert server.calls == 2
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from tests.fakes.http_fake import FakeHTTPServer, Reply, Request, error_reply

__all__ = ["FakeOpenAIServer", "Reply", "Request", "error_reply", "text", "tool_calls", "completion_body"]

_ids = itertools.count(1)


def completion_body(
    content: str | None,
    calls: list[dict[str, Any]] | None = None,
    *,
    model: str = "fake-model",
    usage: tuple[int, int] = (12, 5),
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def text(content: str | None, **kw: Any) -> Reply:
    """A plain assistant reply."""
    return Reply(body=completion_body(content, **kw))


def tool_calls(*calls: tuple[str, Any], content: str | None = None, **kw: Any) -> Reply:
    """A reply with native tool calls. Arguments given as a dict are JSON-encoded; a string is
    sent verbatim (so a test can send malformed JSON)."""
    encoded = [
        {
            "id": f"call_{next(_ids)}",
            "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
        }
        for name, args in calls
    ]
    return Reply(body=completion_body(content, encoded, **kw))


class FakeOpenAIServer(FakeHTTPServer):
    path_suffixes = ("/chat/completions",)

    @property
    def base_url(self) -> str:
        """What to pass as `api_base`."""
        return f"{self.url}/v1"

    def default_reply(self, request: Request) -> Reply:
        return text("ok", model=str((request.body or {}).get("model", "fake-model")))


def main() -> None:
    """Serve in a separate process (benchmarks measure client CPU without the server's):
    prints the base URL on stdout, serves until stdin closes, then prints every request's
    arrival and answer times as one JSON line."""
    import argparse
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--responder", metavar="MODULE:FUNCTION", help="answer with this function of the request")
    args = parser.parse_args()
    with FakeOpenAIServer(latency=args.latency) as server:
        if args.responder:
            import importlib

            module, _, name = args.responder.partition(":")
            server.responder = getattr(importlib.import_module(module), name)
        print(server.base_url, flush=True)
        sys.stdin.read()
        print(json.dumps([(r.arrived, r.answered) for r in server.requests]), flush=True)


if __name__ == "__main__":
    main()
