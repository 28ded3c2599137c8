"""`toolsim expand` without the command line: fill a variants file up to N variants per scenario.

For each chosen scenario the variants already in the file count toward `per_scenario`; the rest
is spread over the scenario's (turn, language) cells, always filling the emptiest cell next, so
a two-turn bilingual scenario gets about a quarter in each. Candidates come from the offline
expander or a model (`model.py`), and every one goes through `analysis.Checker`; refusals are
counted by reason for the summary. Scaled `field` slots (`scale:`) also get a few new factors —
new amounts that still fit the state, e.g. other shares of an item's price for a partial refund.
The hand-written seeds are read from the scenario file itself, never from the merged pack, so
variants never breed variants.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from simulator.author.expand.analysis import (
    Cell,
    Checker,
    TextIndex,
    cells_of,
    normalise,
    said_slots,
)
from simulator.author.expand.offline import ATTEMPTS, OfflineExpander, casual_turn
from simulator.author.expand.phrases import phrase_book
from simulator.core.pydantic_problems import validate
from simulator.core.records import RoleUsage
from simulator.core.yaml_lines import read_yaml
from simulator.load.variants import (
    VariantFile,
    choice_codes,
    hashable,
    scaled_slot_problem,
)
from simulator.spec import LANGUAGES, Scenario, ScenarioFile, factor_problem
from simulator.spec.pack import Pack

CHOICES_PER_SLOT = 0.1  # new phrasings per coded choice slot, as a share of --per-scenario (at least 1)
AMOUNTS_PER_SLOT = 0.06  # new factors per scaled field slot, as a share of --per-scenario (at least 1)
MODEL_ROUNDS = 2  # a second request asks for what the first left short

Key = tuple[int, str]


@dataclass
class ScenarioReport:
    scenario_id: str
    existing: int = 0
    added: int = 0
    vague: int = 0
    casual: int = 0
    choices: int = 0
    amounts: int = 0  # new scale factors of scaled field slots
    short: int = 0  # wanted but not found
    rejected: Counter = field(default_factory=Counter)


@dataclass
class Added:
    say: dict[Key, list[str]] = field(default_factory=dict)
    choices: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scales: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class Expansion:
    """One expansion: the pack, its hand-written seeds, the file being filled and the checker."""

    pack: Pack
    seeds: ScenarioFile
    file: VariantFile
    per_scenario: int
    seed: int
    cells: dict[str, list[Cell]] = field(default_factory=dict)
    checker: Checker = field(default_factory=lambda: Checker(TextIndex()))
    reports: dict[str, ScenarioReport] = field(default_factory=dict)
    usage: RoleUsage = field(default_factory=RoleUsage)

    @classmethod
    def start(cls, pack: Pack, file: VariantFile, per_scenario: int, seed: int) -> Expansion:
        doc = read_yaml(pack.path, str(pack.path))
        seeds, _ = validate(ScenarioFile, doc.value, doc)
        if seeds is None:  # pragma: no cover - load_pack accepted the same file a moment ago
            raise RuntimeError(f"{pack.path} changed while expanding")
        wording = {language: phrase_book(language).wording for language in LANGUAGES}
        expansion = cls(pack, seeds, file, per_scenario, seed, checker=Checker(TextIndex(ignore=wording)))
        index = expansion.checker.index
        for scenario in seeds.scenarios:
            expansion.cells[scenario.id] = cells_of(scenario, pack.domain.config)
            for cell in expansion.cells[scenario.id]:
                for text in cell.seeds:
                    index.add_seed(text, scenario.id, cell.tools, cell.language)
        for sid, entry in file.scenarios.items():
            by_key = {c.key: c for c in expansion.cells.get(sid, [])}
            for turn, say in entry.turns.items():
                for language in LANGUAGES:
                    cell = by_key.get((turn, language))
                    for text in say.for_language(language):
                        index.add_text(text, sid, cell.tools if cell else ())
        return expansion

    def scenario(self, sid: str) -> Scenario:
        return next(s for s in self.seeds.scenarios if s.id == sid)

    def report(self, sid: str) -> ScenarioReport:
        return self.reports.setdefault(sid, ScenarioReport(sid))

    def wanted(self, sid: str) -> dict[Key, int]:
        """How many new variants each (turn, language) cell should get."""
        entry = self.file.scenarios.get(sid)
        have: Counter = Counter()
        for turn, say in (entry.turns.items() if entry else ()):
            for language in LANGUAGES:
                have[(turn, language)] += len(say.for_language(language))
        keys = [c.key for c in self.cells[sid]]
        self.report(sid).existing = sum(have.values())
        want: Counter = Counter()
        for _ in range(max(0, self.per_scenario - sum(have.values()))):
            key = min(keys, key=lambda k: (have[k] + want[k], keys.index(k)))
            want[key] += 1
        return dict(want)

    def choice_wanted(self, sid: str) -> dict[str, int]:
        """New phrasings wanted per coded choice slot."""
        entry = self.file.scenarios.get(sid)
        target = max(1, round(self.per_scenario * CHOICES_PER_SLOT))
        scenario = self.scenario(sid)
        return {
            name: max(0, target - len(entry.choices.get(name, []) if entry else []))
            for name in scenario.slots if choice_codes(scenario, name) is not None
        }

    def scale_wanted(self, sid: str) -> dict[str, int]:
        """New factors wanted per scaled field slot."""
        entry = self.file.scenarios.get(sid)
        target = max(1, round(self.per_scenario * AMOUNTS_PER_SLOT))
        scenario = self.scenario(sid)
        return {
            name: max(0, target - len(entry.scales.get(name, []) if entry else []))
            for name in scenario.slots if scaled_slot_problem(scenario, name) is None
        }

    def known_factors(self, sid: str, slot: str) -> list[float]:
        entry = self.file.scenarios.get(sid)
        return list(self.scenario(sid).slots[slot].scale or []) + (entry.scales.get(slot, []) if entry else [])

    def excluded(self, sid: str) -> set[str]:
        entry = self.file.scenarios.get(sid)
        return {normalise(t) for t in entry.exclude} if entry else set()

    def known_choices(self, sid: str, slot: str) -> list[dict[str, Any]]:
        entry = self.file.scenarios.get(sid)
        return list(self.scenario(sid).slots[slot].choice or []) + (entry.choices.get(slot, []) if entry else [])

    # ---------------------------------------------------------------- acceptance

    def refusal(self, cell: Cell, text: str, *, vague: bool, **rules: Any) -> str | None:
        """Why a candidate may not be added (grouped for the summary), or None."""
        if normalise(text) in self.excluded(cell.scenario.id):
            return "excluded by a reviewer"
        reason = self.checker.problem(text, cell, vague=vague, **rules)
        return None if reason is None else reason_kind(reason)

    def take(self, cell: Cell, text: str, *, vague: bool, casual: bool = False, **rules: Any) -> bool:
        """Check one candidate; count the refusal or record the acceptance."""
        report = self.report(cell.scenario.id)
        reason = self.refusal(cell, text, vague=vague, **rules)
        if reason is not None:
            report.rejected[reason] += 1
            return False
        self.checker.accept(text, cell)
        report.added += 1
        report.vague += bool(cell.required - said_slots(text))
        report.casual += casual
        return True

    def choice_refusal(self, sid: str, slot: str, entry: Any, added: list[dict[str, Any]]) -> str | None:
        reason = choice_problem(self.scenario(sid), slot, entry, self.known_choices(sid, slot) + added)
        if reason is None and any(normalise(str(v)) in self.excluded(sid) for k, v in entry.items() if k != "code"):
            reason = "excluded by a reviewer"
        return reason

    def take_choice(self, sid: str, slot: str, entry: Any, added: list[dict[str, Any]]) -> bool:
        reason = self.choice_refusal(sid, slot, entry, added)
        if reason is not None:
            self.report(sid).rejected[reason] += 1
            return False
        added.append(entry)
        self.report(sid).choices += 1
        return True

    def factor_refusal(self, sid: str, slot: str, factor: Any, added: list[float]) -> str | None:
        if scaled_slot_problem(self.scenario(sid), slot) is not None:
            return "factor for a slot that is not a scaled field"
        if factor_problem(factor) is not None:
            return "factor not a number in (0, 1]"
        if factor in self.known_factors(sid, slot) + added:
            return "duplicate factor"
        return None

    def take_factor(self, sid: str, slot: str, factor: Any, added: list[float]) -> bool:
        reason = self.factor_refusal(sid, slot, factor, added)
        if reason is not None:
            self.report(sid).rejected[reason] += 1
            return False
        added.append(float(factor))
        self.report(sid).amounts += 1
        return True


def choice_problem(scenario: Scenario, slot: str, entry: Any, known: list[dict[str, Any]]) -> str | None:
    codes = choice_codes(scenario, slot)
    if codes is None:
        return "choice for a slot that takes none"
    keys = set(scenario.slots[slot].choice[0])
    if not isinstance(entry, dict) or set(entry) != keys:
        return "choice entry with other keys than the slot's"
    if hashable(entry["code"]) not in codes:
        return "choice entry with a new code"
    if any(not (isinstance(v, str) and v.strip()) for k, v in entry.items() if k != "code"):
        return "choice entry with an empty phrase"
    phrases = {normalise(str(v)) for e in known for k, v in e.items() if k != "code"}
    if any(normalise(v) in phrases for k, v in entry.items() if k != "code"):
        return "duplicate choice phrase"
    return None


def reason_kind(reason: str) -> str:
    """Refusal reasons grouped for the summary (the detail is dropped)."""
    kinds = (
        ("ambiguous: the same words", "ambiguous: same text as another tool's turn"),
        ("ambiguous", "ambiguous: words of another tool's requests"),
        ("placeholder", "unknown placeholder"),
        ("misses required", "misses a required slot"),
        ("says ", "says a slot the scenario keeps back"),
        ("vague variant in", "vague in a scenario that does not ask"),
        ("vague variant drops", "vague about a slot nobody asks for"),
    )
    return next((kind for prefix, kind in kinds if reason.startswith(prefix)), reason)


# -------------------------------------------------------------------- offline


def expand_offline(expansion: Expansion, scenario_ids: list[str]) -> dict[str, Added]:
    added: dict[str, Added] = {}
    for sid in scenario_ids:
        report = expansion.report(sid)
        expander = OfflineExpander(random.Random(f"{expansion.seed}:{sid}"))
        result = added[sid] = Added()
        want = expansion.wanted(sid)
        for cell in expansion.cells[sid]:
            for _ in range(want.get(cell.key, 0)):
                casual = casual_turn(report.added, report.casual)
                for _attempt in range(ATTEMPTS):
                    draft = expander.draft(cell, casual)
                    if not draft.text:
                        report.rejected["dropped a content word of its seed"] += 1
                    elif expansion.take(cell, draft.text, vague=draft.vague, casual=casual,
                                        required=draft.required, introduced=draft.introduced):
                        result.say.setdefault(cell.key, []).append(draft.text)
                        break
                else:
                    report.short += 1
        scenario = expansion.scenario(sid)
        for slot, room in expansion.choice_wanted(sid).items():
            picked: list[dict[str, Any]] = []
            for entry in expander.choices(scenario, slot, expansion.known_choices(sid, slot)):
                if len(picked) >= room:
                    break
                expansion.take_choice(sid, slot, entry, picked)
            if picked:
                result.choices[slot] = picked
        for slot, room in expansion.scale_wanted(sid).items():
            factors: list[float] = []
            for factor in expander.factors(expansion.known_factors(sid, slot)):
                if len(factors) >= room:
                    break
                expansion.take_factor(sid, slot, factor, factors)
            if factors:
                result.scales[slot] = factors
    return added


# -------------------------------------------------------------------- model


def _offer(report: Any, wants: dict[Any, int], key: Any, refusal: str | None, take: Any) -> None:
    """One proposed item: refused (counted by reason), beyond what was asked for, or taken."""
    if refusal is None and wants.get(key, 0) <= 0:
        refusal = "more than asked for"
    if refusal is not None:
        report.rejected[refusal] += 1
    elif take():
        wants[key] -= 1


def _take_say(expansion: Any, added: Any, cell: Any, key: Any, item: dict[str, Any]) -> bool:
    if not expansion.take(cell, item["text"], vague=item["vague"]):
        return False
    added.say.setdefault(key, []).append(item["text"])
    return True


async def expand_with_model(expansion: Expansion, scenario_ids: list[str], settings: Any, client: Any) -> dict[str, Added]:
    """Each round asks for every scenario at once, then checks the replies in scenario order (so
    the result does not depend on which reply came first)."""
    from simulator.author.expand.model import ask, build_messages, parse_reply

    added = {sid: Added() for sid in scenario_ids}
    wants = {sid: expansion.wanted(sid) for sid in scenario_ids}
    choice_wants = {sid: expansion.choice_wanted(sid) for sid in scenario_ids}
    scale_wants = {sid: expansion.scale_wanted(sid) for sid in scenario_ids}
    for round_ in range(MODEL_ROUNDS):
        asking = [sid for sid in scenario_ids
                  if any(wants[sid].values()) or any(choice_wants[sid].values()) or any(scale_wants[sid].values())]
        if not asking:
            break
        requests = [
            ask(settings, client, build_messages(expansion.pack, expansion.scenario(sid), expansion.cells[sid],
                                                 wants[sid], choice_wants[sid], added[sid].say,
                                                 scale_wants[sid], {slot: expansion.known_factors(sid, slot)
                                                                    + added[sid].scales.get(slot, [])
                                                                    for slot in scale_wants[sid]}),
                f"expand:{expansion.seed}:{round_}", expansion.usage)
            for sid in asking
        ]
        replies = await asyncio.gather(*requests)
        for sid, raw in zip(asking, replies):
            report = expansion.report(sid)
            if raw is None:
                report.rejected["model call failed"] += 1
                continue
            variants, choices, scales, problems = parse_reply(raw)
            report.rejected.update(problems)
            cells = {c.key: c for c in expansion.cells[sid]}
            for item in variants:  # valid but beyond what was asked for is counted as such
                key = (item["turn"], item["language"])
                cell = cells.get(key)
                refusal = "no such turn or language" if cell is None else expansion.refusal(
                    cell, item["text"], vague=item["vague"])
                _offer(report, wants[sid], key, refusal,
                       lambda: _take_say(expansion, added[sid], cell, key, item))  # noqa: B023
            for item in choices:
                picked = added[sid].choices.setdefault(item["slot"], [])
                _offer(report, choice_wants[sid], item["slot"],
                       expansion.choice_refusal(sid, item["slot"], item["entry"], picked),
                       lambda: expansion.take_choice(sid, item["slot"], item["entry"], picked))  # noqa: B023
            added[sid].choices = {k: v for k, v in added[sid].choices.items() if v}
            for item in scales:
                picked = added[sid].scales.setdefault(item["slot"], [])
                _offer(report, scale_wants[sid], item["slot"],
                       expansion.factor_refusal(sid, item["slot"], item["factor"], picked),
                       lambda: expansion.take_factor(sid, item["slot"], item["factor"], picked))  # noqa: B023
            added[sid].scales = {k: v for k, v in added[sid].scales.items() if v}
    for sid in scenario_ids:
        expansion.report(sid).short = sum(wants[sid].values())
    return added
