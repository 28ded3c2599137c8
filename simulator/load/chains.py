"""Multi-step and parallel-call scenarios made automatically from the tool graph.

Hand-written multi-turn scenarios cover the chains their author thought of; the tool graph
(`simulator.load.tool_graph`) knows every place where one tool's output can feed another's parameter.
`load_pack` calls `extend_pack`, which adds `generation.chains.count` chain scenarios (simple
paths of `min_calls`..`max_calls` tools: "find my orders" → "refund that order", category
`multi-turn`) and `generation.chains.parallel` parallel-call scenarios (2–3 tools no path connects,
asked for in one message, category `hard`) to the pack.

Only edges that pass on an identifier count (`tool_graph.identifier_graph`): "refund that order"
needs the id a lookup found, while a date or a city the user would simply say. Sampling is seeded
by `generation.seed`, so a file always yields the same scenarios (and a resumed
run plans the same episodes). Each tool's words come from the file's positive one-call scenarios
for it (`chain_build`); tools without one take no part. Every generated scenario passes the same
cross-reference checks as a hand-written one, or is dropped; asking for chains where none can be
made is a `file:line` error at `generation.chains`.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

from simulator.core.errors import InputError
from simulator.core.yaml_lines import YamlDocument
from simulator.load.chain_scenarios import (
    build_chain,
    build_parallel,
    sources_by_tool,
    tool_slug,
)
from simulator.load.checks import PackContext, check_scenarios
from simulator.spec import ChainsConfig, Scenario
from simulator.spec.pack import Pack

COMBOS_PER_PATH = 8  # source-scenario combinations tried per path before giving up on it


def extend_pack(pack: Pack, ctx: PackContext) -> None:
    """Check `domain.links`, then add the generated scenarios to `pack.scenarios`.

    Raises `InputError` (with `file:line`) for a bad link or for chains asked for but impossible.
    Without links and chains it does nothing (and networkx is not even imported)."""
    links = pack.domain.config.links
    config = pack.file.generation.chains
    if not links and not config.count and not config.parallel:
        return
    from simulator.load.tool_graph import build_graph, identifier_graph, link_problems

    problems = [
        ctx.problem(("domain", "links", i, key), message)
        for i, link in enumerate(links)
        for key, message in link_problems(link, pack.domain.tools)
    ]
    if problems:
        raise InputError(problems)
    if not config.count and not config.parallel:
        return
    graph = identifier_graph(build_graph(pack.domain.tools, links))
    passes = _checker(ctx)
    chains, parallel = generate(pack, graph, config, passes)
    for key, wanted, made, why in (
        ("count", config.count, chains, lambda: _no_chain_reason(pack, graph, config)),
        ("parallel", config.parallel, parallel, lambda: _no_parallel_reason(pack, graph)),
    ):
        if wanted and not made:
            problems.append(ctx.problem(("generation", "chains", key), why()))
    if problems:
        raise InputError(problems)
    pack.scenarios.update({s.id: s for s in chains + parallel})


def generate(
    pack: Pack, graph: Any, config: ChainsConfig, accept: Callable[[Scenario], bool] = lambda s: True
) -> tuple[list[Scenario], list[Scenario]]:
    """(chain scenarios, parallel scenarios), at most `config.count` and `config.parallel`, over
    `graph` (the `identifier_graph`: only feeds that carry an identifier make a chain, and only
    those make two tools dependent)."""
    from simulator.load.tool_graph import independent_sets, simple_chains

    seed = pack.file.generation.seed
    sources = sources_by_tool(pack.file.scenarios)
    taken = set(pack.scenarios)
    rng = random.Random(f"chains:{seed}")
    paths = simple_chains(graph, config.min_calls, config.max_calls, within=sources)
    chains = _sample(
        paths, sources, config.count, rng, taken, accept,
        lambda path, combo, sid: build_chain(path, combo, graph, rng, sid), "chain",
    )
    rng = random.Random(f"parallel:{seed}")
    groups = independent_sets(graph, (2, 3), within=sources)
    parallel = _sample(
        groups, sources, config.parallel, rng, taken, accept,
        lambda group, combo, sid: build_parallel(group, combo, rng, sid), "parallel",
    )
    return chains, parallel


def _sample(
    candidates: list[list[str]], sources: dict[str, list[Scenario]], wanted: int, rng: random.Random,
    taken: set[str], accept: Callable[[Scenario], bool], build: Callable, prefix: str,
) -> list[Scenario]:
    """Shuffled paths (or groups), one scenario each round-robin, until `wanted` are made: every
    path gets its first fitting combination of source scenarios before any path gets a second."""
    if not wanted:
        return []
    order = list(candidates)
    rng.shuffle(order)
    combos = {tuple(c): _combos(c, sources, rng) for c in order}
    made: list[Scenario] = []
    for _ in range(COMBOS_PER_PATH):
        for tools in order:
            for combo in combos[tuple(tools)]:
                base = f"{prefix}-" + "-".join(tool_slug(t) for t in tools)
                sid = _free_id(base, taken)
                scenario = build(tools, list(combo), sid)
                if scenario is not None and accept(scenario):
                    made.append(scenario)
                    taken.add(sid)
                    break
            if len(made) == wanted:
                return made
    return made


def _combos(tools: list[str], sources: dict[str, list[Scenario]], rng: random.Random) -> Iterator[tuple[Scenario, ...]]:
    combos = list(itertools.islice(itertools.product(*(sources[t] for t in tools)), 64))
    rng.shuffle(combos)
    return iter(combos[:COMBOS_PER_PATH])


def _free_id(base: str, taken: set[str]) -> str:
    sid, k = base, 2
    while sid in taken:
        sid, k = f"{base}-{k}", k + 1
    return sid


def _checker(ctx: PackContext) -> Callable[[Scenario], bool]:
    """The loader's cross-reference checks for a generated scenario (no lines of its own)."""
    blank = dataclasses.replace(ctx, doc=YamlDocument(ctx.doc.source, None, lines={}))
    return lambda scenario: not check_scenarios(blank, [(0, scenario)])


def _no_chain_reason(pack: Pack, graph: Any, config: ChainsConfig) -> str:
    from simulator.load.tool_graph import simple_chains

    span = f"{config.min_calls}–{config.max_calls}" if config.min_calls != config.max_calls else str(config.min_calls)
    head = f"{config.count} chain scenario(s) asked for, but"
    sources = sources_by_tool(pack.file.scenarios)
    if not simple_chains(graph, config.min_calls, config.max_calls):
        return f"{head} the tool graph has no chain of {span} tools passing on an identifier (`toolsim graph` shows its edges)"
    if not simple_chains(graph, config.min_calls, config.max_calls, within=sources):
        have = ", ".join(sorted(sources)) or "none"
        return (f"{head} no chain of {span} tools runs only through tools with a positive one-call "
                f"scenario (tools with one: {have})")
    return (f"{head} no chain's positive scenarios fit together (their records differ, they share no "
            "language, or the later tool's parameter is not given as a `{slot}`)")


def _no_parallel_reason(pack: Pack, graph: Any) -> str:
    from simulator.load.tool_graph import independent_sets

    head = f"{pack.file.generation.chains.parallel} parallel scenario(s) asked for, but"
    sources = sources_by_tool(pack.file.scenarios)
    if not independent_sets(graph, (2, 3), within=sources):
        have = ", ".join(sorted(sources)) or "none"
        return (f"{head} no two tools with a positive one-call scenario are independent of each other "
                f"(tools with one: {have})")
    return f"{head} no group's positive scenarios fit together (their records differ or they share no language)"


__all__ = ["extend_pack", "generate"]
