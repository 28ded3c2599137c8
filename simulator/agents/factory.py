"""Choose, per role, an offline agent or an LLM agent. The orchestrator never knows which.

A role with no model string is offline (the embedded default: deterministic, no network). Any
litellm model string switches that role to a real model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.agents.base import AssistantAgent, UserAgent
from simulator.episode import EpisodeContext

ROLES = ("user", "assistant", "judge", "tool")


@dataclass
class AgentSettings:
    """Model settings per role; a role missing from `models` is offline."""

    models: dict[str, Any] = field(default_factory=dict)  # role -> simulator.llm.settings.ModelSettings

    def describe(self) -> dict[str, str]:
        return {role: (self.models[role].model if role in self.models else "offline") for role in ROLES}

    def is_offline(self) -> bool:
        return not self.models


class AgentFactory:
    """Builds one user and one assistant per episode from the run's settings."""

    def __init__(self, settings: AgentSettings, client: Any = None) -> None:
        self.settings = settings
        self.client = client  # shared LLM client (cache, limits); None when every role is offline

    def user(self, ctx: EpisodeContext) -> UserAgent:
        if "user" in self.settings.models:
            from simulator.agents.llm_user import make_llm_user

            return make_llm_user(ctx, self.settings.models["user"], self.client)
        from simulator.agents.offline import make_offline_user

        return make_offline_user(ctx)

    def assistant(self, ctx: EpisodeContext) -> AssistantAgent:
        if "assistant" in self.settings.models:
            from simulator.agents.llm_assistant import make_llm_assistant

            return make_llm_assistant(ctx, self.settings.models["assistant"], self.client)
        from simulator.agents.offline import make_offline_assistant

        return make_offline_assistant(ctx)
