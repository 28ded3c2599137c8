"""Fixtures for the offline agents: a hand-built episode context and a tiny conversation loop.

The agents only read `scenario`, `persona`, `domain.config`, `facts` and `rng` from the context,
so these tests build exactly that and stand in for the tool environment with a function.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import pytest
import yaml

from simulator.core.messages import (
    Message,
    SystemMessage,
    ToolCall,
    ToolMessage,
    has_stop_token,
)
from simulator.simulate.agents.offline import make_offline_assistant, make_offline_user
from simulator.simulate.episode import choose_template
from simulator.spec import DomainConfig, Persona, Scenario

ROOT = Path(__file__).resolve().parents[3]

Environment = Callable[[ToolCall, list[Message]], ToolMessage]  # (call, conversation so far)


def make_persona(**fields: Any) -> Persona:
    base = {"id": "tester", "name": "Tester", "cooperativeness": 0.0, "frustration": 0.0}
    return Persona.model_validate({**base, **fields})


def make_scenario(**fields: Any) -> Scenario:
    base = {"id": "s", "category": "positive", "goal": "test"}
    return Scenario.model_validate({**base, **fields})


def make_domain(**fields: Any) -> SimpleNamespace:
    config = DomainConfig.model_validate({"tools": "x.py", "system_prompt": "You help.", **fields})
    return SimpleNamespace(config=config, system_prompt="You help.", tools={})


def make_context(scenario: Scenario, persona: Persona, facts: dict[str, Any], domain: Any = None, seed: int = 1):
    return SimpleNamespace(
        scenario=scenario, persona=persona, facts=facts,
        domain=domain if domain is not None else make_domain(), rng=random.Random(seed),
        template=choose_template(scenario, persona, facts, seed),
    )


def load_persona(name: str) -> Persona:
    return Persona.model_validate(yaml.safe_load((ROOT / "personas" / f"{name}.yaml").read_text("utf-8")))


def play(ctx: Any, env: Environment, max_user_turns: int = 12) -> list[Message]:
    """User → assistant (→ tools → assistant)* until the user stops, like the orchestrator."""

    async def run() -> list[Message]:
        user, assistant = make_offline_user(ctx), make_offline_assistant(ctx)
        messages: list[Message] = [SystemMessage(content="You help.")]
        for _ in range(max_user_turns):
            said = await user.respond(messages)
            messages.append(said)
            if has_stop_token(said.content):
                return messages
            for _ in range(6):
                reply = await assistant.respond(messages)
                messages.append(reply)
                if not reply.tool_calls:
                    break
                for call in reply.tool_calls:
                    messages.append(env(call, messages))
        raise AssertionError("the user never stopped:\n" + "\n".join(repr(m) for m in messages))

    return asyncio.run(run())


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, as one fixture (test modules share no imports)."""
    return SimpleNamespace(
        persona=make_persona, scenario=make_scenario, domain=make_domain, context=make_context,
        load_persona=load_persona, play=play, root=ROOT,
    )
