"""Plan episodes from a composition target: which scenario, which persona, which seed.

Planning is a pure function of (pack, targets, run seed, round), so a resumed run plans exactly
the same episodes and can skip the finished ones by id. The runner calls `plan_round` again for
cells that rejection or deduplication left short.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import count

from simulator.config import Scenario
from simulator.pack import Pack
from simulator.records import Episode

NO_TOOL = "(none)"  # the cell label for no-tool examples


@dataclass(frozen=True)
class Targets:
    """Accepted examples wanted per cell (tool label or NO_TOOL) and multi-turn minimum."""

    cells: dict[str, int]
    min_multi_turn: int

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def cell_of(scenario: Scenario) -> str:
    return scenario.primary_tool or NO_TOOL


def is_multi_turn(scenario: Scenario) -> bool:
    """A scripted sequence of two or more user requests (not just a clarifying answer)."""
    return len(scenario.turns) >= 2


def compute_targets(pack: Pack, n: int | None = None) -> Targets:
    """Per-tool counts and the no-tool share from the mix, or a total `n` split the same way."""
    gen = pack.file.generation
    mix = gen.mix
    n = n if n is not None else gen.n
    tools = sorted({cell_of(s) for s in pack.scenarios.values()} - {NO_TOOL})
    has_negatives = any(cell_of(s) == NO_TOOL for s in pack.scenarios.values())
    share = mix.no_tool_share if has_negatives else 0.0
    cells: dict[str, int] = {}
    if n is not None:
        no_tool = round(n * share)
        tool_total = n - no_tool
        base, extra = divmod(tool_total, max(len(tools), 1))
        for i, tool in enumerate(tools):
            cells[tool] = base + (1 if i < extra else 0)
    else:
        for tool in tools:
            cells[tool] = mix.per_tool
        tool_total = mix.per_tool * len(tools)
        no_tool = round(tool_total * share / (1 - share)) if share else 0
    if has_negatives:
        cells[NO_TOOL] = no_tool
    total = sum(cells.values())
    return Targets(cells=cells, min_multi_turn=min(mix.min_multi_turn, total))


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
) -> list[Episode]:
    """Episodes for one round: `multi_turn_needed` multi-turn ones first (counting toward their
    cells), then each cell's remaining deficit spread over its scenarios by weight."""
    deficits = dict(deficits)
    by_cell: dict[str, list[Scenario]] = {}
    for s in pack.scenarios.values():
        if pack.personas_for(s):
            by_cell.setdefault(cell_of(s), []).append(s)
    picks: list[Scenario] = []
    multi = [s for cell in by_cell.values() for s in cell if is_multi_turn(s)]
    if multi and multi_turn_needed > 0:
        rotation = _Rotation(sorted(multi, key=lambda s: s.id))
        for _ in range(multi_turn_needed):
            s = rotation.next()
            picks.append(s)
            deficits[cell_of(s)] = deficits.get(cell_of(s), 0) - 1
    for cell in sorted(by_cell):
        rotation = _Rotation(by_cell[cell])
        for _ in range(max(deficits.get(cell, 0), 0)):
            picks.append(rotation.next())

    persona_turn: dict[str, int] = {}
    episodes: list[Episode] = []
    numbers = count(round_index * 1_000_000)
    for scenario in picks:
        personas = pack.personas_for(scenario)
        k = persona_turn.get(scenario.id, round_index)
        persona_turn[scenario.id] = k + 1
        persona = personas[k % len(personas)]
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
