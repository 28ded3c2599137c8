"""Composition targets from `generation.mix`: how many accepted examples each cell, category and language wants.

`compute_targets` turns the mix — per-tool counts or shares, the no-tool share, category and
language shares, a multi-turn minimum — into whole counts (`apportion`, largest remainder), for
the mix's own total or a total `n`. `check_mix` reports, at their lines in the scenario file, the
shares this pack cannot give, so `toolsim validate` and a run fail the same way before anything
is simulated. Planning (`plan.py`) and curation (`quotas.py`) both work to the resulting `Targets`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from simulator.core.errors import InputError, Problem
from simulator.core.names import NO_TOOL
from simulator.spec import Scenario
from simulator.spec.pack import Pack

MIX_LOC = ("generation", "mix")


@dataclass(frozen=True)
class Targets:
    """Accepted examples wanted per cell (tool label or NO_TOOL), the multi-turn minimum, and
    per category / language where the mix gives shares. A category or language missing from
    those mappings is unconstrained; one mapped to 0 is not wanted."""

    cells: dict[str, int]
    min_multi_turn: int
    categories: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    balance_tolerance: float = 0.3

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    def as_dict(self) -> dict:
        return {"cells": self.cells, "min_multi_turn": self.min_multi_turn,
                "categories": self.categories, "languages": self.languages}


def cell_of(scenario: Scenario) -> str:
    return scenario.primary_tool or NO_TOOL


def apportion(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Whole counts for `shares` of `total` (largest remainder): they add up to
    round(total × sum of shares), so shares that add up to 1 use the whole total."""
    exact = {k: total * v for k, v in shares.items()}
    counts = {k: int(x) for k, x in exact.items()}
    left = round(total * sum(shares.values())) - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[: max(left, 0)]:
        counts[k] += 1
    return counts


def playable_scenarios(pack: Pack) -> list[Scenario]:
    """The scenarios some persona can play (the others can never yield an episode)."""
    return [s for s in pack.scenarios.values() if pack.personas_for(s)]


def _problem(pack: Pack, key: str, message: str) -> Problem:
    """A mix problem at its line in the scenario file (re-read: the pack keeps values, not lines)."""
    from simulator.core.yaml_lines import display_path, read_yaml

    source = display_path(pack.path)
    try:
        return read_yaml(pack.path, source).problem((*MIX_LOC, key), f"generation.mix.{key}: {message}")
    except (InputError, OSError):
        return Problem(source, None, f"generation.mix.{key}: {message}")


def check_mix(pack: Pack) -> list[Problem]:
    """What the mix asks that this pack cannot give (independent of the total `n`)."""
    mix = pack.file.generation.mix
    problems: list[Problem] = []
    tools = {cell_of(s) for s in pack.scenarios.values()} - {NO_TOOL}
    if isinstance(mix.per_tool, dict):
        for name in sorted(set(mix.per_tool) - tools):
            problems.append(_problem(pack, "per_tool", f"no scenario has {name!r} as its tool "
                                     f"(tools with scenarios: {', '.join(sorted(tools))})"))
    playable = playable_scenarios(pack)
    for key, have, what in (
        ("categories", {s.category for s in playable}, "scenario of category"),
        ("languages", {p.language for s in playable for p in pack.personas_for(s)}, "persona speaking"),
    ):
        for name, share in sorted((getattr(mix, key) or {}).items()):
            if share > 0 and name not in have:
                problems.append(_problem(pack, key, f"a share of {share:g} for {name!r}, but no playable {what} {name!r}"))
    if mix.categories and any(cell_of(s) == NO_TOOL for s in playable):
        problems += _check_no_tool_share(pack, playable)
    return problems


def _check_no_tool_share(pack: Pack, playable: list[Scenario]) -> list[Problem]:
    """Category shares bound the no-tool share: categories whose scenarios never call a tool
    are all no-tool, those whose scenarios always do are none of it."""
    mix = pack.file.generation.mix
    shares = mix.categories or {}
    kinds: dict[str, set[bool]] = {}
    for s in playable:
        kinds.setdefault(s.category, set()).add(cell_of(s) == NO_TOOL)
    low = sum(v for k, v in shares.items() if kinds.get(k) == {True})
    high = 1.0 - sum(v for k, v in shares.items() if kinds.get(k) == {False})
    if low - 1e-9 <= mix.no_tool_share <= high + 1e-9:
        return []
    want = f"{low:g}" if abs(low - high) < 1e-9 else f"between {low:g} and {high:g}"
    return [_problem(pack, "no_tool_share", f"{mix.no_tool_share:g} disagrees with the category shares, which "
                     f"leave {want} of the data without a tool call; set no_tool_share: {low:g}")]


