"""A scripted stand-in for `LLMClient`, for tests of agents, judges and plugins where HTTP is not
the point (the fake servers of `tests/fakes` stay for the transport itself). Like pydantic-ai's
`FunctionModel`: give it a function of the request, or the replies in order, and it answers
`complete()` exactly as the real client would — an `AssistantMessage` with usage — recording
every request it saw.

    client = ScriptedClient(["Which order?", tool_call("lookup_order", order_id="ORD-48291"), "Done."])
    assistant = LLMAssistant(ctx, settings, client)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from simulator.core.messages import AssistantMessage, Message, ToolCall
from simulator.core.records import RoleUsage
from simulator.llm.client import Completion
from simulator.spec import ModelSettings, ToolSpec

Reply = Union[str, AssistantMessage]


@dataclass(frozen=True)
class ScriptedRequest:
    """One `complete()` call as the script saw it."""

    settings: ModelSettings
    messages: list[Message]
    tools: list[ToolSpec]
    response_format: dict[str, Any] | None
    cache_salt: str | None

    @property
    def last_text(self) -> str:
        """The content of the last message (what the model is answering)."""
        return (self.messages[-1].content or "") if self.messages else ""


def tool_call(name: str, call_id: str | None = None, **arguments: Any) -> AssistantMessage:
    """An assistant message making one call (`call_id` defaults to call_<n> in the script)."""
    return AssistantMessage(tool_calls=(ToolCall(id=call_id or "", name=name, arguments=json.dumps(arguments)),))


@dataclass
class ScriptedClient:
    """Answers with `respond(request)` or, given a sequence, with its replies in order (running
    out is an error: the script did not expect that many calls)."""

    respond: Callable[[ScriptedRequest], Reply] | Iterable[Reply]
    requests: list[ScriptedRequest] = field(default_factory=list)
    _numbers: Any = field(default_factory=lambda: itertools.count(1), init=False, repr=False)

    def __post_init__(self) -> None:
        if not callable(self.respond):
            self._replies = iter(list(self.respond))

    async def complete(
        self,
        settings: ModelSettings,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        response_format: dict[str, Any] | None = None,
        cache_salt: str | None = None,
    ) -> Completion:
        request = ScriptedRequest(settings, list(messages), list(tools), response_format, cache_salt)
        self.requests.append(request)
        if callable(self.respond):
            reply = self.respond(request)
        else:
            try:
                reply = next(self._replies)
            except StopIteration:
                raise AssertionError(f"the script has no reply for call {len(self.requests)}") from None
        message = self._message(reply)
        return Completion(message=message, usage=RoleUsage(calls=1), raw_content=message.content)

    def _message(self, reply: Reply) -> AssistantMessage:
        if isinstance(reply, str):
            return AssistantMessage(content=reply)
        calls = tuple(c if c.id else c.model_copy(update={"id": f"call_{next(self._numbers)}"}) for c in reply.tool_calls)
        return reply.model_copy(update={"tool_calls": calls})

    def close(self) -> None:
        pass
