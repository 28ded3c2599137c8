"""Plan episodes from a composition target: which scenario, which persona, which seed.

Targets come from `generation.mix` (`compute_targets`): per-tool counts or shares, the no-tool
share, category and language shares, a multi-turn minimum. Planning is a pure function of (pack,
targets, run seed, round), so a resumed run plans exactly the same episodes and can skip the
finished ones by id. The runner calls `plan_round` again for the tool, category and language
cells that rejection or deduplication left short.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from itertools import count
from typing import Mapping

from simulator.config import CATEGORIES, LANGUAGES, Persona, Scenario
from simulator.errors import InputError, Problem
from simulator.pack import Pack
from simulator.records import Episode

NO_TOOL = "(none)"  # the cell label for no-tool examples
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


def is_multi_turn(scenario: Scenario) -> bool:
    """A scripted sequence of two or more user requests (not just a clarifying answer)."""
    return len(scenario.turns) >= 2


def apportion(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Whole counts for `shares` of `total` (largest remainder): they add up to
    round(total × sum of shares), so shares that add up to 1 use the whole total."""
    exact = {k: total * v for k, v in shares.items()}
    counts = {k: int(x) for k, x in exact.items()}
    left = round(total * sum(shares.values())) - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[: max(left, 0)]:
        counts[k] += 1
    return counts


def _playable(pack: Pack) -> list[Scenario]:
    return [s for s in pack.scenarios.values() if pack.personas_for(s)]


def _problem(pack: Pack, key: str, message: str) -> Problem:
    """A mix problem at its line in the scenario file (re-read: the pack keeps values, not lines)."""
    from simulator.yaml_lines import display_path, read_yaml

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
    playable = _playable(pack)
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
    playable = _playable(pack)
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


