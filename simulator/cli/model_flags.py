"""Model flags of `toolsim run`: which roles are LLMs and how to reach them.

Settings come from the scenario file's `models:` section, then the flags override them:
`--model` sets every role, `--user-model` etc. set one role, `--api-base` and friends adjust
whatever model a role ends up with. Roles left unset stay offline. API keys are never flags:
litellm reads the provider's usual variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, ...).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from simulator.cli import argtypes
from simulator.core.errors import InputError
from simulator.simulate.agents.factory import ROLES, AgentSettings

TUNING = ("api_base", "temperature", "max_tokens", "timeout", "retries", "price_in", "price_out", "tool_format")


def add_model_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("models (any litellm model string; roles left unset stay offline)")
    g.add_argument("--model", help="model for every role")
    for role in ROLES:
        g.add_argument(f"--{role}-model", dest=f"{role}_model", help=f"model for the {role} role")
        g.add_argument(f"--{role}-api-base", dest=f"{role}_api_base", help=f"base URL for the {role} role's model")
    g.add_argument("--api-base", help="OpenAI-compatible base URL (vLLM, Ollama, LM Studio) for every role")
    g.add_argument("--tool-format", choices=["native", "prompt"],
                   help="assistant tool calling: native (default), or <tool_call> blocks in text")
    g.add_argument("--temperature", type=argtypes.temperature, help="sampling temperature for every model")
    g.add_argument("--max-tokens", type=argtypes.max_tokens, help="maximum tokens per reply")
    g.add_argument("--timeout", type=argtypes.seconds, help="seconds per request attempt (default 120)")
    g.add_argument("--retries", type=argtypes.retries, help="extra attempts on 429/5xx/timeouts (default 4)")
    g.add_argument("--price-in", type=argtypes.price, help="USD per million input tokens (when litellm has no price)")
    g.add_argument("--price-out", type=argtypes.price, help="USD per million output tokens")
    g.add_argument("--rpm", type=argtypes.rpm, help="maximum requests started per minute")
    g.add_argument("--no-cache", action="store_true", help="bypass the on-disk response cache")
    g.add_argument("--cache-dir", type=Path, help="response cache folder (default $TOOLSIM_CACHE_DIR or ~/.cache/toolsim)")
    j = p.add_argument_group("judge model")
    j.add_argument("--judges", help="a committee: comma-separated models voting by majority")
    j.add_argument("--judge-samples", type=argtypes.judge_samples, help="ask each judge model k times (majority vote)")
    j.add_argument("--judge-threshold", type=argtypes.judge_threshold, help="minimum score (1-5) every criterion needs (default 4)")


def _overrides(args: argparse.Namespace, role: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    model = getattr(args, f"{role}_model", None) or args.model
    if model:
        found["model"] = model
    api_base = getattr(args, f"{role}_api_base", None) or args.api_base
    if api_base:
        found["api_base"] = api_base
    for key in TUNING[1:]:
        value = getattr(args, key, None)
        if value is not None:
            found[key] = value
    return found


def _settings(base: Any, overrides: dict[str, Any], where: str) -> Any:
    from pydantic import ValidationError

    from simulator.spec.models import ModelSettings

    try:
        if base is not None:
            return ModelSettings.model_validate({**base.model_dump(), **overrides})
        return ModelSettings.model_validate(overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError.single(where, f"{field}: {first['msg']}") from None


def cache_path(args: argparse.Namespace) -> Path | None:
    if args.no_cache:
        return None
    folder = args.cache_dir or Path(os.environ.get("TOOLSIM_CACHE_DIR") or Path.home() / ".cache" / "toolsim")
    return folder / "llm-responses.sqlite"


def agent_settings_from_args(args: argparse.Namespace, pack: Any) -> AgentSettings:
    """Roles from the scenario file's `models:` with the flags applied on top."""
    from simulator.spec import ModelsConfig

    file_models = pack.file.models or ModelsConfig()
    models: dict[str, Any] = {}
    for role in ROLES:
        base, overrides = getattr(file_models, role), _overrides(args, role)
        if base is None and "model" not in overrides:
            continue
        models[role] = _settings(base, overrides, f"--{role}-model")

    judges = list(file_models.judges)
    if args.judges:
        template = {k: v for k, v in _overrides(args, "judge").items() if k != "model"}
        judges = [_settings(None, {**template, "model": m.strip()}, "--judges") for m in args.judges.split(",") if m.strip()]
    elif judges:
        judges = [_settings(j, {k: v for k, v in _overrides(args, "judge").items() if k != "model"}, "models.judges")
                  for j in judges]
    if not judges and "judge" in models:
        judges = [models["judge"]]
    samples = args.judge_samples if args.judge_samples is not None else file_models.judge_samples
    threshold = args.judge_threshold if args.judge_threshold is not None else file_models.judge_threshold
    if samples < 1:
        raise InputError.single("--judge-samples", f"must be at least 1, got {samples}")
    if not 1 <= threshold <= 5:
        raise InputError.single("--judge-threshold", f"must be between 1 and 5, got {threshold}")
    return AgentSettings(models=models, judges=judges, judge_samples=samples, judge_threshold=threshold,
                         rubric=file_models.rubric)


def run_limits(args: argparse.Namespace, pack: Any) -> dict[str, Any]:
    """The RunOptions fields the model flags decide."""
    rpm = args.rpm if args.rpm is not None else (pack.file.models.rpm if pack.file.models else None)
    return {"rpm": rpm, "cache_path": cache_path(args)}
