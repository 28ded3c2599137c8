"""How to reach a model (`ModelSettings`, what the `--model`, `--user-model`, ... flags configure),
and the `models:` section of a scenario file (`ModelsConfig`).

Settings are written to the run manifest, so they never hold a secret: the API key is read at
call time from the environment (`api_key_env`, or the provider's usual variable which litellm
reads itself).
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simulator.core.bounds import MAX_RPM

ToolFormat = Literal["native", "prompt"]


class ModelSettings(BaseModel):
    """One model as one role uses it. `model` is any litellm model string
    (`openai/gpt-4o-mini`, `anthropic/claude-...`, `hosted_vllm/Qwen/...`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    model: str = Field(min_length=1)
    api_base: str | None = None
    api_key_env: str | None = Field(
        None, description="name of the environment variable holding the key; None = provider default"
    )
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1)
    timeout: float = Field(120.0, gt=0, description="seconds per attempt")
    seed: int | None = None
    price_in: float | None = Field(None, ge=0, description="USD per million input tokens")
    price_out: float | None = Field(None, ge=0, description="USD per million output tokens")
    tool_format: ToolFormat = Field(
        "native", description="native tool calling, or tools described in the prompt for models without it"
    )
    retries: int = Field(4, ge=0, le=20, description="extra attempts after a retryable failure")

    @property
    def label(self) -> str:
        """What a trace records as the agent (`Trace.agents[role]`)."""
        return self.model

    @property
    def has_own_prices(self) -> bool:
        return self.price_in is not None and self.price_out is not None

    def api_key(self) -> str | None:
        """The key from `api_key_env`, looked up only when a call is made."""
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def own_cost(self, input_tokens: int, output_tokens: int) -> float | None:
        if not self.has_own_prices:
            return None
        return (input_tokens * self.price_in + output_tokens * self.price_out) / 1_000_000  # type: ignore[operator]


class ModelsConfig(BaseModel):
    """`models:` in a scenario file — which roles are LLMs. Command-line flags override it.

    Each role takes the same keys as the flags: `model` (any litellm model string), `api_base`,
    `api_key_env` (the *name* of the variable holding the key — never the key), `temperature`,
    `max_tokens`, `timeout`, `seed`, `price_in`/`price_out` (USD per million tokens),
    `tool_format` (native | prompt), `retries`.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    user: ModelSettings | None = None
    assistant: ModelSettings | None = None
    judge: ModelSettings | None = None
    tool: ModelSettings | None = None
    judges: list[ModelSettings] = Field(default_factory=list, description="a judge committee voting by majority")
    judge_samples: int = Field(1, ge=1, le=25)
    judge_threshold: float = Field(4.0, ge=1, le=5, description="every criterion must score at least this")
    rubric: dict[str, str] | None = Field(None, description="criterion -> what it means; default rubric if omitted")
    rpm: float | None = Field(None, gt=0, le=MAX_RPM)
