"""The assistant played by a model: the domain's system prompt, the domain's tools, and
whatever the model answers.

Native tool calling where the model has it (several calls in one turn come back as one message
with several `ToolCall`s); the `<tool_call>` prompt format (`tool_format="prompt"`) where it
does not — the client hides the difference. A call to an unknown tool or with arguments that are
not valid JSON is passed on untouched: the tool environment answers it with an error result,
the model gets its chance to recover, and the judge sees both. We only count such calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from simulator.core.messages import (
    AssistantMessage,
    Message,
    SystemMessage,
    ToolMessage,
)
from simulator.core.records import RoleUsage
from simulator.llm.client import LLMClient
from simulator.simulate.episode import EpisodeContext
from simulator.spec.models import ModelSettings


@dataclass
class ToolCallStats:
    """What the model did with its tools in one episode, for run statistics."""

    turns: int = 0
    tool_calls: int = 0
    parallel_turns: int = 0
    unknown_tool: int = 0
    malformed_arguments: int = 0
    attempts_after_error: int = 0  # replies that came right after an error result: recovery tries


class LLMAssistant:
    def __init__(self, ctx: EpisodeContext, settings: ModelSettings, client: LLMClient) -> None:
        self.ctx = ctx
        self.settings = settings
        self.client = client
        self.tools = list(ctx.domain.tools.values())
        self.usage = RoleUsage()
        self.stats = ToolCallStats()
        self._system = SystemMessage(content=ctx.system_prompt)  # one object: its encoding is kept by the client

    def _conversation(self, messages: Sequence[Message]) -> list[Message]:
        """The conversation as the model sees it: led by the domain's system prompt."""
        if messages and isinstance(messages[0], SystemMessage):
            return list(messages)
        return [self._system, *messages]

    async def respond(self, messages: Sequence[Message]) -> AssistantMessage:
        completion = await self.client.complete(
            self.settings, self._conversation(messages), tools=self.tools, cache_salt=self.ctx.episode.id
        )
        self.usage.add(completion.usage)
        self._count(messages, completion.message)
        return completion.message

    def _count(self, messages: Sequence[Message], reply: AssistantMessage) -> None:
        stats = self.stats
        stats.turns += 1
        stats.tool_calls += len(reply.tool_calls)
        stats.parallel_turns += len(reply.tool_calls) > 1
        for call in reply.tool_calls:
            stats.unknown_tool += call.name not in self.ctx.domain.tools
            stats.malformed_arguments += call.parsed_arguments() is None
        trailing_results = []
        for message in reversed(messages):
            if not isinstance(message, ToolMessage):
                break
            trailing_results.append(message)
        if any(m.is_error for m in trailing_results):
            stats.attempts_after_error += 1


def make_llm_assistant(ctx: EpisodeContext, settings: ModelSettings, client: LLMClient) -> LLMAssistant:
    """The assistant role played by `settings.model` for one episode."""
    return LLMAssistant(ctx, settings, client)
