"""What the tool-sim tests (`tests/test_*_sims.py`) share: a `tool_sims/<name>.py` module as a
`Domain` of its own, an environment that checks every result against its tool's `returns` schema
(`check_returns=True` raises on a mismatch), and one call's outcome as plain JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from simulator.core.messages import ToolCall
from simulator.simulate.environment import ToolEnvironment
from simulator.spec import DomainConfig, ToolSpec
from simulator.spec.pack import Domain
from simulator.spec.toolkit import ToolSimModule
from simulator.spec.validation import schema_problems


def sim_domain(sims: ToolSimModule, system_prompt: str = "Help.") -> Domain:
    """The domain of `tool_sims/<sims.name>.py` alone: its registered tools and nothing else."""
    tools = {n: ToolSpec.model_validate(r.spec.model_dump()) for n, r in sims.tools.items()}
    return Domain(name=sims.name, system_prompt=system_prompt, tools=tools,
                  config=DomainConfig(tools=f"{sims.name}.py", system_prompt=system_prompt), sims=sims)


def assert_complete_specs(sims: ToolSimModule, min_description: int = 40) -> None:
    """Every tool says enough about itself, has valid `parameters` and `returns` schemas, takes no
    argument it does not declare, and describes each one."""
    for name, registered in sims.tools.items():
        spec = ToolSpec.model_validate(registered.spec.model_dump())
        assert len(spec.description) > min_description, name
        assert schema_problems(spec.parameters) == [] and schema_problems(spec.returns) == []
        assert spec.parameters["additionalProperties"] is False
        assert all(p.get("description") for p in spec.parameters["properties"].values()), name


def checked_env(domain: Domain, seed: int = 1, **options: Any) -> ToolEnvironment:
    """An episode's environment in which every result must fit its tool's `returns`."""
    return ToolEnvironment(domain, seed, check_returns=True, **options)


def run(env: ToolEnvironment, tool: str, **args: Any) -> tuple[bool, Any]:
    """(ok, payload) of one call."""
    message = env.call(ToolCall(id="c", name=tool, arguments=json.dumps(args, ensure_ascii=False)))
    return not message.is_error, json.loads(message.content)


def ok(env: ToolEnvironment, tool: str, **args: Any) -> dict:
    """The result of a call that must succeed."""
    success, payload = run(env, tool, **args)
    assert success, payload
    return payload


def error_of(env: ToolEnvironment, tool: str, **args: Any) -> str:
    """The error message of a call that must fail."""
    success, payload = run(env, tool, **args)
    assert not success, payload
    return payload["error"]


def day(env: ToolEnvironment, ahead: int) -> str:
    """The ISO date `ahead` days after the episode's simulated today."""
    return (env.today + timedelta(days=ahead)).isoformat()


def next_id(generated: str) -> str:
    """The id after `generated` in the same episode: RF-48213 -> RF-48214."""
    prefix, _, number = generated.rpartition("-")
    return f"{prefix}-{int(number) + 1}"