def compute_targets(pack: Pack, n: int | None = None) -> Targets:
    """Per-tool counts and the no-tool share from the mix, or a total `n` split the same way;
    category and language counts from their shares of the total."""
    problems = check_mix(pack)
    gen = pack.file.generation
    mix = gen.mix
    n = n if n is not None else gen.n
    tools = sorted({cell_of(s) for s in pack.scenarios.values()} - {NO_TOOL})
    has_negatives = any(cell_of(s) == NO_TOOL for s in pack.scenarios.values())
    share = mix.no_tool_share if has_negatives else 0.0
    tool_shares = mix.per_tool_shares
    if tool_shares is not None and n is None:
        problems.append(_problem(pack, "per_tool", "shares need a total: set generation.n or pass --n"))
    if problems:
        raise InputError(problems)
    weights = dict(mix.per_tool) if isinstance(mix.per_tool, dict) else {t: mix.per_tool for t in tools}
    cells: dict[str, int] = {}
    if tool_shares is not None:
        cells = {t: c for t, c in apportion(n, tool_shares).items() if t in tools}
        no_tool = n - sum(cells.values())
    elif n is not None:
        no_tool = round(n * share)
        if isinstance(mix.per_tool, dict):
            total_weight = sum(weights.values()) or 1
            cells = apportion(n - no_tool, {t: weights.get(t, 0) / total_weight for t in tools})
        else:  # equal split, earlier tools take the remainder (the classic behaviour)
            base, extra = divmod(n - no_tool, max(len(tools), 1))
            cells = {tool: base + (1 if i < extra else 0) for i, tool in enumerate(tools)}
    else:
        cells = {t: weights.get(t, 0) for t in tools}
        tool_total = sum(cells.values())
        no_tool = round(tool_total * share / (1 - share)) if share else 0
    cells = {t: c for t, c in cells.items() if c > 0}
    if has_negatives:
        cells[NO_TOOL] = no_tool
    total = sum(cells.values())
    playable = playable_scenarios(pack)
    categories = _share_targets(total, mix.categories, {s.category for s in playable})
    languages = _share_targets(total, mix.languages, {p.language for s in playable for p in pack.personas_for(s)})
    min_multi = mix.min_multi_turn
    if n is not None and tool_shares is None:
        # The minimum is written for the mix's own total (625 by default); `--n 50` asks for a
        # smaller dataset of the same make-up, not for one made only of multi-turn sequences.
        natural = sum(weights.get(t, 0) for t in tools)
        natural_total = natural + (round(natural * share / (1 - share)) if share else 0)
        if natural_total > 0:
            min_multi = math.ceil(mix.min_multi_turn * total / natural_total)
    return Targets(cells=cells, min_multi_turn=min(min_multi, total), categories=categories,
                   languages=languages, balance_tolerance=mix.balance_tolerance)


def _share_targets(total: int, shares: Mapping[str, float] | None, present: set[str]) -> dict[str, int]:
    """Counts for the listed shares; when they add up to 1, every other present value gets 0."""
    if not shares:
        return {}
    counts = apportion(total, shares)
    if abs(sum(shares.values()) - 1.0) < 1e-6:
        for name in present - set(counts):
            counts[name] = 0
    return counts


def mix_deficits(targets: Targets, categories: Mapping[str, int], languages: Mapping[str, int],
                 pack: Pack | None = None, chosen: Sequence[Any] = ()) -> dict[str, int]:
    """Cells to plan when every tool cell is full but categories or languages still fall short:
    twice the larger shortfall (some will be duplicates), spread by their targets over the tool
    cells that have a scenario of a short category played in a short language (all cells when
    `pack` is not given) and over the cells of `chosen` examples (the curated dataset) whose
    category or language is over its count: a swap needs a new example on both sides (the
    quota selection's `rebalance` finds it). Planned with the counts still wanted per category and
    language, the new episodes are of the short kinds where a cell has them. Empty when nothing
    is short."""
    short = max(sum(max(v, 0) for v in categories.values()), sum(max(v, 0) for v in languages.values()))
    if short <= 0 or not targets.total:
        return {}
    cells = {cell for cell, n in targets.cells.items() if n > 0}
    surplus: set[str] = set()
    if pack is not None:
        kinds = {k for k, v in categories.items() if v > 0}
        tongues = {k for k, v in languages.items() if v > 0}
        able = {cell_of(s) for s in playable_scenarios(pack) if (not kinds or s.category in kinds)
                and (not tongues or any(p.language in tongues for p in pack.personas_for(s)))}
        have_c = Counter(s.category for s in chosen)
        have_l = Counter(s.language for s in chosen)
        surplus = cells & {s.tool or NO_TOOL for s in chosen
                           if have_c[s.category] > targets.categories.get(s.category, have_c[s.category])
                           or have_l[s.language] > targets.languages.get(s.language, have_l[s.language])}
        cells = cells & able or cells
    weights = {cell: targets.cells[cell] / targets.total for cell in cells}
    scale = sum(weights.values()) or 1.0
    planned = {c: n for c, n in apportion(2 * short, {c: w / scale for c, w in weights.items()}).items() if n > 0}
    for cell in surplus:  # one new candidate where a surplus example would be swapped out
        planned[cell] = max(planned.get(cell, 0), 1)
    return planned
