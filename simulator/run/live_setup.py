"""What a run needs before its first `sim: model` or `sim: live` call, checked before anything is
written: a tool model for the tools `domain.sim` gives to `model` (and, when `domain.sim` gives it
none, no tool model: it would answer nothing), the API key's variable set for a service that takes
one. Then the run's `LiveTools` (`simulator.simulate.live`)."""

from __future__ import annotations

import os
from typing import Any

from simulator.core.errors import InputError
from simulator.load.locate import file_problem
from simulator.spec.pack import Pack


def check_answers(pack: Pack, agents: Any) -> None:
    """`InputError` (at the `domain.sim` line) for answers the run cannot give."""
    domain = pack.domain
    problems = []
    modelled = sorted(name for name, mode in domain.sim_modes.items() if mode == "model")
    if modelled and "tool" not in agents.models:
        problems.append(file_problem(pack, ("domain", "sim"), (
            f"sim: model for {', '.join(modelled)} needs a tool model: --tool-model MODEL (or models.tool)")))
    elif domain.sim_modes and not modelled and "tool" in agents.models:  # the model would answer nothing
        problems.append(file_problem(pack, ("domain", "sim"), (
            "a tool model is given (--tool-model or models.tool) but sim: gives it no tool to answer: "
            "say `sim: model`, or name its tools (e.g. sim: {create_order: model})")))
    auth = getattr(domain.service, "auth", None) if domain.live_tools else None
    if auth is not None and not os.environ.get(auth.env):
        problems.append(file_problem(pack, ("domain", "sim"), (
            f"sim: live needs the API key in the environment variable {auth.env} (the tools file's "
            f"service.auth.env), which is not set")))
    if problems:
        raise InputError(problems)


def check_executor(pack: Pack, executor_kind: str) -> None:
    """Live tools are answered in the run's own process: one rate limit and one memory of shared
    read-only answers for the whole run. Playing them on worker processes or Ray actors would
    split both (each worker asking the service on its own), so it is refused at `domain.sim`."""
    if pack.domain.live_tools and executor_kind != "inprocess":
        raise InputError([file_problem(pack, ("domain", "sim"), (
            f"sim: live ({', '.join(sorted(pack.domain.live_tools))}) is answered in the run's own process: "
            "drop --workers/--executor/--ray-address for this pack (its speed is the service's anyway)"))])


def make_live(pack: Pack, options: Any) -> Any:
    """The run's `LiveTools`, or None when no tool is answered live."""
    if not pack.domain.live_tools:
        return None
    from simulator.simulate.live.calls import LiveTools

    return LiveTools.create(pack.domain, cache_path=options.cache_path, rpm=options.rpm,
                            concurrency=options.concurrency)
