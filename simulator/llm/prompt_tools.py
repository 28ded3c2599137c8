"""Tool calling for models without a native tool API: tools in the system prompt, calls as
`<tool_call>{"name": ..., "arguments": {...}}</tool_call>` blocks in the reply (the Hermes/Qwen
convention most open models were trained on), results as `<tool_response>` blocks.

Both directions stay inside our message model: a conversation is rewritten into plain
system/user/assistant text before the client converts it to provider shape, and a reply's text
is parsed back into `ToolCall`s. So traces look the same whichever format the model used.
A block that is not valid JSON still becomes a `ToolCall` (arguments kept verbatim): the tool
environment answers it with an error, which is how a model gets its chance to recover.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from simulator.core.messages import (
    AssistantMessage,
    Message,
    SystemMessage,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from simulator.llm.templates import fill, load_prompt
from simulator.spec import ToolSpec

_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.DOTALL)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_NAME = re.compile(r'"name"\s*:\s*"([^"]*)"')
_ARGS = re.compile(r'"(?:arguments|parameters)"\s*:\s*(.*?)\s*\}?\s*$', re.DOTALL)


def tools_block(tools: Sequence[ToolSpec]) -> str:
    """The tools section appended to the system prompt."""
    listing = "\n".join(
        json.dumps({"name": t.name, "description": t.description, "parameters": t.parameters}, ensure_ascii=False)
        for t in tools
    )
    return fill(load_prompt("simulator.llm", "prompt_tools.md"), tools=listing).strip()


def _call_block(call: ToolCall) -> str:
    parsed = call.parsed_arguments()
    payload = {"name": call.name, "arguments": parsed if parsed is not None else call.arguments}
    return f"<tool_call>\n{json.dumps(payload, ensure_ascii=False)}\n</tool_call>"


def _response_block(message: ToolMessage) -> str:
    try:
        content: Any = json.loads(message.content)
    except ValueError:
        content = message.content
    payload = {"name": message.name, "content": content}
    return f"<tool_response>\n{json.dumps(payload, ensure_ascii=False)}\n</tool_response>"


def to_prompt_messages(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> list[Message]:
    """Rewrite a conversation with tool calls/results into plain text turns."""
    block = tools_block(tools)
    out: list[Message] = []
    if not messages or not isinstance(messages[0], SystemMessage):
        out.append(SystemMessage(content=block))
    for message in messages:
        if isinstance(message, SystemMessage) and not out:
            out.append(SystemMessage(content=f"{message.content}\n\n{block}"))
        elif isinstance(message, AssistantMessage) and message.tool_calls:
            parts = [message.content] if message.content else []
            parts += [_call_block(c) for c in message.tool_calls]
            out.append(AssistantMessage(content="\n".join(parts)))
        elif isinstance(message, ToolMessage):
            out.append(UserMessage(content=_response_block(message)))
        else:
            out.append(message)
    return _merge_user_turns(out)


def _merge_user_turns(messages: list[Message]) -> list[Message]:
    """Several tool results (and a user message after them) become one user turn: many chat
    templates reject two user turns in a row."""
    merged: list[Message] = []
    for message in messages:
        if merged and isinstance(message, UserMessage) and isinstance(merged[-1], UserMessage):
            merged[-1] = UserMessage(content=f"{merged[-1].content}\n{message.content}")
        else:
            merged.append(message)
    return merged


def _parse_block(body: str, call_id: str) -> ToolCall:
    body = _FENCE.sub("", body.strip())
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        args = value.get("arguments", value.get("parameters", {}))
        arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
        return ToolCall(id=call_id, name=value["name"], arguments=arguments)
    # Malformed: keep what we can read; the environment will answer with an error.
    name = _NAME.search(body)
    args_match = _ARGS.search(body)
    return ToolCall(
        id=call_id,
        name=name.group(1) if name else "",
        arguments=args_match.group(1) if args_match else body,
    )


def parse_reply(content: str | None, first_call_number: int = 1) -> AssistantMessage:
    """Split a reply into its text and its `<tool_call>` blocks. Call ids are `call_<n>`,
    numbered from `first_call_number` so they stay unique and deterministic in a conversation."""
    content = content or ""
    calls = tuple(
        _parse_block(match.group(1), f"call_{first_call_number + i}")
        for i, match in enumerate(_BLOCK.finditer(content))
    )
    text = _BLOCK.sub("", content).strip() if calls else content.strip()
    return AssistantMessage(content=text or None, tool_calls=calls)


def count_tool_calls(messages: Sequence[Message]) -> int:
    return sum(len(m.tool_calls) for m in messages if isinstance(m, AssistantMessage))
