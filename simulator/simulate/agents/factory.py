"""Choose, per role, an offline agent or an LLM agent. The orchestrator never knows which.

A role with no model string is offline (the embedded default: deterministic, no network). Any
litellm model string switches that role to a real model. The judge role may be a committee:
several models (`--judges a,b,c`) and/or several samples of each (`--judge-samples k`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.simulate.agents.base import AssistantAgent, UserAgent
from simulator.simulate.episode import EpisodeContext

ROLES = ("user", "assistant", "judge", "tool")
DEFAULT_JUDGE_THRESHOLD = 4.0


@dataclass
class AgentSettings:
    """Model settings per role; a role missing from `models` is offline."""

    models: dict[str, Any] = field(default_factory=dict)  # role -> simulator.spec.models.ModelSettings
    judges: list[Any] = field(default_factory=list)  # the judge committee (ModelSettings); [] = rules only
    judge_samples: int = 1
    judge_threshold: float = DEFAULT_JUDGE_THRESHOLD
    rubric: dict[str, str] | None = None  # criterion -> meaning; None = the default rubric

    def describe(self) -> dict[str, str]:
        described = {role: (self.models[role].label if role in self.models else "offline") for role in ROLES}
        if self.judges:
            described["judge"] = ", ".join(j.label for j in self.judges)
            if self.judge_samples > 1:
                described["judge"] += f" ×{self.judge_samples}"
        return described

    def is_offline(self) -> bool:
        return not self.models and not self.judges

    def manifest(self) -> dict[str, Any]:
        """Everything but secrets (settings never hold keys) for manifest.json."""
        return {
            "roles": self.describe(),
            "models": {role: s.model_dump(mode="json") for role, s in self.models.items()},
            "judges": [j.model_dump(mode="json") for j in self.judges],
            "judge_samples": self.judge_samples,
            "judge_threshold": self.judge_threshold,
            "rubric": self.rubric,
        }


_OFFLINE: Any = None


def _offline() -> Any:
    """The offline agents' module, imported on first use (a run with model agents never loads
    it) and then kept: an `import` statement run for every episode costs more than building it."""
    global _OFFLINE
    if _OFFLINE is None:
        from simulator.simulate.agents import offline

        _OFFLINE = offline
    return _OFFLINE


class AgentFactory:
    """Builds one user, one assistant (and a tool model, if any) per episode."""

    def __init__(self, settings: AgentSettings, client: Any = None) -> None:
        self.settings = settings
        self.client = client  # shared LLM client (cache, limits); None when every role is offline

    def user(self, ctx: EpisodeContext) -> UserAgent:
        if "user" in self.settings.models:
            from simulator.simulate.agents.llm_user import make_llm_user

            return make_llm_user(ctx, self.settings.models["user"], self.client)
        return _offline().make_offline_user(ctx)

    def assistant(self, ctx: EpisodeContext) -> AssistantAgent:
        if "assistant" in self.settings.models:
            from simulator.simulate.agents.llm_assistant import make_llm_assistant

            return make_llm_assistant(ctx, self.settings.models["assistant"], self.client)
        return _offline().make_offline_assistant(ctx)

    def tool_model(self, ctx: EpisodeContext) -> Any:
        """An LLM simulator for schema-only tools, or None (the offline schema sim)."""
        if "tool" not in self.settings.models:
            return None
        from simulator.llm.tool_model import make_tool_model

        return make_tool_model(ctx, self.settings.models["tool"], self.client)
