"""Model flags of `toolsim run`: which roles are LLMs and how to reach them.

`--model` sets every role; `--user-model` etc. set one role; roles left unset stay offline.
Only role settings are built here; the LLM client is created by the runner when a role needs it.
"""

from __future__ import annotations

import argparse
from typing import Any

from simulator.agents.factory import ROLES, AgentSettings


def add_model_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("models (any litellm model string; unset roles stay offline)")
    g.add_argument("--model", help="model for every role")
    for role in ROLES:
        g.add_argument(f"--{role}-model", dest=f"{role}_model", help=f"model for the {role} role")
        g.add_argument(f"--{role}-api-base", dest=f"{role}_api_base", help=f"OpenAI-compatible base URL for the {role} role")
    g.add_argument("--api-base", help="OpenAI-compatible base URL (vLLM, Ollama, LM Studio) for every role")
    g.add_argument("--tool-format", choices=["native", "prompt"], default="native",
                   help="assistant tool calling: native, or <tool_call> blocks in text")
    g.add_argument("--temperature", type=float, help="sampling temperature for every model")
    g.add_argument("--price-in", type=float, help="USD per million input tokens (when litellm has no price)")
    g.add_argument("--price-out", type=float, help="USD per million output tokens")
    g.add_argument("--rpm", type=float, help="maximum requests started per minute")
    g.add_argument("--no-cache", action="store_true", help="bypass the on-disk response cache")


def role_models(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Role -> raw settings from the flags (model string, api_base, ...)."""
    chosen: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        model = getattr(args, f"{role}_model", None) or getattr(args, "model", None)
        if not model:
            continue
        settings: dict[str, Any] = {"model": model, "tool_format": args.tool_format}
        api_base = getattr(args, f"{role}_api_base", None) or args.api_base
        for key, value in (("api_base", api_base), ("temperature", args.temperature),
                           ("price_in", args.price_in), ("price_out", args.price_out)):
            if value is not None:
                settings[key] = value
        chosen[role] = settings
    return chosen


def agent_settings_from_args(args: argparse.Namespace, pack: Any) -> AgentSettings:
    chosen = role_models(args)
    if not chosen:
        return AgentSettings()
    from simulator.llm.settings import ModelSettings

    return AgentSettings(models={role: ModelSettings(**raw) for role, raw in chosen.items()})