def episode_seed(run_seed: int, index: int) -> int:
    digest = hashlib.sha256(f"{run_seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


@dataclass
class _Rotation:
    """Smooth weighted round-robin over scenarios, and plain round-robin over each scenario's personas."""

    scenarios: list[Scenario]
    credit: dict[str, float] = field(default_factory=dict)

    def next(self) -> Scenario:
        total = sum(s.weight for s in self.scenarios)
        for s in self.scenarios:
            self.credit[s.id] = self.credit.get(s.id, 0.0) + s.weight
        best = max(self.scenarios, key=lambda s: (self.credit[s.id], -self.scenarios.index(s)))
        self.credit[best.id] -= total
        return best


def plan_round(
    pack: Pack,
    deficits: dict[str, int],
    multi_turn_needed: int,
    *,
    run_seed: int,
    round_index: int,
    samples: int = 1,
    categories: Mapping[str, int] | None = None,
    languages: Mapping[str, int] | None = None,
) -> list[Episode]:
    """Episodes for one round: `multi_turn_needed` multi-turn ones first (counting toward their
    cells), then each cell's remaining deficit spread over its scenarios by weight.

    `categories` / `languages` are the counts still wanted per category / language (missing
    ones are unconstrained, 0 means no more). Given categories, each cell's deficit is first
    divided among its categories so the totals approach them (`allocate`); given languages,
    personas are chosen so the planned languages follow them. Without either, scenarios rotate
    by weight within a cell and personas rotate per scenario, as they always have."""
    picks = _pick_scenarios(pack, deficits, multi_turn_needed, dict(categories) if categories else None, round_index)
    personas = _choose_personas(pack, picks, round_index, languages)
    episodes: list[Episode] = []
    numbers = count(round_index * 1_000_000)
    for scenario, persona in zip(picks, personas):
        index = next(numbers)
        for sample in range(samples):
            suffix = f"-s{sample}" if samples > 1 else ""
            episodes.append(
                Episode(
                    id=f"r{round_index}-{index % 1_000_000:05d}-{scenario.id}-{persona.id}{suffix}",
                    scenario_id=scenario.id,
                    persona_id=persona.id,
                    seed=episode_seed(run_seed, index),
                    sample=sample,
                    category=scenario.category,
                    tool=scenario.primary_tool,
                    language=persona.language,
                    multi_turn=is_multi_turn(scenario),
                )
            )
    return episodes


def _pick_scenarios(
    pack: Pack, deficits: dict[str, int], multi_turn_needed: int, needs: dict[str, int] | None, round_index: int
) -> list[Scenario]:
    """Which scenarios to play, interleaved so that an episode budget cutting the list short
    leaves every cell and category short in proportion, not a whole tool missing. Each round
    starts its rotations at a different scenario, so a later round that refills one or two
    examples does not replay the scenario that round 0 began with (whose near-duplicates are the
    likeliest to be removed again)."""
    deficits = dict(deficits)
    by_cell: dict[str, list[Scenario]] = {}
    for s in _playable(pack):
        by_cell.setdefault(cell_of(s), []).append(s)
    by_cell = {cell: _shifted(scenarios, round_index) for cell, scenarios in by_cell.items()}

    def wanted(s: Scenario) -> bool:
        return needs is None or needs.get(s.category, 1) > 0

    # Multi-turn picks count toward their cells, so they come from cells with room while there
    # are any; after that they are surplus the selection prefers over single-turn examples.
    picks: list[Scenario] = []
    multi = _shifted(sorted((s for cell in by_cell.values() for s in cell if is_multi_turn(s)), key=lambda s: s.id),
                     round_index)
    rotation = _Rotation([])
    for _ in range(multi_turn_needed):
        pool = [s for s in multi if wanted(s)]
        candidates = [s for s in pool if deficits.get(cell_of(s), 0) > 0] or pool
        if not candidates:
            break
        if candidates != rotation.scenarios:
            rotation = _Rotation(candidates, rotation.credit)
        s = rotation.next()
        picks.append(s)
        deficits[cell_of(s)] = deficits.get(cell_of(s), 0) - 1
        if needs is not None and s.category in needs:
            needs[s.category] -= 1

    if needs is None:
        per_cell = []
        for cell in sorted(by_cell):
            rotation = _Rotation(by_cell[cell])
            per_cell.append([rotation.next() for _ in range(max(deficits.get(cell, 0), 0))])
        return picks + _interleave(per_cell)
    rows = {cell: max(deficits.get(cell, 0), 0) for cell in sorted(by_cell)}
    options: dict[str, dict[str, float]] = {}
    for cell, scenarios in by_cell.items():
        for s in scenarios:
            options.setdefault(cell, {}).setdefault(s.category, 0.0)
            options[cell][s.category] += s.weight
    plan = allocate(rows, options, needs)
    per_cell = []
    for cell in sorted(plan):
        per_category = []
        for category in CATEGORIES:
            rotation = _Rotation([s for s in by_cell[cell] if s.category == category])
            per_category.append([rotation.next() for _ in range(plan[cell].get(category, 0))])
        per_cell.append(_interleave(per_category))
    return picks + _interleave(per_cell)


def _interleave(lists: list[list[Scenario]]) -> list[Scenario]:
    """Merge lists so every prefix holds each in proportion to its length (smooth weighted
    round-robin; ties go to the earlier list)."""
    total = sum(len(x) for x in lists)
    credit = [0] * len(lists)
    taken = [0] * len(lists)
    out: list[Scenario] = []
    for _ in range(total):
        for i, items in enumerate(lists):
            credit[i] += len(items)
        i = max((i for i in range(len(lists)) if taken[i] < len(lists[i])), key=lambda i: (credit[i], -i))
        credit[i] -= total
        out.append(lists[i][taken[i]])
        taken[i] += 1
    return out


def _shifted(items: list[Scenario], by: int) -> list[Scenario]:
    k = by % len(items) if items else 0
    return items[k:] + items[:k]


def allocate(
    rows: Mapping[str, int], options: Mapping[str, Mapping[str, float]], needs: Mapping[str, int], sweeps: int = 50
) -> dict[str, dict[str, int]]:
    """Divide each cell's count (`rows`) among the categories it has (`options`: category ->
    scenario weight) so that the category totals approach `needs` (categories missing there are
    unconstrained, 0 means none wanted).

    Iterative proportional fitting: alternately scale each cell to its count and each
    constrained category to its need, then round each cell by largest remainder — cell counts
    are exact (tool quotas come first), category totals are as close as the scenarios allow.
    A cell whose only categories are full still gets its count, spread over them by weight."""
    weights: dict[str, dict[str, float]] = {}
    for cell, count_ in rows.items():
        if count_ <= 0:
            continue
        base = dict(options.get(cell, {}))
        row = {k: (0.0 if k in needs and needs[k] <= 0 else w) for k, w in base.items()}
        weights[cell] = row if sum(row.values()) > 0 else base
    for _ in range(sweeps):
        for k, need in needs.items():
            column = sum(row.get(k, 0.0) for row in weights.values())
            if need > 0 and column > 0:
                for row in weights.values():
                    if k in row:
                        row[k] *= need / column
        for cell, row in weights.items():
            total = sum(row.values())
            for k in row:
                row[k] *= rows[cell] / total if total else 0.0
    plan: dict[str, dict[str, int]] = {}
    for cell, row in weights.items():
        total = sum(row.values())
        plan[cell] = apportion(rows[cell], {k: w / total for k, w in row.items()}) if total else {}
    return plan


def _choose_personas(
    pack: Pack, picks: list[Scenario], round_index: int, languages: Mapping[str, int] | None
) -> list[Persona]:
    """Per pick, a persona who can play it. Without language targets: the scenario's personas in
    turn. With them: first the language, by smooth weighted round-robin over the counts still
    wanted (so languages spread evenly over tools and categories), then that language's
    personas in turn."""
    turn: dict[tuple[str, str | None], int] = {}
    chosen: list[Persona] = []
    weights = _language_weights(pack, picks, languages) if languages else None
    credit = dict.fromkeys(weights or {}, 0.0)
    total = sum((weights or {}).values())
    for scenario in picks:
        personas = pack.personas_for(scenario)
        language = None
        if weights is not None and total > 0:
            spoken = {p.language for p in personas}
            for lang, w in weights.items():
                credit[lang] += w
            candidates = [lang for lang in LANGUAGES if lang in spoken and weights.get(lang, 0) > 0] or \
                [lang for lang in LANGUAGES if lang in spoken]
            language = max(candidates, key=lambda lang: credit.get(lang, 0.0))
            credit[language] = credit.get(language, 0.0) - total
            personas = [p for p in personas if p.language == language]
        k = turn.get((scenario.id, language), round_index)
        turn[(scenario.id, language)] = k + 1
        chosen.append(personas[k % len(personas)])
    return chosen


def _language_weights(pack: Pack, picks: list[Scenario], wanted: Mapping[str, int]) -> dict[str, float]:
    """How many picks each language should get: the counts still wanted, and whatever is left of
    the round shared by languages without a target."""
    spoken = {p.language for s in picks for p in pack.personas_for(s)}
    weights = {lang: float(max(wanted[lang], 0)) for lang in LANGUAGES if lang in wanted}
    free = [lang for lang in LANGUAGES if lang in spoken and lang not in wanted]
    rest = max(len(picks) - sum(weights.values()), 0)
    for lang in free:
        weights[lang] = rest / len(free)
    return weights
