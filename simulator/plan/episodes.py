"""Plan episodes toward the targets: which scenario, which persona, which seed.

Planning is a pure function of (pack, targets, run seed, round), so a resumed run plans exactly
the same episodes and can skip the finished ones by id. The runner calls `plan_round` again for
the tool, category and language cells that rejection or deduplication left short (targets and
what counts as short: `targets.py`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import count

from simulator.core.records import Episode
from simulator.plan.targets import apportion, cell_of, playable_scenarios
from simulator.spec import CATEGORIES, LANGUAGES, Persona, Scenario
from simulator.spec.generation import today_for
from simulator.spec.pack import Pack


def is_multi_turn(scenario: Scenario) -> bool:
    """A scripted sequence of two or more user requests (not just a clarifying answer)."""
    return len(scenario.turns) >= 2


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
        # the earliest scenario wins a tie (by position: list.index would compare models field by field)
        at = max(range(len(self.scenarios)), key=lambda i: (self.credit[self.scenarios[i].id], -i))
        best = self.scenarios[at]
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
        seed = episode_seed(run_seed, index)
        today = today_for(seed, pack.file.generation.today)
        for sample in range(samples):
            suffix = f"-s{sample}" if samples > 1 else ""
            episodes.append(
                Episode(
                    id=f"r{round_index}-{index % 1_000_000:05d}-{scenario.id}-{persona.id}{suffix}",
                    scenario_id=scenario.id,
                    persona_id=persona.id,
                    seed=seed,
                    sample=sample,
                    category=scenario.category,
                    tool=scenario.primary_tool,
                    language=persona.language,
                    multi_turn=is_multi_turn(scenario),
                    today=today,
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
    for s in playable_scenarios(pack):
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
    return _round_controlled(rows, weights, needs)


def _round_controlled(
    rows: Mapping[str, int], weights: Mapping[str, Mapping[str, float]], needs: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """Round the fitted table so every cell gets exactly its count and the category totals hit
    their needs where the table allows: floors first, then the leftover units by largest
    fraction, to categories still short before any other. (Rounding each cell on its own is off
    by up to half a unit per cell in every category total — a whole example per two tools.)"""
    plan: dict[str, dict[str, int]] = {}
    fractions: list[tuple[float, str, str]] = []
    left: dict[str, int] = {}
    for cell, row in weights.items():
        total = sum(row.values())
        if not total:
            plan[cell] = {}
            continue
        exact = {k: rows[cell] * w / total for k, w in row.items()}
        plan[cell] = {k: int(v) for k, v in exact.items()}
        left[cell] = rows[cell] - sum(plan[cell].values())
        fractions += [(v - int(v), cell, k) for k, v in exact.items()]
    fractions.sort(key=lambda f: (-f[0], f[1], f[2]))
    short = {k: need - sum(p.get(k, 0) for p in plan.values()) for k, need in needs.items()}
    for only_short in (True, False):
        for _, cell, k in fractions:
            if left[cell] > 0 and (not only_short or short.get(k, 1) > 0):
                plan[cell][k] += 1
                left[cell] -= 1
                if k in short:
                    short[k] -= 1
    return plan


def _choose_personas(
    pack: Pack, picks: list[Scenario], round_index: int, languages: Mapping[str, int] | None
) -> list[Persona]:
    """Per pick, a persona who can play it. Without language targets: the scenario's personas in
    turn. With them: first the language — each scenario's picks are divided among its languages
    so that every scenario, not only the round, follows the counts still wanted (`allocate`:
    within one of its share), interleaved so a budget cut keeps the proportion — then that
    language's personas in turn."""
    turn: dict[tuple[str, str | None], int] = {}
    chosen: list[Persona] = []
    weights = _language_weights(pack, picks, languages) if languages else None
    queues = _languages_per_scenario(pack, picks, weights) if weights and sum(weights.values()) > 0 else {}
    for scenario in picks:
        personas = pack.personas_for(scenario)
        language = None
        queue = queues.get(scenario.id)
        if queue:
            language = queue.pop(0)
            personas = [p for p in personas if p.language == language] or personas
        # Each scenario starts its rotation at its own persona (a stable hash of its id): with
        # one or two episodes per scenario, starting everyone at the first persona would give
        # a small run a single voice.
        k = turn.get((scenario.id, language), round_index + zlib.crc32(scenario.id.encode()))
        turn[(scenario.id, language)] = k + 1
        chosen.append(personas[k % len(personas)])
    return chosen


def _languages_per_scenario(pack: Pack, picks: list[Scenario], weights: Mapping[str, float]) -> dict[str, list[str]]:
    """The languages of each scenario's picks, in order: the round's language counts divided
    among the scenarios in proportion to their picks (iterative fitting and controlled rounding,
    as for categories), then each scenario's counts interleaved by smooth round-robin."""
    rows = Counter(s.id for s in picks)
    options: dict[str, dict[str, float]] = {}
    for scenario in picks:
        if scenario.id in options:
            continue
        spoken = {p.language for p in pack.personas_for(scenario)}
        wanted = {lang: 1.0 for lang in LANGUAGES if lang in spoken and weights.get(lang, 0) > 0}
        options[scenario.id] = wanted or {lang: 1.0 for lang in LANGUAGES if lang in spoken}
    needs = apportion(sum(rows.values()), {lang: w / sum(weights.values()) for lang, w in weights.items()})
    plan = allocate(rows, options, needs)
    return {sid: _smooth([(lang, n) for lang, n in counts.items() if n > 0]) for sid, counts in plan.items()}


def _smooth(counts: list[tuple[str, int]]) -> list[str]:
    """`[(en, 3), (zh, 2)]` -> en zh en zh en: every prefix in proportion."""
    total = sum(n for _, n in counts)
    credit = [0] * len(counts)
    taken = [0] * len(counts)
    out: list[str] = []
    for _ in range(total):
        for i, (_, n) in enumerate(counts):
            credit[i] += n
        i = max((i for i in range(len(counts)) if taken[i] < counts[i][1]), key=lambda i: (credit[i], -i))
        credit[i] -= total
        taken[i] += 1
        out.append(counts[i][0])
    return out


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
