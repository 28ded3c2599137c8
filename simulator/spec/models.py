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

    model: str = Field(min_length=1, description="a litellm model string", examples=["openai/gpt-4.1-mini"])
    api_base: str | None = Field(None, description="an OpenAI-compatible server (vLLM, Ollama, LM Studio)",
                                 examples=["http://localhost:8000/v1"])
    api_key_env: str | None = Field(
        None, description="name of the environment variable holding the key; None = provider default",
        examples=["MY_KEY_VAR"],
    )
    temperature: float | None = Field(None, ge=0.0, le=2.0, description="sampling temperature", examples=[0.9])
    max_tokens: int | None = Field(None, ge=1, description="most tokens per reply", examples=[1024])
    timeout: float = Field(120.0, gt=0, description="seconds per attempt", examples=[60])
    seed: int | None = Field(None, description="the provider's sampling seed, where it has one", examples=[1])
    price_in: float | None = Field(None, ge=0, description="USD per million input tokens", examples=[0.1])
    price_out: float | None = Field(None, ge=0, description="USD per million output tokens", examples=[0.3])
    tool_format: ToolFormat = Field(
        "native", description="native tool calling, or tools described in the prompt for models without it",
        examples=["prompt"],
    )
    retries: int = Field(4, ge=0, le=20, description="extra attempts after a retryable failure", examples=[6])

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

    user: ModelSettings | None = Field(None, description="the simulated user", examples=[{"model": "openai/gpt-4.1-mini",
                                                                                          "temperature": 0.9}])
    assistant: ModelSettings | None = Field(None, description="the assistant whose turns become the data",
                                            examples=[{"model": "hosted_vllm/Qwen2.5-7B-Instruct",
                                                       "api_base": "http://localhost:8000/v1"}])
    judge: ModelSettings | None = Field(None, description="a judge model after the rules",
                                        examples=[{"model": "openai/gpt-4.1"}])
    tool: ModelSettings | None = Field(None, description="a model that answers schema-only tools",
                                       examples=[{"model": "openai/gpt-4.1-mini"}])
    judges: list[ModelSettings] = Field(default_factory=list, description="a judge committee voting by majority",
                                        examples=[[{"model": "openai/gpt-4.1"}, {"model": "anthropic/claude-sonnet-4"}]])
    judge_samples: int = Field(1, ge=1, le=25, description="samples per judge model (a committee of one model)",
                               examples=[3])
    judge_threshold: float = Field(4.0, ge=1, le=5, description="every criterion must score at least this",
                                   examples=[4])
    rubric: dict[str, str] | None = Field(None, description="criterion -> what it means; default rubric if omitted",
                                          examples=[{"right_tool": "the tool fits the request"}])
    rpm: float | None = Field(None, gt=0, le=MAX_RPM, description="LLM requests started per minute", examples=[600])
