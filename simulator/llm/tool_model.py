"""A model standing in for schema-only tools: realistic results that conform to `returns`.

The offline schema sim (`simulator.values.schema_sim`) already produces valid values; a model produces
*plausible* ones (names that fit, amounts that add up) at the price of a call. Two guarantees
make it safe to use in data:

- **Valid**: every result is checked against the tool's `returns` schema; a reply that breaks it
  gets one retry with the validation errors quoted back, and a second failure raises
  `ToolModelError` (the environment answers the call with an error instead of bad data).
- **Consistent**: within an episode the same call (tool, canonical arguments, state version)
  gets the same result, from a per-episode memo — asking twice for order ORD-12345 must not
  return two different orders. Create one `LLMToolModel` per episode.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from jsonschema import Draft202012Validator

from simulator.core.messages import (
    AssistantMessage,
    Message,
    SystemMessage,
    UserMessage,
)
from simulator.core.records import RoleUsage
from simulator.llm.cache import canonical_json
from simulator.llm.client import LLMClient
from simulator.llm.templates import fill, load_prompt
from simulator.spec import ToolSpec
from simulator.spec.models import ModelSettings

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
ANY_OBJECT: dict[str, Any] = {"type": "object"}


class ToolModelError(Exception):
    """The model could not produce a result that fits the tool's `returns` schema."""


def parse_json_reply(text: str | None) -> Any:
    """The JSON value of a reply, tolerating a code fence around it. Raises ValueError."""
    if not text or not text.strip():
        raise ValueError("empty reply")
    fenced = _FENCE.match(text)
    return json.loads(fenced.group(1) if fenced else text)


def _problems(validator: Draft202012Validator, value: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    ][:10]


class LLMToolModel:
    def __init__(
        self,
        settings: ModelSettings,
        client: LLMClient,
        *,
        facts: Mapping[str, Any] | None = None,
        episode_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.facts = dict(facts or {})
        self.episode_id = episode_id
        self.usage = RoleUsage()
        self.retries = 0
        self._memo: dict[tuple[str, str, int], Any] = {}
        self._validators: dict[str, Draft202012Validator] = {}

    def _validator(self, spec: ToolSpec) -> Draft202012Validator:
        if spec.name not in self._validators:
            self._validators[spec.name] = Draft202012Validator(spec.returns or ANY_OBJECT)
        return self._validators[spec.name]

    def _prompt(self, spec: ToolSpec, arguments: Mapping[str, Any]) -> list[Message]:
        facts = "\n".join(f"- {k}: {v}" for k, v in self.facts.items()) or "- (none)"
        system = fill(
            load_prompt("simulator.llm", "tool_model.md"),
            tool=spec.name,
            description=spec.description,
            returns=json.dumps(spec.returns or ANY_OBJECT, indent=2, ensure_ascii=False),
            facts=facts,
        )
        call = json.dumps({"tool": spec.name, "arguments": arguments}, ensure_ascii=False)
        return [SystemMessage(content=system), UserMessage(content=call)]

    async def simulate(self, spec: ToolSpec, arguments: Mapping[str, Any], *, state_version: int = 0) -> Any:
        """The result of calling `spec` with `arguments` (already validated by the caller)."""
        key = (spec.name, canonical_json(arguments), state_version)
        if key in self._memo:
            return self._memo[key]
        validator = self._validator(spec)
        messages = self._prompt(spec, arguments)
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": "tool_result", "schema": spec.returns or ANY_OBJECT},
        }
        salt = f"{self.episode_id}:{state_version}"
        problems: list[str] = []
        for attempt in range(2):
            completion = await self.client.complete(
                self.settings, messages, response_format=response_format, cache_salt=f"{salt}:{attempt}"
            )
            self.usage.add(completion.usage)
            raw = completion.message.content
            try:
                value = parse_json_reply(raw)
                problems = _problems(validator, value)
            except ValueError as exc:
                problems = [f"not valid JSON: {exc}"]
            if not problems:
                self._memo[key] = value
                return value
            self.retries += attempt == 0
            messages = [
                *messages,
                AssistantMessage(content=raw or ""),
                UserMessage(
                    content="That result does not fit the schema:\n- "
                    + "\n- ".join(problems)
                    + "\nAnswer again with only the corrected JSON value."
                ),
            ]
        raise ToolModelError(f"{spec.name}: the tool model's result does not fit `returns`: {'; '.join(problems)}")


def make_tool_model(ctx: Any, settings: ModelSettings, client: LLMClient) -> LLMToolModel:
    """One tool model per episode (its memo must not leak between episodes)."""
    return LLMToolModel(settings, client, facts=getattr(ctx, "facts", None), episode_id=ctx.episode.id)
