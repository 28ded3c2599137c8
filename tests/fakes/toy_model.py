"""A toy 'model' behind the fake OpenAI server that can play every role of any pack, for
benchmarks and end-to-end tests of the scheduler: cheap to answer, deterministic, plausible enough
that some episodes are accepted and many are not (a weak model under a strict judge).

- **user** (no tools in the request): first says the first line of the hand-written script its
  system prompt carries, then the second line if there is one, then closes with `###STOP###`;
- **assistant** (tools in the request): after a tool result, sums it up; otherwise calls the first
  tool (by name) with exactly one required parameter, passing the first identifier the user
  said (`ORD-12345`, an e-mail address); with nothing to pass, answers in words;
- **judge** (`response_format` in the request): passes everything with full marks.

Replies are a function of the request alone (tool-call ids included), as a cached model's are.

    python -m tests.fakes.openai_server --latency 0.2 --responder tests.fakes.toy_model:respond
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tests.fakes.http_fake import Reply, Request
from tests.fakes.openai_server import completion_body, text

SCRIPT_LINE = re.compile(r"^\d+\.\s+(?:\(react to what the assistant told you\)\s*)?(.+)$", re.MULTILINE)
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,6}-\d{3,}(?![0-9])|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
STOP = "###STOP###"


def role_of(body: dict[str, Any]) -> str:
    if body.get("response_format"):
        return "judge"
    return "assistant" if body.get("tools") else "user"


def _judge(body: dict[str, Any]) -> Reply:
    schema = body["response_format"].get("json_schema", {}).get("schema", {})
    criteria = schema.get("properties", {}).get("scores", {}).get("properties", {})
    return text(json.dumps({"rationale": "Right tool, faithful arguments.", "pass": True,
                            "scores": {name: 5 for name in criteria}}))


def _user(messages: list[dict[str, Any]]) -> Reply:
    script = SCRIPT_LINE.findall(str(messages[0].get("content", ""))) if messages else []
    said = sum(1 for m in messages if m.get("role") == "assistant")  # role-flipped: its own lines
    if said < min(len(script), 2):
        return text(script[said].strip())
    return text(f"Thanks, that's all. {STOP}")


def _assistant(body: dict[str, Any]) -> Reply:
    messages = body["messages"]
    last = messages[-1]
    if last.get("role") == "tool":
        return text("Here is what I found: " + str(last.get("content"))[:80])
    said = " ".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    found = IDENTIFIER.findall(said)
    if found:
        for tool in sorted(body["tools"], key=lambda t: t["function"]["name"]):
            required = tool["function"].get("parameters", {}).get("required", [])
            if len(required) == 1:
                # the call's id from the conversation, not from a counter: the same request gets
                # the same reply whatever order requests arrive in
                call_id = "call_" + hashlib.sha256(json.dumps(messages).encode()).hexdigest()[:12]
                arguments = json.dumps({required[0]: found[-1]})
                call = {"id": call_id, "type": "function",
                        "function": {"name": tool["function"]["name"], "arguments": arguments}}
                return Reply(body=completion_body(None, [call]))
    return text("I can help with that. Could you tell me a little more?")


def respond(request: Request) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    role = role_of(body)
    if role == "judge":
        return _judge(body)
    if role == "assistant":
        return _assistant(body)
    return _user(body.get("messages", []))
