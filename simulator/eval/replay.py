"""Ask the model for every item: a fixed pool of workers over one shared queue of items.

No rounds: `concurrency` workers each take the next item as soon as their last answer is in, so
one slow reply never holds the others back and the number of requests in flight stays at
`concurrency` until the queue runs dry (`bench/eval_throughput.py` measures how close that gets
to concurrency / latency). The LLM client does the rest — its cache (a rerun makes no request),
its retries and its `--rpm` limit. A request that still fails is an infrastructure failure of that
item: recorded with its reason and left out of every score.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.core.messages import AssistantMessage, Message
from simulator.core.records import RoleUsage
from simulator.llm.client import LLMClient
from simulator.llm.retry import LLMCallError
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings


@dataclass
class Answer:
    """The model's answer to one prompt, or why there is none."""

    output: AssistantMessage | None = None
    raw: str | None = None
    error: str | None = None
    usage: RoleUsage = field(default_factory=RoleUsage)


async def ask_all(client: LLMClient, settings: ModelSettings, prompts: Iterable[Sequence[Message]],
                  tools: Sequence[ToolSpec], *, concurrency: int,
                  done: Callable[[int, Answer], Any] | None = None) -> list[Answer]:
    """One answer per prompt, in order. `prompts` is read lazily, as workers free up (a generator
    building them overlaps with the requests in flight); `done(i, answer)` is called as each
    answer arrives."""
    answers: dict[int, Answer] = {}
    queue = enumerate(prompts)

    async def worker() -> None:
        for index, prompt in queue:
            try:
                completion = await client.complete(settings, prompt, tools=tools)
            except LLMCallError as exc:
                answer = Answer(error=str(exc))
            else:
                answer = Answer(output=completion.message, raw=completion.raw_content, usage=completion.usage)
            answers[index] = answer
            if done is not None:
                done(index, answer)

    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return [answers[i] for i in range(len(answers))]
